package hostile

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"
)

// Hostile text put in every field by Markup and Terminal.
const (
	MarkupText   = `<script>alert("wifwiz")</script>"><img src=x onerror=alert(1)>`
	TerminalText = "\x1b[2J\x1b[31mRED\x1b[0m\x1b]8;;https://evil.example/\x07link\x1b]8;;\x07\u202eevil\u202c\u2066iso\u2069"
)

// sub is the subject of the issuer's tokens.
const sub = "ak-hostile-client_credentials"

func (i *Issuer) path(p string) string { return "/application/o/" + Slug + "/" + p }

func (i *Issuer) serve(w http.ResponseWriter, r *http.Request) {
	switch r.URL.Path {
	case i.path(".well-known/openid-configuration"):
		i.discovery(w, r)
	case i.path("jwks/"):
		i.jwks(w)
	case "/application/o/token/":
		i.token(w, r)
	default:
		http.NotFound(w, r)
	}
}

// decorate is what Markup and Terminal add to a field.
func (i *Issuer) decorate(s string) string {
	switch i.Mode {
	case Markup:
		return s + MarkupText
	case Terminal:
		return s + TerminalText
	}
	return s
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

func (i *Issuer) discovery(w http.ResponseWriter, r *http.Request) {
	doc := map[string]any{
		"issuer": i.decorate(i.URL), "jwks_uri": i.BaseURL + i.path("jwks/"), "token_endpoint": i.BaseURL + "/application/o/token/",
		"id_token_signing_alg_values_supported": []string{i.decorate("ES256")},
		"grant_types_supported":                 []string{"client_credentials"},
	}
	switch i.Mode {
	case InternalJWKS:
		doc["jwks_uri"] = i.Other.URL + "/internal/keys"
	case ForeignToken:
		doc["token_endpoint"] = i.Other.URL + "/token"
	case HugeBody:
		doc["padding"] = strings.Repeat("x", 5<<20)
	case EndlessBody, SlowDrip:
		i.stream(w)
		return
	case RedirectPort:
		http.Redirect(w, r, i.Other.URL+r.URL.Path, http.StatusFound)
		return
	case RedirectScheme:
		http.Redirect(w, r, i.plain.URL+r.URL.Path, http.StatusFound)
		return
	case RedirectLoop:
		http.Redirect(w, r, i.BaseURL+r.URL.Path, http.StatusFound)
		return
	}
	writeJSON(w, http.StatusOK, doc)
}

// stream answers a body that never ends: as fast as the client reads (EndlessBody), or a byte
// at a time (SlowDrip). It returns when a write fails: the client went.
func (i *Issuer) stream(w http.ResponseWriter) {
	i.streams.Add(1)
	defer i.streams.Done()
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(http.StatusOK)
	chunk := []byte(`{"issuer":"` + strings.Repeat("x", 32<<10))
	if i.Mode == SlowDrip {
		chunk = []byte(" ")
	}
	rc := http.NewResponseController(w)
	for {
		n, err := w.Write(chunk)
		i.streamed.Add(int64(n))
		if err != nil || rc.Flush() != nil {
			return
		}
		// Only a failed write ends the drip: ending the body cleanly when the client starts to
		// close would hand it a complete (if useless) answer.
		if i.Mode == SlowDrip {
			time.Sleep(50 * time.Millisecond)
		}
		if i.Mode == EndlessBody {
			chunk = []byte(strings.Repeat("x", 32<<10))
		}
	}
}

func (i *Issuer) jwks(w http.ResponseWriter) {
	keys := []map[string]any{i.keys.jwk(i.decorate("key-1"))}
	if i.Mode == DegenerateKeys {
		keys = i.keys.degenerate()
	}
	writeJSON(w, http.StatusOK, map[string]any{"keys": keys})
}

func (i *Issuer) token(w http.ResponseWriter, r *http.Request) {
	b, _ := io.ReadAll(io.LimitReader(r.Body, 64<<10))
	body := string(b)
	form, _ := url.ParseQuery(body)
	id, secret, basic := r.BasicAuth()
	if !basic {
		id, secret = form.Get("client_id"), form.Get("client_secret")
	}
	creds := base64.StdEncoding.EncodeToString([]byte(id + ":" + secret))
	switch i.Mode {
	case EchoForm:
		writeJSON(w, http.StatusBadRequest, map[string]string{"error": "invalid_client",
			"error_description": "unknown client in " + body, "request_id": secret})
		return
	case EchoPercent:
		writeJSON(w, http.StatusBadRequest, map[string]string{"error": "invalid_client",
			"error_description": "secret " + percentAll(secret), "request_id": url.PathEscape(secret)})
		return
	case EchoBasic:
		writeJSON(w, http.StatusBadRequest, map[string]string{"error": "invalid_client",
			"error_description": "Authorization: Basic " + creds, "request_id": base64.StdEncoding.EncodeToString([]byte(secret))})
		return
	case EchoJSON:
		w.Header().Set("Content-Type", "text/plain")
		w.WriteHeader(http.StatusBadGateway)
		fmt.Fprintf(w, `upstream said {"client_secret":"%s"}`, uEscapes(secret))
		return
	case EchoHTML:
		w.Header().Set("Content-Type", "text/html")
		w.WriteHeader(http.StatusInternalServerError)
		fmt.Fprintf(w, "<html><body><p>%s</p><pre>%s</pre></body></html>", entities(secret), secret)
		return
	}
	if id != ClientID || secret != i.Secret {
		writeJSON(w, http.StatusBadRequest, map[string]string{"error": "invalid_grant", "error_description": i.decorate("wrong secret")})
		return
	}
	i.issue(w, secret, creds)
}

// issue answers a token pair whose claims carry the mode's hostility.
func (i *Issuer) issue(w http.ResponseWriter, secret, creds string) {
	now := time.Now().Unix()
	claims := map[string]any{"iss": i.URL, "sub": sub, "aud": ClientID, "azp": ClientID, "iat": now, "exp": now + 3600,
		"note": i.decorate("a claim"), i.decorate("name"): "value"}
	header := map[string]any{"typ": "JWT", "kid": i.decorate("key-1")}
	accessToken := ""
	switch i.Mode {
	case EchoClaims:
		claims["echo_raw"], claims["echo_form"], claims["echo_basic"] = secret, url.QueryEscape(secret), "Basic "+creds
		claims["sub"] = "ak-" + url.QueryEscape(secret)
		accessToken = secret
	case AbsurdTimes:
		claims["exp"], claims["iat"], claims["nbf"] = 1e300, -1e300, 1e300
	case Markup, Terminal:
		claims["sub"] = i.decorate(sub)
	}
	small := i.Mode == DegenerateKeys
	if small {
		header["kid"] = "small"
	}
	idToken := i.keys.sign(header, claims, small)
	if accessToken == "" {
		accessToken = idToken
	}
	writeJSON(w, http.StatusOK, map[string]any{"access_token": accessToken, "id_token": idToken,
		"token_type": i.decorate("Bearer"), "expires_in": 3600, "scope": i.decorate("openid")})
}
