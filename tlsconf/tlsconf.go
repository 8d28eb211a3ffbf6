// Package tlsconf builds the TLS client configuration of every outbound request: the system's
// trusted CAs plus, optionally, extra CA certificates (a private authentik CA, a test emulator's).
// Verification is never skipped.
package tlsconf

import (
	"bytes"
	"crypto/tls"
	"crypto/x509"
	"fmt"

	"github.com/wifwiz/wifwiz/wif"
)

// Pool is the system pool plus every certificate of extraPEM (which may be empty).
func Pool(extraPEM []byte) (*x509.CertPool, error) {
	pool, err := x509.SystemCertPool()
	if err != nil {
		pool = x509.NewCertPool() // no system pool on this platform: trust only extraPEM
	}
	if len(bytes.TrimSpace(extraPEM)) == 0 {
		return pool, nil
	}
	certs, err := wif.ParseCAPEM(extraPEM)
	if err != nil {
		return nil, fmt.Errorf("CA PEM: %w", err)
	}
	for _, c := range certs {
		pool.AddCert(c)
	}
	return pool, nil
}

// Client is a TLS client configuration trusting the system CAs and extraPEM, TLS 1.2 at least.
func Client(extraPEM []byte) (*tls.Config, error) {
	pool, err := Pool(extraPEM)
	if err != nil {
		return nil, err
	}
	return &tls.Config{RootCAs: pool, MinVersion: tls.VersionTLS12}, nil
}

// Join concatenates PEM bundles, each on its own lines.
func Join(bundles ...[]byte) []byte {
	var out []byte
	for _, b := range bundles {
		if len(bytes.TrimSpace(b)) == 0 {
			continue
		}
		out = append(append(out, bytes.TrimSpace(b)...), '\n')
	}
	return out
}
