package probe_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/wifwiz/wifwiz/probe"
	"github.com/wifwiz/wifwiz/wif"
)

// TestFetchIdentityTokenRefusesForeignTokenEndpoint: a discovery document cannot send the client
// secret to another origin.
func TestFetchIdentityTokenRefusesForeignTokenEndpoint(t *testing.T) {
	var got []string
	other := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { got = append(got, r.URL.Path) }))
	defer other.Close()
	issuer := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_ = json.NewEncoder(w).Encode(map[string]string{"issuer": "x", "token_endpoint": other.URL + "/token"})
	}))
	defer issuer.Close()
	r := &probe.Runner{}
	_, err := r.FetchIdentityToken(context.Background(), wif.Connection{IssuerURL: issuer.URL + "/dex", ClientID: "c"}, "secret")
	if err == nil || !strings.Contains(err.Error(), "another origin") || len(got) != 0 {
		t.Fatalf("err %v, requests to the other origin %v", err, got)
	}
}
