package testissuer

import (
	"path/filepath"
	"testing"
)

// LoginUser is a person of the sign-in issuer: the claims of the profile and email scopes.
type LoginUser struct {
	Name   string   `json:"name"`
	Email  string   `json:"email,omitempty"`
	Groups []string `json:"groups"`
}

// LoginIssuer is node-oidc-provider set up for signing people in: the authorization code flow
// with its development interactions (a login page that takes any login and password — the
// login becomes the sub — then a consent page). Its ID tokens hold only the registered claims;
// name and groups come from userinfo.
type LoginIssuer struct {
	URL          string // https://localhost:<port>, the issuer at the server's root
	Addr         string
	CAPEM        []byte
	ClientID     string
	ClientSecret string
}

// StartLogin runs the sign-in issuer until the test ends, with one confidential client whose
// only redirect URI is redirectURI, and the given users by login.
func StartLogin(t testing.TB, redirectURI string, users map[string]LoginUser) *LoginIssuer {
	t.Helper()
	node, dir := prerequisites(t)
	tmp := t.TempDir()
	ca, certFile, keyFile := writeCertificates(t, tmp, "localhost")
	iss := &LoginIssuer{CAPEM: ca, ClientID: "wifwiz-signin", ClientSecret: "signin-secret-" + randomHex(t, 16)}
	cfg := map[string]any{
		"issuer": "https://localhost:{port}",
		"clients": []map[string]any{{"client_id": iss.ClientID, "client_secret": iss.ClientSecret,
			"redirect_uris": []string{redirectURI}}},
		"users": users,
		"tls":   map[string]string{"cert": certFile, "key": keyFile},
	}
	cfgFile := filepath.Join(tmp, "login.json")
	writeJSON(t, cfgFile, cfg)
	iss.URL, iss.Addr = run(t, node, dir, "login.mjs", cfgFile)
	return iss
}
