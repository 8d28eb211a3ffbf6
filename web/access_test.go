package web

import (
	"net/http"
	"sort"
	"strings"
	"testing"

	"github.com/labstack/echo/v4"

	"github.com/wifwiz/wifwiz/actions"
)

// viewerMayUse is the reviewed list of what a viewer may do. A route added to routeAccess for
// viewers must be added here too, consciously: it must change no setting and cause no request
// to authentik or Anthropic.
var viewerMayUse = []string{
	"GET /",
	"GET /audit",
	"GET /audit/jobs/:job",
	"GET /connections/:id",
	"GET /connections/:id/handoff",
	"GET /connections/:id/runs/:run",
	"POST /connections/:id/export", // records the download in the timeline only
}

func TestRouteAccess(t *testing.T) {
	s := &Server{signIn: actions.NewSignIn(actions.SignInConfig{})}
	e := echo.New()
	s.routes(e)
	registered := map[string]bool{}
	var viewers []string
	for _, r := range e.Routes() {
		key := r.Method + " " + r.Path
		registered[key] = true
		switch accessOf(r.Method, r.Path) {
		case forViewers:
			viewers = append(viewers, key)
		case forEveryone:
			if r.Method != http.MethodGet && key != "POST /auth/logout" {
				t.Errorf("%s needs no sign-in but is not a GET", key)
			}
		}
	}
	for key := range routeAccess {
		if !registered[key] {
			t.Errorf("routeAccess lists %q, which is no route: a renamed route would silently become editors-only", key)
		}
	}
	sort.Strings(viewers)
	if len(viewers) != len(viewerMayUse) {
		t.Fatalf("viewers may use %q, reviewed %q", viewers, viewerMayUse)
	}
	for i := range viewers {
		if viewers[i] != viewerMayUse[i] {
			t.Errorf("viewers may use %q, reviewed %q", viewers[i], viewerMayUse[i])
		}
	}
	// Everything else, the wizard included (step 4 reads authentik's keys), is for editors.
	for _, key := range []string{"GET /connections/new", "GET /connections/:id/wizard/:step", "POST /connections/:id/verify",
		"POST /audit", "GET /jobs/:job", "GET /admin/sign-in", "GET /no/such/route"} {
		if !registered[key] && key != "GET /no/such/route" {
			t.Errorf("%s is not a route any more: update this test", key)
		}
		method, path, _ := strings.Cut(key, " ")
		if accessOf(method, path) != forEditors {
			t.Errorf("%s is not for editors only", key)
		}
	}
}
