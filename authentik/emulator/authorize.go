package emulator

import (
	"crypto/sha256"
	"crypto/subtle"
	"encoding/hex"
	"html/template"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"time"
)

// sessionCookie is the browser session authentik keeps after a login.
const sessionCookie = "authentik_session"

// authCode is an issued authorization code, single use.
type authCode struct {
	providerPK  int
	userPK      int
	redirectURI string
	scopes      []string
	nonce       string
	challenge   string
	authTime    time.Time
	expires     time.Time
	sid         string
}

// grant is an access token of a login, kept for userinfo.
type grant struct {
	providerPK int
	userPK     int
	scopes     []string
	expires    time.Time
}

// authRequest is a parsed /authorize request.
type authRequest struct {
	view                                      issuerView
	redirectURI, state, nonce, responseType   string
	challenge, challengeMethod, prompt, query string
	scopes                                    []string
}

// handleAuthorize answers authentik's authorization endpoint for response_type=code. Errors about
// the client or the redirect URI are shown as a page; others go back to the redirect URI.
func (e *Emulator) handleAuthorize(w http.ResponseWriter, r *http.Request) {
	req, ok := e.parseAuthorize(w, r)
	if !ok {
		return
	}
	if code, desc := req.check(e); code != "" {
		redirectError(w, r, req, code, desc)
		return
	}
	user, ok := e.loggedIn(r)
	if !ok || req.prompt == "login" {
		if req.prompt == "none" {
			redirectError(w, r, req, "login_required", "The Authorization Server requires End-User authentication")
			return
		}
		loginPage(w, http.StatusOK, req.view.app.name, req.query, "")
		return
	}
	e.redirectWithCode(w, r, req, user)
}

func (e *Emulator) parseAuthorize(w http.ResponseWriter, r *http.Request) (authRequest, bool) {
	if err := r.ParseForm(); err != nil {
		errorPage(w, http.StatusBadRequest, "Bad Request", "The request could not be read.")
		return authRequest{}, false
	}
	q := r.Form
	v, ok := e.viewByClientID(q.Get("client_id"))
	if !ok || v.app == nil {
		errorPage(w, http.StatusBadRequest, "Client ID Error", "The client identifier (client_id) is missing or invalid.")
		return authRequest{}, false
	}
	req := authRequest{view: v, redirectURI: q.Get("redirect_uri"), state: q.Get("state"), nonce: q.Get("nonce"),
		responseType: q.Get("response_type"), challenge: q.Get("code_challenge"), challengeMethod: q.Get("code_challenge_method"),
		prompt: q.Get("prompt"), query: q.Encode(), scopes: v.grantedScopes(strings.Fields(q.Get("scope")))}
	if !redirectAllowed(v.prov.redirectURIs, req.redirectURI) {
		errorPage(w, http.StatusBadRequest, "Redirect URI Error", "The request fails due to a missing, invalid, or mismatching redirection URI (redirect_uri).")
		return authRequest{}, false
	}
	return req, true
}

// check returns the OAuth error of a request whose client and redirect URI are known good.
func (req authRequest) check(e *Emulator) (code, description string) {
	switch {
	case req.responseType != "code":
		return "unsupported_response_type", "The authorization server does not support obtaining an authorization code using this method"
	case e.version.hasGrantTypes() && !slices.Contains(req.view.prov.grantTypes, "authorization_code"):
		return "invalid_request", "The request is otherwise malformed"
	case req.challenge == "" || req.challengeMethod != "S256":
		return "invalid_request", "PKCE with code_challenge_method S256 is required"
	case req.view.app.denyPolicy:
		return "access_denied", "The resource owner or authorization server denied the request"
	}
	return "", ""
}

// redirectAllowed matches a redirect URI against the provider's: strict equality, or a regex
// that matches the whole URI.
func redirectAllowed(allowed []redirectURI, uri string) bool {
	for _, a := range allowed {
		switch a.MatchingMode {
		case "strict":
			if uri == a.URL {
				return true
			}
		case "regex":
			if re, err := regexp.Compile(`^(?:` + a.URL + `)$`); err == nil && re.MatchString(uri) {
				return true
			}
		}
	}
	return false
}

func redirectError(w http.ResponseWriter, r *http.Request, req authRequest, code, description string) {
	v := url.Values{"error": {code}, "error_description": {description}}
	if req.state != "" {
		v.Set("state", req.state)
	}
	http.Redirect(w, r, withQuery(req.redirectURI, v), http.StatusFound)
}

func withQuery(uri string, v url.Values) string {
	sep := "?"
	if strings.Contains(uri, "?") {
		sep = "&"
	}
	return uri + sep + v.Encode()
}

// loggedIn is the user of the auto-login mode, or of the browser's session.
func (e *Emulator) loggedIn(r *http.Request) (*userState, bool) {
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.autoLogin != "" {
		u := e.userByNameLocked(e.autoLogin)
		return u, u != nil
	}
	c, err := r.Cookie(sessionCookie)
	if err != nil {
		return nil, false
	}
	u, ok := e.users[e.sessions[c.Value]]
	return u, ok
}

func (e *Emulator) redirectWithCode(w http.ResponseWriter, r *http.Request, req authRequest, u *userState) {
	validity, err := parseTimedelta(req.view.prov.accessCodeValidity)
	if err != nil {
		validity = time.Minute
	}
	now := e.clock()
	code := randomString(40)
	sid := sessionHash(r)
	e.mu.Lock()
	e.codes[code] = &authCode{providerPK: req.view.prov.pk, userPK: u.pk, redirectURI: req.redirectURI, scopes: req.scopes,
		nonce: req.nonce, challenge: req.challenge, authTime: now, expires: now.Add(validity), sid: sid}
	e.mu.Unlock()
	v := url.Values{"code": {code}}
	if req.state != "" {
		v.Set("state", req.state)
	}
	http.Redirect(w, r, withQuery(req.redirectURI, v), http.StatusFound)
}

// sessionHash is the sid authentik puts in tokens of a login: a SHA-256 of the session key.
func sessionHash(r *http.Request) string {
	key := randomString(32)
	if c, err := r.Cookie(sessionCookie); err == nil {
		key = c.Value
	}
	sum := sha256.Sum256([]byte(key))
	return hex.EncodeToString(sum[:])
}

// handleLogin takes the login page's form: a known username starts a session and resumes the
// authorization request; an unknown one shows the page again.
func (e *Emulator) handleLogin(w http.ResponseWriter, r *http.Request) {
	if err := r.ParseForm(); err != nil {
		errorPage(w, http.StatusBadRequest, "Bad Request", "The form could not be read.")
		return
	}
	query := r.PostForm.Get("next")
	e.mu.Lock()
	u := e.userByNameLocked(r.PostForm.Get("username"))
	session := randomString(32)
	if u != nil && !u.service {
		e.sessions[session] = u.pk
	}
	e.mu.Unlock()
	if u == nil || u.service {
		app := "authentik"
		if q, err := url.ParseQuery(query); err == nil {
			if v, ok := e.viewByClientID(q.Get("client_id")); ok && v.app != nil {
				app = v.app.name
			}
		}
		loginPage(w, http.StatusOK, app, query, "No user with this username.")
		return
	}
	http.SetCookie(w, &http.Cookie{Name: sessionCookie, Value: session, Path: "/", HttpOnly: true, Secure: true, SameSite: http.SameSiteLaxMode})
	q, _ := url.ParseQuery(query)
	q.Del("prompt")
	http.Redirect(w, r, "/application/o/authorize/?"+q.Encode(), http.StatusFound)
}

// codeGrant exchanges an authorization code, with authentik's checks: a confidential client's
// secret (invalid_client), the redirect URI among the provider's (invalid_client), the code
// known, unexpired and this provider's, and the PKCE verifier (invalid_grant).
func (e *Emulator) codeGrant(r *http.Request, v issuerView, secret string) (tokenResponse, error) {
	if v.prov.clientType == "confidential" && subtle.ConstantTimeCompare([]byte(secret), []byte(v.prov.clientSecret)) != 1 {
		return tokenResponse{}, oauthError("invalid_client")
	}
	raw := r.PostForm.Get("code")
	if raw == "" {
		return tokenResponse{}, oauthError("invalid_grant")
	}
	if !redirectAllowed(v.prov.redirectURIs, r.PostForm.Get("redirect_uri")) {
		return tokenResponse{}, oauthError("invalid_client")
	}
	e.mu.Lock()
	code := e.codes[raw]
	delete(e.codes, raw) // single use, whatever follows
	user := e.users[codeUser(code)]
	e.mu.Unlock()
	if code == nil || user == nil || !e.clock().Before(code.expires) || code.providerPK != v.prov.pk {
		return tokenResponse{}, oauthError("invalid_grant")
	}
	verifier := r.PostForm.Get("code_verifier")
	if verifier == "" || subtle.ConstantTimeCompare([]byte(pkceS256(verifier)), []byte(code.challenge)) != 1 {
		return tokenResponse{}, oauthError("invalid_grant")
	}
	resp, access, err := e.issue(v, claimInput{issuer: v.issuer(origin(r), false), sub: e.subject(v.prov.subMode, user), user: user,
		scopes: code.scopes, authTime: code.authTime, nonce: code.nonce, sid: code.sid, audience: v.prov.loginAudience})
	if err != nil {
		return tokenResponse{}, err
	}
	e.keepGrant(access, grant{providerPK: v.prov.pk, userPK: user.pk, scopes: code.scopes, expires: e.clock().Add(time.Duration(resp.ExpiresIn) * time.Second)})
	return resp, nil
}

func codeUser(c *authCode) int {
	if c == nil {
		return 0
	}
	return c.userPK
}

// keepGrant stores a login's access token for userinfo, forgetting expired ones.
func (e *Emulator) keepGrant(token string, g grant) {
	now := e.clock()
	e.mu.Lock()
	defer e.mu.Unlock()
	for k, old := range e.grants {
		if !now.Before(old.expires) {
			delete(e.grants, k)
		}
	}
	e.grants[token] = &g
}

// handleUserinfo answers with sub and the claims of the token's scopes. A missing or unknown
// token gets 401 with authentik's WWW-Authenticate header.
func (e *Emulator) handleUserinfo(w http.ResponseWriter, r *http.Request) {
	token, _ := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
	if token == "" {
		_ = r.ParseForm()
		token = r.Form.Get("access_token")
	}
	e.mu.Lock()
	g := e.grants[token]
	var (
		user *userState
		view issuerView
	)
	if g != nil && e.providers[g.providerPK] != nil {
		user = e.users[g.userPK]
		view = e.viewLocked(e.providers[g.providerPK])
	}
	e.mu.Unlock()
	if user == nil || !e.clock().Before(g.expires) {
		w.Header().Set("WWW-Authenticate", `error="invalid_token", error_description="The access token provided is expired, revoked, malformed, or invalid for other reasons"`)
		w.WriteHeader(http.StatusUnauthorized)
		return
	}
	claims := scopeClaims(user, g.scopes)
	claims["sub"] = e.subject(view.prov.subMode, user)
	writeJSON(w, http.StatusOK, claims)
}

// handleEndSession ends the browser's session; it returns to post_logout_redirect_uri when that
// is one of the provider's redirect URIs, and otherwise says so on a page.
func (e *Emulator) handleEndSession(w http.ResponseWriter, r *http.Request) {
	v, ok := e.viewBySlug(r.PathValue("slug"))
	if !ok {
		http.NotFound(w, r)
		return
	}
	if c, err := r.Cookie(sessionCookie); err == nil {
		e.mu.Lock()
		delete(e.sessions, c.Value)
		e.mu.Unlock()
	}
	http.SetCookie(w, &http.Cookie{Name: sessionCookie, Value: "", Path: "/", MaxAge: -1, HttpOnly: true, Secure: true})
	_ = r.ParseForm()
	if target := r.Form.Get("post_logout_redirect_uri"); target != "" && redirectAllowed(v.prov.redirectURIs, target) {
		q := url.Values{}
		if s := r.Form.Get("state"); s != "" {
			q.Set("state", s)
		}
		if len(q) > 0 {
			target = withQuery(target, q)
		}
		http.Redirect(w, r, target, http.StatusFound)
		return
	}
	errorPage(w, http.StatusOK, "Logged out", "You've logged out of "+v.app.name+".")
}

var pageTemplate = template.Must(template.New("page").Parse(`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>{{.Title}}</title></head>
<body><main>
<h1>{{.Title}}</h1>
{{if .Message}}<p role="alert">{{.Message}}</p>{{end}}
{{if .Login}}<form method="post" action="/emulator/login/">
<input type="hidden" name="next" value="{{.Next}}">
<label for="username">Username</label>
<input id="username" name="username" autocomplete="username" required autofocus>
<button type="submit">Log in</button>
</form>{{end}}
</main></body></html>
`))

type page struct {
	Title, Message, Next string
	Login                bool
}

// loginPage is the emulator's minimal login: a username, no password.
func loginPage(w http.ResponseWriter, status int, app, next, message string) {
	renderPage(w, status, page{Title: "Log in to " + app, Message: message, Next: next, Login: true})
}

func errorPage(w http.ResponseWriter, status int, title, message string) {
	renderPage(w, status, page{Title: title, Message: message})
}

func renderPage(w http.ResponseWriter, status int, p page) {
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	_ = pageTemplate.Execute(w, p)
}
