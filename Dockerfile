# wifwiz's container image; `make image` builds the same image without a daemon
# (internal/ociimage). Run behind a TLS proxy:
#   docker run -p 8080:8080 -v wifwiz-data:/data -e WIFWIZ_ACCESS_TOKEN=… wifwiz --behind-tls-proxy
FROM golang:1.26-bookworm AS build
WORKDIR /src
COPY go.mod go.sum ./
RUN go mod download
COPY . .
ARG VERSION=dev
RUN CGO_ENABLED=0 go build -trimpath -ldflags "-s -w -X main.version=${VERSION}" -o /out/usr/local/bin/wifwiz ./cmd/wifwiz \
 && mkdir -p /out/etc/ssl/certs /out/data /out/tmp \
 && cp /etc/ssl/certs/ca-certificates.crt /out/etc/ssl/certs/ \
 && printf 'root:x:0:0:root:/root:/sbin/nologin\nwifwiz:x:65532:65532:wifwiz:/data:/sbin/nologin\n' > /out/etc/passwd \
 && printf 'root:x:0:\nwifwiz:x:65532:\n' > /out/etc/group \
 && chmod 0700 /out/data && chmod 1777 /out/tmp

FROM scratch
COPY --from=build /out/etc /etc
COPY --from=build /out/tmp /tmp
COPY --from=build --chown=65532:65532 /out/data /data
COPY --from=build /out/usr/local/bin/wifwiz /usr/local/bin/wifwiz
ARG VERSION=dev
LABEL org.opencontainers.image.title="wifwiz" \
      org.opencontainers.image.description="Anthropic Workload Identity Federation with authentik: set up, verify, watch" \
      org.opencontainers.image.version="${VERSION}" \
      org.opencontainers.image.source="https://github.com/wifwiz/wifwiz"
ENV PATH=/usr/local/bin SSL_CERT_FILE=/etc/ssl/certs/ca-certificates.crt
USER 65532:65532
WORKDIR /data
VOLUME /data
EXPOSE 8080
# Off loopback, serve requires TLS (--tls-cert/--tls-key, or --behind-tls-proxy after the image
# name) and an access token: set WIFWIZ_ACCESS_TOKEN (or read the one it prints).
ENTRYPOINT ["/usr/local/bin/wifwiz", "serve", "--addr", "0.0.0.0:8080", "--db", "/data/wifwiz.db"]
