package authentik

import (
	"context"
	"encoding/pem"
	"errors"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"

	"github.com/wifwiz/wifwiz/authentik/emulator"
)

func startEmulator(t testing.TB, opts ...emulator.Option) *emulator.Emulator {
	t.Helper()
	e, err := emulator.Start(opts...)
	if err != nil {
		t.Fatalf("start emulator: %v", err)
	}
	t.Cleanup(func() { _ = e.Close() })
	return e
}

func addProvider(t testing.TB, e *emulator.Emulator, p emulator.Provider) emulator.Provider {
	t.Helper()
	p, err := e.AddProvider(p)
	if err != nil {
		t.Fatalf("AddProvider: %v", err)
	}
	return p
}

func newClient(t testing.TB, caPEM []byte) *Client {
	t.Helper()
	c, err := NewClient(Options{CAPEM: caPEM, Resolver: fakeResolver{}})
	if err != nil {
		t.Fatalf("NewClient: %v", err)
	}
	return c
}

// startTLS serves h over HTTPS on loopback and returns it with the PEM of its certificate.
func startTLS(t testing.TB, h http.Handler) (*httptest.Server, []byte) {
	t.Helper()
	srv := httptest.NewTLSServer(h)
	t.Cleanup(srv.Close)
	return srv, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: srv.Certificate().Raw})
}

// fakeResolver answers from a table; unknown hosts are not found. It counts lookups.
type fakeResolver map[string][]string

func (f fakeResolver) LookupHost(_ context.Context, host string) ([]string, error) {
	if addrs, ok := f[host]; ok {
		return addrs, nil
	}
	return nil, errors.New("no such host " + host)
}

type countingResolver struct {
	mu    sync.Mutex
	calls int
}

func (r *countingResolver) LookupHost(_ context.Context, host string) ([]string, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.calls++
	return []string{"192.0.2.10"}, nil
}

func discoveryRequest(e *emulator.Emulator, p emulator.Provider) Request {
	return Request{
		IssuerURL:    e.IssuerURL(p.Slug),
		ClientID:     p.ClientID,
		ClientSecret: p.ClientSecret,
		Scope:        "openid profile",
	}
}

func emulatorProvider() emulator.Provider {
	return emulator.Provider{Slug: "claude", Name: "Claude", IncludeClaims: true}
}
