package web

import (
	"errors"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/wifwiz/wifwiz/actions"
	"github.com/wifwiz/wifwiz/views"
	"github.com/wifwiz/wifwiz/wif"
)

// Cookies of sign-in. The session cookie is SameSite=Lax so that it is set by, and sent after,
// the provider's redirect back to the callback; the attempt cookie is sent only to /auth/.
const (
	sessionCookie = "wifwiz_session"
	attemptCookie = "wifwiz_signin"
	attemptPath   = "/auth/"
)

func (s *Server) signInRoutes(e *echo.Echo) {
	e.GET("/admin/sign-in", s.handleSignInSettings)
	if s.signIn == nil {
		return
	}
	e.GET("/auth/signin", s.handleSignInPage)
	e.GET("/auth/login", s.handleLogin)
	e.GET("/auth/callback", s.handleCallback)
	e.POST("/auth/logout", s.handleLogout)
}

func (s *Server) handleSignInPage(c echo.Context) error {
	next := actions.LocalPath(c.QueryParam("next"))
	m := views.SignInModel{Issuer: s.signIn.Issuer(), LoginTo: "/auth/login?" + url.Values{"next": {next}}.Encode()}
	if c.QueryParam("ended") != "" {
		idle, max := s.signIn.Timeouts()
		m.Notice = "Your session has ended: sessions end after " + actions.DurationWords(idle) + " unused, and " + actions.DurationWords(max) +
			" after signing in. Sign in again to go on."
	}
	c.Response().Header().Set("Cache-Control", "no-store")
	return render(c, http.StatusOK, views.SignInPage(m))
}

// handleLogin starts a sign-in: it binds the attempt to this browser with a cookie and sends
// the browser to the provider. A browser on another origin than the redirect URI is first sent
// there, so that the callback finds its cookie.
func (s *Server) handleLogin(c echo.Context) error {
	next := actions.LocalPath(c.QueryParam("next"))
	// Origins compared as a browser sees them: host in lower case, no default port.
	if origin := wif.Origin(s.signIn.RedirectURL()); origin != "" && origin != wif.Origin(c.Scheme()+"://"+c.Request().Host) {
		return c.Redirect(http.StatusSeeOther, origin+"/auth/login?"+url.Values{"next": {next}}.Encode())
	}
	st, err := s.signIn.Begin(c.Request().Context(), next)
	if err != nil {
		return s.signInFailed(c, err)
	}
	c.SetCookie(&http.Cookie{Name: attemptCookie, Value: st.Cookie, Path: attemptPath, MaxAge: 600, HttpOnly: true,
		SameSite: http.SameSiteLaxMode, Secure: s.secure(c)})
	c.Response().Header().Set("Cache-Control", "no-store")
	return c.Redirect(http.StatusSeeOther, st.URL)
}

// secure says whether cookies must be Secure: the server is reached over TLS, its own (the
// request came over TLS) or a proxy's (serve --behind-tls-proxy). A client's X-Forwarded-Proto is
// not believed.
func (s *Server) secure(c echo.Context) bool { return s.cfg.SecureCookies || c.Request().TLS != nil }

// handleCallback completes a sign-in: state, code and ID token are checked by actions.SignIn.
func (s *Server) handleCallback(c echo.Context) error {
	cb := actions.Callback{State: c.QueryParam("state"), Code: c.QueryParam("code"), Error: c.QueryParam("error"),
		ErrorDescription: c.QueryParam("error_description")}
	if ck, err := c.Cookie(attemptCookie); err == nil {
		cb.Cookie = ck.Value
	}
	c.SetCookie(&http.Cookie{Name: attemptCookie, Value: "", Path: attemptPath, MaxAge: -1, HttpOnly: true,
		SameSite: http.SameSiteLaxMode, Secure: s.secure(c)})
	done, err := s.signIn.Finish(c.Request().Context(), cb)
	if err != nil {
		return s.signInFailed(c, err)
	}
	// MaxAge, not Expires: the browser's clock need not agree with the server's.
	maxAge := int(done.Session.ExpiresAt.Sub(done.Session.CreatedAt) / time.Second)
	c.SetCookie(&http.Cookie{Name: sessionCookie, Value: done.Cookie, Path: "/", MaxAge: maxAge,
		HttpOnly: true, SameSite: http.SameSiteLaxMode, Secure: s.secure(c)})
	s.log.Info("signed in", "actor", done.Session.Person.Actor(), "role", string(done.Role))
	return c.Redirect(http.StatusSeeOther, done.Next)
}

var signInTitles = map[string]string{
	wif.SignInUnreachable: "The sign-in provider cannot be reached",
	wif.SignInRefused:     "The sign-in was refused",
	wif.SignInInvalid:     "The sign-in was refused",
	wif.SignInExpired:     "This sign-in has expired",
	wif.SignInNoRole:      "Not allowed",
}

var signInStatus = map[string]int{
	wif.SignInUnreachable: http.StatusBadGateway,
	wif.SignInRefused:     http.StatusForbidden,
	wif.SignInInvalid:     http.StatusBadRequest,
	wif.SignInExpired:     http.StatusBadRequest,
	wif.SignInNoRole:      http.StatusForbidden,
}

// signInFailed renders why a sign-in did not complete; internal errors take the usual path.
func (s *Server) signInFailed(c echo.Context, err error) error {
	kind := wif.SignInErrorKind(err)
	if kind == "" {
		return err
	}
	s.log.Warn("sign-in failed", "kind", kind, "err", logCause(err))
	m := views.SignInFailedModel{Title: signInTitles[kind], Kind: kind, Message: err.Error(), RetryURL: "/auth/login"}
	if kind == wif.SignInNoRole {
		m.EndSession = s.signIn.EndSessionURL(c.Request().Context())
	}
	c.Response().Header().Set("Cache-Control", "no-store")
	return render(c, signInStatus[kind], views.SignInFailedPage(m))
}

func logCause(err error) string {
	if u := errors.Unwrap(err); u != nil {
		return u.Error()
	}
	return err.Error()
}

// handleLogout ends the session server-side, clears the cookie and offers the provider's own
// sign-out.
func (s *Server) handleLogout(c echo.Context) error {
	cookie := ""
	if ck, err := c.Cookie(sessionCookie); err == nil {
		cookie = ck.Value
	}
	end, err := s.signIn.SignOut(c.Request().Context(), cookie)
	if err != nil {
		return err
	}
	c.SetCookie(&http.Cookie{Name: sessionCookie, Value: "", Path: "/", MaxAge: -1, HttpOnly: true,
		SameSite: http.SameSiteLaxMode, Secure: s.secure(c)})
	if p, ok := principalOf(c); ok {
		s.log.Info("signed out", "actor", p.actor)
	}
	// The page after signing out shows nobody as signed in.
	req := c.Request()
	m := views.MetaFrom(req.Context())
	m.Auth = views.Auth{Mode: views.AuthOIDC}
	c.SetRequest(req.WithContext(views.WithMeta(req.Context(), m)))
	c.Response().Header().Set("Cache-Control", "no-store")
	return render(c, http.StatusOK, views.SignedOutPage(views.SignedOutModel{EndSession: end}))
}

// handleSignInSettings shows how sign-in is set up, the redirect URI to register and the
// settings of the authentik provider it needs.
func (s *Server) handleSignInSettings(c echo.Context) error {
	m := views.SignInSettingsModel{Mode: s.authMode(), GroupsClaim: "groups", Scopes: "openid profile email"}
	flags := []string{"wifwiz serve --addr 0.0.0.0:8443 \\",
		"  --oidc-issuer https://authentik.company/application/o/wifwiz/ \\",
		"  --oidc-client-id CLIENT_ID --oidc-client-secret-file /etc/wifwiz/oidc-secret \\",
		"  --oidc-redirect-url https://wifwiz.company/auth/callback \\",
		"  --oidc-editor-group wifwiz-editors --oidc-viewer-group wifwiz-viewers"}
	if s.signIn != nil {
		roles := s.signIn.Roles()
		idle, max := s.signIn.Timeouts()
		m.Issuer, m.RedirectURI, m.EditorGroup, m.ViewerGroup = s.signIn.Issuer(), s.signIn.RedirectURL(), roles.EditorGroup, roles.ViewerGroup
		m.IdleTimeout, m.MaxAge = actions.DurationWords(idle), actions.DurationWords(max)
		m.GroupsClaim, m.Scopes = s.signIn.GroupsClaim(), strings.Join(s.signIn.Scopes(), " ")
	}
	m.ExampleFlags = strings.Join(flags, "\n")
	return render(c, http.StatusOK, views.SignInSettingsPage(m))
}

func (s *Server) authMode() string {
	switch {
	case s.signIn != nil:
		return views.AuthOIDC
	case s.cfg.AccessToken != "":
		return views.AuthToken
	}
	return views.AuthOpen
}

// authMeta is the layout's view of the request's person.
func (s *Server) authMeta(c echo.Context) views.Auth {
	a := views.Auth{Mode: s.authMode()}
	if p, ok := principalOf(c); ok && p.person != nil {
		a.Name, a.Subject, a.Role = p.person.Name, p.person.Subject, string(p.role)
		a.ReadOnly = !p.role.CanEdit()
	}
	return a
}
