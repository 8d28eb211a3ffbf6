package testissuer

import (
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"
)

func TestStartServesDiscoveryAndTokens(t *testing.T) {
	iss := Start(t, Options{Host: "issuer.test", DefaultPort: true})
	if iss.URL != "https://issuer.test/dex" {
		t.Fatalf("issuer URL %q", iss.URL)
	}
	c := iss.HTTPClient()
	resp, err := c.Get(iss.URL + "/.well-known/openid-configuration")
	if err != nil {
		t.Fatal(err)
	}
	var doc struct {
		Issuer        string `json:"issuer"`
		TokenEndpoint string `json:"token_endpoint"`
	}
	err = json.NewDecoder(resp.Body).Decode(&doc)
	resp.Body.Close()
	if err != nil || doc.Issuer != iss.URL || doc.TokenEndpoint != iss.URL+"/token" {
		t.Fatalf("discovery %+v (%v)", doc, err)
	}
	form := url.Values{"grant_type": {"client_credentials"}, "client_id": {iss.ClientID}, "client_secret": {iss.ClientSecret}}
	resp, err = c.PostForm(doc.TokenEndpoint, form)
	if err != nil {
		t.Fatal(err)
	}
	var tok map[string]any
	_ = json.NewDecoder(resp.Body).Decode(&tok)
	resp.Body.Close()
	at, _ := tok["access_token"].(string)
	if resp.StatusCode != http.StatusOK || strings.Count(at, ".") != 2 {
		t.Fatalf("token: HTTP %d %v", resp.StatusCode, tok)
	}
	before := iss.Rotate(t)
	if after := iss.Rotate(t); after == before || after == "" {
		t.Fatalf("rotate gave kids %q then %q", before, after)
	}
}
