package main

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/wifwiz/wifwiz/wif"
)

// TestTokenSourceRefusesForeignTokenEndpoint: a discovery document cannot send the client
// secret to another origin.
func TestTokenSourceRefusesForeignTokenEndpoint(t *testing.T) {
	var got []string
	other := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { got = append(got, r.URL.Path) }))
	defer other.Close()
	issuer := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_ = json.NewEncoder(w).Encode(map[string]string{"issuer": "x", "token_endpoint": other.URL + "/token"})
	}))
	defer issuer.Close()
	src, err := newAuthentikSource(wif.Connection{IssuerURL: issuer.URL + "/dex", ClientID: "c"}, "secret")
	if err != nil {
		t.Fatal(err)
	}
	_, err = src.Fetch(context.Background())
	if err == nil || !strings.Contains(err.Error(), "another origin") || len(got) != 0 {
		t.Fatalf("err %v, requests to the other origin %v", err, got)
	}
}
