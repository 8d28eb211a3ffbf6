# wifwiz — the two commands are `make run` and `make test`.
GO        ?= go
BIN       := bin/wifwiz
VERSION   ?= $(shell git describe --tags --always --dirty 2>/dev/null || echo dev)
LDFLAGS   := -s -w -X main.version=$(VERSION)
ADDR      ?= 127.0.0.1:8080
DB        ?= data/wifwiz.db
# Test packages run one at a time on small machines; the browser tests start Chromium.
TESTFLAGS ?= -count=1 -timeout 15m

.PHONY: run build generate lint test fuzz bench clean

## run: build and start the wizard with the built-in demo issuer on $(ADDR), data in $(DB)
run: build
	@mkdir -p $(dir $(DB))
	./$(BIN) serve --addr $(ADDR) --db $(DB) --demo

build: generate
	$(GO) build -trimpath -ldflags '$(LDFLAGS)' -o $(BIN) ./cmd/wifwiz

## generate: regenerate templ views (*_templ.go are committed)
generate:
	$(GO) tool templ generate

## lint: gofmt, go vet, and fail if templ generation would change a committed file
lint:
	@out=$$(gofmt -l $$(git ls-files '*.go')); if [ -n "$$out" ]; then echo "gofmt would change:"; echo "$$out"; exit 1; fi
	$(GO) vet ./...
	@before=$$(git status --porcelain -- '*_templ.go'; git diff -- '*_templ.go' | sha256sum); \
	$(GO) tool templ generate >/dev/null; \
	after=$$(git status --porcelain -- '*_templ.go'; git diff -- '*_templ.go' | sha256sum); \
	if [ "$$before" != "$$after" ]; then echo "templ generate changed *_templ.go: run 'make generate' and commit"; exit 1; fi

## test: lint, then every test (fuzz seed corpora included; browser tests need chromium)
test: lint
	$(GO) test $(TESTFLAGS) ./...

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
