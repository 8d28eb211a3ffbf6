package web

import (
	"crypto/subtle"
	"net/http"
	"strings"
	"time"

	"github.com/labstack/echo/v4"
	"github.com/labstack/echo/v4/middleware"

	"github.com/wifwiz/wifwiz/views"
)

// contentSecurityPolicy allows no inline script and no third-party origin.
const contentSecurityPolicy = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; " +
	"connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'; object-src 'none'"

func securityHeaders(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		h := c.Response().Header()
		h.Set("Content-Security-Policy", contentSecurityPolicy)
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("Referrer-Policy", "no-referrer")
		h.Set("X-Frame-Options", "DENY")
		h.Set("Cross-Origin-Opener-Policy", "same-origin")
		return next(c)
	}
}

const (
	accessCookie = "wifwiz_access"
	csrfCookie   = "wifwiz_csrf"
	csrfKey      = "csrf"
)

// requireAccessToken refuses every request that carries neither the access cookie, nor the token
// as "Authorization: Bearer" (how Prometheus sends it), nor the token in ?token=. A valid ?token=
// is exchanged for an HttpOnly cookie and removed from the URL. The health probes too need it:
// every request without it is refused (a probe sends it as a bearer token).
func requireAccessToken(token string) echo.MiddlewareFunc {
	valid := func(v string) bool { return subtle.ConstantTimeCompare([]byte(v), []byte(token)) == 1 }
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c echo.Context) error {
			if ck, err := c.Cookie(accessCookie); err == nil && valid(ck.Value) {
				return next(c)
			}
			if bearer, ok := strings.CutPrefix(c.Request().Header.Get("Authorization"), "Bearer "); ok && valid(bearer) {
				return next(c)
			}
			q := c.Request().URL.Query()
			if !valid(q.Get("token")) {
				return c.String(http.StatusUnauthorized, "wifwiz: access token required. Open the URL printed when the server started (it ends with ?token=…), or set the token you gave in WIFWIZ_ACCESS_TOKEN.\n")
			}
			c.SetCookie(&http.Cookie{Name: accessCookie, Value: token, Path: "/", HttpOnly: true,
				SameSite: http.SameSiteStrictMode, Secure: c.Scheme() == "https"})
			q.Del("token")
			u := *c.Request().URL
			u.RawQuery = q.Encode()
			return c.Redirect(http.StatusSeeOther, u.RequestURI())
		}
	}
}

// csrf uses echo's middleware: a token cookie, checked against the form field _csrf or the
// X-CSRF-Token header that app.js adds to htmx requests. A missing or wrong token is 403.
func csrf() echo.MiddlewareFunc {
	return middleware.CSRFWithConfig(middleware.CSRFConfig{
		TokenLookup:    "form:_csrf,header:X-CSRF-Token",
		CookieName:     csrfCookie,
		CookiePath:     "/",
		CookieHTTPOnly: true,
		CookieSameSite: http.SameSiteStrictMode,
		ContextKey:     csrfKey,
		ErrorHandler: func(err error, c echo.Context) error {
			return echo.NewHTTPError(http.StatusForbidden, "This form has expired or did not come from wifwiz. Reload the page and submit it again.")
		},
	})
}

// withMeta puts what the layout needs into the request context for the views.
func (s *Server) withMeta(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		token, _ := c.Get(csrfKey).(string)
		m := views.Meta{CSRF: token, Version: s.cfg.Version, Demo: s.cfg.Demo != nil, Auth: s.authMeta(c)}
		req := c.Request()
		c.SetRequest(req.WithContext(views.WithMeta(req.Context(), m)))
		return next(c)
	}
}

// logRequests logs method, path (never the query: it may hold the access token), status and time.
func (s *Server) logRequests(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		start := time.Now()
		err := next(c)
		if err != nil {
			c.Error(err)
		}
		s.log.Info("request", "method", c.Request().Method, "path", c.Request().URL.Path,
			"status", c.Response().Status, "duration_ms", time.Since(start).Milliseconds())
		return nil
	}
}

// recoverPanics answers a handler's panic with the internal-error page and logs the panic with
// the stack of the goroutine that panicked: without it the cause cannot be found.
func (s *Server) recoverPanics() echo.MiddlewareFunc {
	return middleware.RecoverWithConfig(middleware.RecoverConfig{
		StackSize:       64 << 10,
		DisableStackAll: true,
		LogErrorFunc: func(c echo.Context, err error, stack []byte) error {
			s.log.Error("panic", "method", c.Request().Method, "path", c.Request().URL.Path, "err", err, "stack", string(stack))
			return echo.NewHTTPError(http.StatusInternalServerError, "Internal error.")
		},
	})
}
