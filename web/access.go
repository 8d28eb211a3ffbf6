package web

import (
	"net/http"
	"net/url"

	"github.com/labstack/echo/v4"

	"github.com/wifwiz/wifwiz/actions"
	"github.com/wifwiz/wifwiz/views"
	"github.com/wifwiz/wifwiz/wif"
)

// access is who may use a route.
type access int

const (
	// forEditors is every route not listed in routeAccess: whatever changes something or sends a
	// request to authentik or Anthropic, and any route added without a decision. Fails closed.
	forEditors access = iota
	// forViewers may be used by viewers too: reading, and downloading exports.
	forViewers
	// forEveryone needs no sign-in: health, static files, and signing in and out.
	forEveryone
)

// routeAccess lists the routes viewers (or anyone) may use, by method and echo route pattern.
// A route missing here is for editors only. TestRouteAccess (access_test.go) keeps the list
// honest: every entry names a registered route, and no route a viewer may use changes anything.
var routeAccess = map[string]access{
	"GET /healthz":                   forEveryone,
	"GET /readyz":                    forEveryone,
	"GET /static/*":                  forEveryone,
	"GET /auth/signin":               forEveryone,
	"GET /auth/login":                forEveryone,
	"GET /auth/callback":             forEveryone,
	"POST /auth/logout":              forEveryone,
	"GET /":                          forViewers,
	"GET /connections/:id":           forViewers,
	"GET /connections/:id/runs/:run": forViewers,
	"GET /connections/:id/handoff":   forViewers,
	"GET /audit":                     forViewers,
	"GET /audit/jobs/:job":           forViewers,
	// A download renders from what is stored and records who downloaded it in the timeline; it
	// changes no setting and sends nothing out.
	"POST /connections/:id/export": forViewers,
}

func accessOf(method, path string) access {
	return routeAccess[method+" "+path] // forEditors when absent
}

// principal is who makes a request: how their changes are recorded, and what they may do.
type principal struct {
	actor  string
	role   wif.Role
	person *wif.Person // signed in through OIDC
}

const principalKey = "wifwiz.principal"

// browserActor records changes made without sign-in: on loopback, or with the access token.
const browserActor = "browser"

// actorOf is how the request's changes are recorded in a connection's timeline: the signed-in
// person ("Name <sub>"), else "browser".
func actorOf(c echo.Context) string {
	if p, ok := c.Get(principalKey).(principal); ok && p.actor != "" {
		return p.actor
	}
	return browserActor
}

func principalOf(c echo.Context) (principal, bool) {
	p, ok := c.Get(principalKey).(principal)
	return p, ok
}

// identify finds who makes the request. Without sign-in everyone is an editor recorded as
// "browser" (loopback, or past the access token); with sign-in, the session's person.
func (s *Server) identify(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		if s.signIn == nil {
			c.Set(principalKey, principal{actor: browserActor, role: wif.RoleEditor})
			return next(c)
		}
		if path := c.Path(); path == "/healthz" || path == "/static/*" {
			return next(c) // no session lookup for every stylesheet
		}
		cookie := ""
		if ck, err := c.Cookie(sessionCookie); err == nil {
			cookie = ck.Value
		}
		v, err := s.signIn.Visit(c.Request().Context(), cookie)
		if err != nil {
			return err
		}
		c.Set(visitKey, v)
		if v.Status == actions.SessionActive {
			person := v.Session.Person
			c.Set(principalKey, principal{actor: v.Actor(), role: v.Role, person: &person})
		}
		return next(c)
	}
}

const visitKey = "wifwiz.visit"

// authorize enforces routeAccess: a request without a session goes to the sign-in page (or, for
// a form post, gets a page saying the session ended), and a person whose groups do not reach the
// route's access is refused with a page that names the missing group. This is the one place
// that decides; views only hide what would be refused.
func (s *Server) authorize(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		need := accessOf(c.Request().Method, c.Path())
		if need == forEveryone {
			return next(c)
		}
		p, ok := principalOf(c)
		if !ok {
			return s.needSignIn(c)
		}
		want := wif.RoleEditor
		if need == forViewers {
			want = wif.RoleViewer
		}
		if (want == wif.RoleEditor && !p.role.CanEdit()) || !p.role.CanRead() {
			return s.refuse(c, p, want)
		}
		return next(c)
	}
}

// needSignIn answers a request that has no session.
func (s *Server) needSignIn(c echo.Context) error {
	notice := ""
	if v, _ := c.Get(visitKey).(actions.Visit); v.Status == actions.SessionExpired {
		notice = "Your session expired: " + v.Reason + ". Sign in again."
	} else if v.Status == actions.SessionEnded {
		notice = "Your session has ended. Sign in again."
	}
	req := c.Request()
	if req.Method == http.MethodGet || req.Method == http.MethodHead {
		q := url.Values{"next": {req.URL.RequestURI()}}
		if cur, err := url.Parse(req.Header.Get("HX-Current-URL")); err == nil && req.Header.Get("HX-Request") != "" {
			q.Set("next", cur.RequestURI()) // a fragment: the page around it is where to return
		}
		if notice != "" {
			q.Set("ended", "1")
		}
		target := "/auth/signin?" + q.Encode()
		if req.Header.Get("HX-Request") != "" {
			c.Response().Header().Set("HX-Redirect", target)
			return c.NoContent(http.StatusUnauthorized)
		}
		return c.Redirect(http.StatusSeeOther, target)
	}
	if notice == "" {
		notice = "Sign in first."
	}
	c.Response().Header().Set("Cache-Control", "no-store")
	return render(c, http.StatusUnauthorized, views.SignInFailedPage(views.SignInFailedModel{Title: "Sign in first",
		Kind: "session", Message: notice + " Nothing was changed.", RetryURL: "/auth/signin"}))
}

// refuse renders the page that names the group a person lacks.
func (s *Server) refuse(c echo.Context, p principal, want wif.Role) error {
	m := views.ForbiddenModel{Role: string(p.role), Missing: s.signIn.Roles().Missing(p.role, want)}
	if p.person != nil {
		m.Person = p.person.Actor()
	}
	s.log.Info("refused", "method", c.Request().Method, "route", c.Path(), "actor", p.actor, "role", string(p.role))
	return render(c, http.StatusForbidden, views.ForbiddenPage(m))
}
