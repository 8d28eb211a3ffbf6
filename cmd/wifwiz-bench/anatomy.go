package main

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/wifwiz/wifwiz/wif"
)

// anatomy is what each request of a check costs at L = 0 with a bare HTTP client on warm
// connections: the work at both ends of a round trip, without wifwiz's checks.
type anatomy struct {
	Discovery, JWKS, Token spread
}

// measureAnatomy times each of a check's three requests alone, samples times each.
func measureAnatomy(ctx context.Context, samples int) (anatomy, error) {
	var a anatomy
	is, err := startIssuer(0, 1)
	if err != nil {
		return a, err
	}
	defer is.close()
	pool := x509.NewCertPool()
	pool.AppendCertsFromPEM(is.emu.CAPEM())
	t := http.DefaultTransport.(*http.Transport).Clone()
	t.TLSClientConfig = &tls.Config{RootCAs: pool, MinVersion: tls.VersionTLS12}
	client := &http.Client{Transport: t, Timeout: 10 * time.Second}
	defer t.CloseIdleConnections()
	p := is.providers[0]
	issuer := is.emu.IssuerURL(p.Slug)
	form := url.Values{"grant_type": {"client_credentials"}, "client_id": {p.ClientID}, "client_secret": {p.ClientSecret}, "scope": {wif.DefaultScope}}.Encode()
	requests := []struct {
		into        *spread
		method, url string
		body        string
	}{
		{&a.Discovery, http.MethodGet, wif.DiscoveryURLFor(wif.DiscoveryBaseFor(issuer)), ""},
		{&a.JWKS, http.MethodGet, issuer + "jwks/", ""},
		{&a.Token, http.MethodPost, is.emu.URL() + "/application/o/token/", form},
	}
	for _, r := range requests {
		var ds []time.Duration
		for i := 0; i <= samples; i++ { // the first opens the connection and is not counted
			d, err := timeRequest(ctx, client, r.method, r.url, r.body)
			if err != nil {
				return a, err
			}
			if i > 0 {
				ds = append(ds, d)
			}
		}
		*r.into = spreadOf(ds)
	}
	return a, nil
}

func timeRequest(ctx context.Context, c *http.Client, method, u, body string) (time.Duration, error) {
	req, err := http.NewRequestWithContext(ctx, method, u, strings.NewReader(body))
	if err != nil {
		return 0, err
	}
	if body != "" {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	start := time.Now()
	resp, err := c.Do(req)
	if err != nil {
		return 0, err
	}
	_, err = io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	took := time.Since(start)
	if err != nil || resp.StatusCode != http.StatusOK {
		return 0, fmt.Errorf("%s %s: HTTP %d, %v", method, u, resp.StatusCode, err)
	}
	return took, nil
}
