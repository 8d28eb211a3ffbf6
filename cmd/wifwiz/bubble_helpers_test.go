package main

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"math/big"
	"net"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

// Tests of `wifwiz token` over hours of token lifetimes run in a testing/synctest bubble: the
// refresher's waits, the workload's pauses and the SDK's clock are the bubble's fake clock, so
// they take no real time. The emulators run outside the bubble, on real loopback servers, and
// read the bubble's time through a bubbleClock.
//
// A goroutine waiting on an idle keep-alive connection is not durably blocked, so the bubble's
// clock would never advance while one exists: clients inside the bubble reach authentik through
// a front that closes every connection after one answer, and the SDK gets a client without
// keep-alives.

// front is a TLS reverse proxy for the authentik emulator that closes every connection after
// one answer. authentik builds iss from the Host the client used, so the issuer is the front's.
type front struct {
	url    string // https://localhost:port
	caFile string // its certificate, for --ca-file
}

func (fr front) issuer() string { return fr.url + "/application/o/" + testSlug + "/" }

func newFront(t *testing.T, f *fixture) front {
	t.Helper()
	target, err := url.Parse(f.emu.URL())
	if err != nil {
		t.Fatal(err)
	}
	upstream := http.DefaultTransport.(*http.Transport).Clone()
	pool := x509.NewCertPool()
	pool.AppendCertsFromPEM(f.emu.CAPEM())
	upstream.TLSClientConfig = &tls.Config{RootCAs: pool}
	proxy := &httputil.ReverseProxy{
		Rewrite: func(r *httputil.ProxyRequest) {
			r.SetURL(target)
			r.Out.Host = r.In.Host
		},
		Transport: upstream,
	}
	cert, certPEM := localhostCert(t)
	srv := httptest.NewUnstartedServer(proxy)
	srv.Config.SetKeepAlivesEnabled(false)
	// A connection dialled for a request that was then cancelled goes to the client's idle pool
	// unused; closing it soon lets a failing test end instead of hanging.
	srv.Config.ReadHeaderTimeout = 2 * time.Second
	srv.TLS = &tls.Config{Certificates: []tls.Certificate{cert}}
	srv.StartTLS()
	t.Cleanup(func() {
		srv.Close()
		upstream.CloseIdleConnections()
	})
	_, port, _ := net.SplitHostPort(srv.Listener.Addr().String())
	return front{url: "https://localhost:" + port, caFile: writeTestFile(t, t.TempDir(), "front-ca.pem", string(certPEM))}
}

// localhostCert is a self-signed certificate for localhost, valid an hour back and a year ahead.
func localhostCert(t *testing.T) (tls.Certificate, []byte) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "localhost"},
		DNSNames: []string{"localhost"}, IPAddresses: []net.IP{net.IPv4(127, 0, 0, 1)},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(365 * 24 * time.Hour),
		IsCA: true, BasicConstraintsValid: true,
		KeyUsage:    x509.KeyUsageDigitalSignature | x509.KeyUsageCertSign,
		ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	return tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key}, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})
}

// bubbleClock carries the bubble's time to the emulators outside it. It starts at the real time
// (the TLS certificates are checked against the bubble's clock); enter moves the bubble's clock
// there, then publishes it every second until the returned stop is called.
type bubbleClock struct {
	start time.Time
	now   atomic.Pointer[time.Time]
}

func newBubbleClock() *bubbleClock {
	c := &bubbleClock{start: time.Now().Truncate(time.Second)}
	c.now.Store(&c.start)
	return c
}

func (c *bubbleClock) Now() time.Time { return *c.now.Load() }

func (c *bubbleClock) stamp() {
	t := time.Now()
	c.now.Store(&t)
}

// enter runs inside the bubble.
func (c *bubbleClock) enter() (stop func()) {
	time.Sleep(time.Until(c.start))
	c.stamp()
	done := make(chan struct{})
	go func() {
		for {
			select {
			case <-done:
				return
			case <-time.After(time.Second):
				c.stamp()
			}
		}
	}()
	return func() { close(done) }
}

// stampingTransport publishes the bubble's time before each request, so the emulator answering
// it reads exactly the time the client sent it.
type stampingTransport struct {
	clock *bubbleClock
	next  http.RoundTripper
}

func (s stampingTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	s.clock.stamp()
	return s.next.RoundTrip(r)
}

// parseDotenv reads wifwiz's dotenv export: KEY='value' lines and comments.
func parseDotenv(t *testing.T, text string) map[string]string {
	t.Helper()
	vars := map[string]string{}
	for _, line := range strings.Split(text, "\n") {
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		k, v, ok := strings.Cut(line, "=")
		if !ok || len(v) < 2 || v[0] != '\'' || v[len(v)-1] != '\'' || strings.Contains(v[1:len(v)-1], "'") {
			t.Fatalf("dotenv line %q is not KEY='value'", line)
		}
		vars[k] = v[1 : len(v)-1]
	}
	return vars
}
