// Package web is wifwiz's HTTP layer: echo routes, thin handlers and middleware. Handlers parse
// the request, call the store or a service, and render a view; they hold no business rules.
package web

import (
	"log/slog"
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/wifwiz/wifwiz/actions"
	"github.com/wifwiz/wifwiz/static"
	"github.com/wifwiz/wifwiz/wif"
)

// Demo offers the pre-filled demo connection when `serve --demo` runs the built-in issuer.
type Demo interface {
	Connection() wif.Connection
}

// Config is what the server is built from.
type Config struct {
	App         *actions.Service // the use cases
	Logger      *slog.Logger
	Version     string
	AccessToken string // required on every request when non-empty (non-loopback listening)
	Demo        Demo   // nil without --demo
	// Metrics serves /metrics (Prometheus), behind the access token like the pages; nil: none.
	Metrics http.Handler
	// PublicURL is the address people reach the server at (serve --public-url); alerts link there.
	PublicURL string
	// SignIn signs people in through an OIDC provider and gives them a role; nil: no sign-in
	// (loopback, or the access token), where everyone is an editor recorded as "browser".
	SignIn *actions.SignIn
	// Hosts are the only Host header values answered (lower case, with the port), so that a
	// page on another site cannot reach a loopback server through DNS rebinding; empty answers
	// any host (a non-loopback listener, which requires AccessToken instead). LoopbackHosts
	// builds the list for a loopback listener.
	Hosts []string
	// SecureCookies marks the access and CSRF cookies Secure: the server is reached over TLS,
	// its own or a proxy's.
	SecureCookies bool
}

// Server holds the dependencies of the handlers.
type Server struct {
	cfg    Config
	app    *actions.Service
	log    *slog.Logger
	signIn *actions.SignIn
	held   *held // results of the admin API actions, for post/redirect/get
}

// New builds the HTTP handler with every route and middleware.
func New(cfg Config) http.Handler {
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	s := &Server{cfg: cfg, app: cfg.App, log: cfg.Logger, signIn: cfg.SignIn, held: newHeld()}
	e := echo.New()
	e.HideBanner, e.HidePort = true, true
	e.HTTPErrorHandler = s.handleError
	e.Use(s.recoverPanics(), s.logRequests, securityHeaders, requireHost(cfg.Hosts), crossOriginProtection(), limitBody)
	if cfg.AccessToken != "" {
		e.Use(requireAccessToken(cfg.AccessToken, cfg.SecureCookies))
	}
	// Who makes the request, then the layout's data, then whether their role allows the route.
	e.Use(csrf(cfg.SecureCookies), s.identify, s.withMeta, s.authorize)
	s.routes(e)
	return e
}

func (s *Server) routes(e *echo.Echo) {
	e.GET("/healthz", s.handleHealth)
	e.GET("/readyz", s.handleReady)
	if s.cfg.Metrics != nil {
		e.GET("/metrics", echo.WrapHandler(s.cfg.Metrics))
	}
	e.GET(static.Prefix+"*", echo.WrapHandler(static.Handler()))
	e.GET("/", s.handleConnectionIndex)
	e.GET("/connections/new", s.handleConnectionNew)
	e.POST("/connections", s.handleConnectionCreate)
	e.GET("/connections/:id", s.handleConnectionShow)
	e.GET("/connections/:id/wizard", s.handleWizardResume)
	e.GET("/connections/:id/wizard/:step", s.handleWizardStep)
	e.POST("/connections/:id/wizard/:step", s.handleWizardSave)
	e.POST("/connections/:id/wizard/3/jobs", s.handleSampleJob)
	e.GET("/jobs/:job", s.handleJobPoll)
	s.providerRoutes(e)
	s.consoleAPIRoutes(e)
	e.POST("/connections/:id/wizard/6/finish", s.handleWizardFinish)
	e.POST("/connections/demo", s.handleDemoCreate)
	s.auditRoutes(e)
	s.alertRoutes(e)
	s.signInRoutes(e)
}

func (s *Server) handleHealth(c echo.Context) error {
	return c.JSON(http.StatusOK, map[string]string{"status": "ok", "version": s.cfg.Version})
}
