package web

import (
	"crypto/subtle"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"path"
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

// LoopbackHosts are the Host header values a loopback listener on port answers: 127.0.0.1,
// localhost and [::1] with the port (and without it on the scheme's default port).
func LoopbackHosts(port string, https bool) []string {
	names := []string{"127.0.0.1", "localhost", "[::1]"}
	var out []string
	for _, n := range names {
		out = append(out, n+":"+port)
	}
	if (port == "80" && !https) || (port == "443" && https) {
		out = append(out, names...)
	}
	return out
}

// requireHost refuses a request naming any other host than hosts (none: any host is answered).
func requireHost(hosts []string) echo.MiddlewareFunc {
	allowed := map[string]bool{}
	for _, h := range hosts {
		allowed[strings.ToLower(h)] = true
	}
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c echo.Context) error {
			if len(allowed) == 0 || allowed[strings.ToLower(c.Request().Host)] {
				return next(c)
			}
			return echo.NewHTTPError(http.StatusForbidden, fmt.Sprintf(
				"wifwiz answers only at %s, not at the host %q. Open one of those addresses. (A page of another site may have tried to reach wifwiz through your browser.)",
				strings.Join(hosts[:min(3, len(hosts))], ", "), c.Request().Host))
		}
	}
}

// crossOriginProtection refuses state-changing requests a browser sent from another origin (Go's
// CrossOriginProtection: Sec-Fetch-Site, else Origin against Host), on every listener.
func crossOriginProtection() echo.MiddlewareFunc {
	cop := http.NewCrossOriginProtection()
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c echo.Context) error {
			if err := cop.Check(c.Request()); err != nil {
				return echo.NewHTTPError(http.StatusForbidden,
					"wifwiz refused this request: a page of another site sent it. Open wifwiz at its own address and submit the form there.")
			}
			return next(c)
		}
	}
}

// MaxRequestBytes bounds a request body: the largest form (a CA bundle and a JWKS) is far smaller.
const MaxRequestBytes = 1 << 20

// limitBody refuses a larger body with 413 before any handler reads it.
func limitBody(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		req := c.Request()
		if req.ContentLength > MaxRequestBytes {
			return errTooLarge
		}
		body := &limitedBody{ReadCloser: http.MaxBytesReader(c.Response(), req.Body, MaxRequestBytes)}
		req.Body = body
		err := next(c)
		// Whoever read the body (a handler, or the CSRF check reading the form) may have turned
		// the limit into another error: the answer is 413 all the same.
		var mbe *http.MaxBytesError
		if body.over || errors.As(err, &mbe) {
			return errTooLarge
		}
		return err
	}
}

// limitedBody remembers that reading went over the limit.
type limitedBody struct {
	io.ReadCloser
	over bool
}

func (b *limitedBody) Read(p []byte) (int, error) {
	n, err := b.ReadCloser.Read(p)
	var mbe *http.MaxBytesError
	if errors.As(err, &mbe) {
		b.over = true
	}
	return n, err
}

var errTooLarge = echo.NewHTTPError(http.StatusRequestEntityTooLarge, fmt.Sprintf(
	"This request is larger than %d KiB, more than any wifwiz form needs. Paste only the certificate or key set the field asks for.", MaxRequestBytes>>10))

// requireAccessToken refuses every request that carries neither the access cookie, nor the token
// as "Authorization: Bearer" (how Prometheus sends it), nor the token in ?token=. A valid ?token=
// is exchanged for an HttpOnly cookie and removed from the URL. The health probes too need it:
// every request without it is refused (a probe sends it as a bearer token).
func requireAccessToken(token string, secure bool) echo.MiddlewareFunc {
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
				SameSite: http.SameSiteStrictMode, Secure: secure || c.Request().TLS != nil})
			q.Del("token")
			return c.Redirect(http.StatusSeeOther, localPath(c.Request().URL.Path, q))
		}
	}
}

// localPath is a redirect target on this server for path and query: cleaned, with one leading
// slash, so that //evil.example/ or /\evil.example never leaves the site.
func localPath(p string, q url.Values) string {
	p = path.Clean("/" + strings.TrimLeft(strings.ReplaceAll(p, "\\", "/"), "/"))
	if len(q) > 0 {
		p += "?" + q.Encode()
	}
	return p
}

// csrf uses echo's middleware: a token cookie, checked against the form field _csrf or the
// X-CSRF-Token header that app.js adds to htmx requests. A missing or wrong token is 403.
func csrf(secure bool) echo.MiddlewareFunc {
	return middleware.CSRFWithConfig(middleware.CSRFConfig{
		TokenLookup:    "form:_csrf,header:X-CSRF-Token",
		CookieName:     csrfCookie,
		CookiePath:     "/",
		CookieHTTPOnly: true,
		CookieSecure:   secure,
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
