# wifwiz — the two commands are `make run` and `make test`.
GO        ?= go
BIN       := bin/wifwiz
VERSION   ?= $(shell git describe --tags --always --dirty 2>/dev/null || echo dev)
LDFLAGS   := -s -w -X main.version=$(VERSION)
ADDR      ?= 127.0.0.1:8080
DB        ?= data/wifwiz.db
# Test packages run one at a time on small machines; the browser tests start Chromium.
TESTFLAGS ?= -count=1 -timeout 15m

# make image: the container image as an OCI archive, built without a container daemon.
IMAGE     ?= localhost/wifwiz:$(VERSION)
IMAGE_OUT ?= bin/wifwiz-image.tar
CA_BUNDLE ?= /etc/ssl/certs/ca-certificates.crt

.PHONY: run build generate lint test race fuzz bench clean image

## run: build and start the wizard with the built-in demo issuer on $(ADDR), data in $(DB)
run: build
	@mkdir -p $(dir $(DB))
	./$(BIN) serve --addr $(ADDR) --db $(DB) --demo

build: generate
	$(GO) build -trimpath -ldflags '$(LDFLAGS)' -o $(BIN) ./cmd/wifwiz

## image: the same image as the Dockerfile, as an OCI archive ($(IMAGE_OUT), named $(IMAGE)):
## a static binary, $(CA_BUNDLE), a non-root user and an empty /data. Load it with
## `podman load -i $(IMAGE_OUT)` or `skopeo copy oci-archive:$(IMAGE_OUT) docker-daemon:$(IMAGE)`.
image: generate
	CGO_ENABLED=0 $(GO) build -trimpath -ldflags '$(LDFLAGS)' -o bin/image/wifwiz ./cmd/wifwiz
	$(GO) run ./cmd/wifwiz-image --binary bin/image/wifwiz --ca $(CA_BUNDLE) --version $(VERSION) --ref $(IMAGE) --out $(IMAGE_OUT)

## generate: regenerate templ views (*_templ.go are committed)
generate:
	$(GO) tool templ generate

## lint: gofmt, go vet, go.mod tidy, staticcheck, no test helper in the binary, and fail if templ
## generation would change a committed file
lint:
	@out=$$(gofmt -l $$(git ls-files '*.go')); if [ -n "$$out" ]; then echo "gofmt would change:"; echo "$$out"; exit 1; fi
	$(GO) vet ./...
	$(GO) mod tidy -diff
	$(GO) tool staticcheck ./...
	@before=$$(git status --porcelain -- '*_templ.go'; git diff -- '*_templ.go' | sha256sum); \
	$(GO) tool templ generate >/dev/null; \
	after=$$(git status --porcelain -- '*_templ.go'; git diff -- '*_templ.go' | sha256sum); \
	if [ "$$before" != "$$after" ]; then echo "templ generate changed *_templ.go: run 'make generate' and commit"; exit 1; fi
	@for f in $$(grep -ohE '(docs/[a-z-]+|README)\.md' $$(git ls-files '*.go' '*.templ') | sort -u); do \
		[ -f "$$f" ] || { echo "a Go comment or page names $$f, which is not in the repository"; exit 1; }; done
	@by=$$($(GO) list -deps -f '{{.ImportPath}}: {{join .Imports " "}}' ./cmd/wifwiz | grep -E ': (.* )?net/http/httptest( |$$)' | cut -d: -f1); \
	if [ -n "$$by" ]; then echo "the wifwiz binary links net/http/httptest, imported by:"; echo "$$by"; exit 1; fi

## test: lint, then every test (fuzz seed corpora included; browser tests need chromium)
test: lint
	$(GO) test $(TESTFLAGS) ./...

## race: every test under the race detector (needs cgo and a C compiler; ~2.5× slower, not part of make test)
race:
	CGO_ENABLED=1 $(GO) test -race -count=1 -timeout 30m ./...

## fuzz: run each fuzz target for FUZZTIME (not part of make test, which runs only their seed corpora)
FUZZTIME ?= 60s
FUZZ_TARGETS := \
	verify:FuzzRun verify:FuzzDecodeToken verify:FuzzJWKS \
	rule:FuzzCondition \
	wif:FuzzRecordedValue wif:FuzzLifetimes wif:FuzzClaims wif:FuzzSecretReference wif:FuzzCAPEM \
	redact:FuzzRedactor \
	workload:FuzzExports \
	web:FuzzWizardForms
fuzz:
	@set -e; for t in $(FUZZ_TARGETS); do \
		pkg=$${t%%:*}; name=$${t#*:}; \
		echo "fuzz $$name in ./$$pkg/ for $(FUZZTIME)"; \
		$(GO) test -run '^$$' -fuzz "^$$name\$$" -fuzztime $(FUZZTIME) ./$$pkg/; \
	done

## bench: benchmarks and the load harness; writes docs/benchmarks.md
bench:
	$(GO) run ./cmd/wifwiz-bench -out docs/benchmarks.md

clean:
	rm -rf bin
