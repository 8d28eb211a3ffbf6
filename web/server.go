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
	cfg Config
	app *actions.Service
	log *slog.Logger
}

// actor is how browser-made changes are attributed in the timeline.
const actor = "browser"

// New builds the HTTP handler with every route and middleware.
func New(cfg Config) http.Handler {
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	s := &Server{cfg: cfg, app: cfg.App, log: cfg.Logger}
	e := echo.New()
	e.HideBanner, e.HidePort = true, true
	e.HTTPErrorHandler = s.handleError
	e.Use(s.recoverPanics, s.logRequests, securityHeaders, requireHost(cfg.Hosts), crossOriginProtection(), limitBody)
	if cfg.AccessToken != "" {
		e.Use(requireAccessToken(cfg.AccessToken, cfg.SecureCookies))
	}
	e.Use(csrf(cfg.SecureCookies), s.withMeta)
	s.routes(e)
	return e
}

func (s *Server) routes(e *echo.Echo) {
	e.GET("/healthz", s.handleHealth)
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
	e.POST("/connections/:id/wizard/2/inspect", s.handleProviderInspect)
	e.POST("/connections/:id/wizard/6/finish", s.handleWizardFinish)
	e.POST("/connections/demo", s.handleDemoCreate)
	s.auditRoutes(e)
}

func (s *Server) handleHealth(c echo.Context) error {
	return c.JSON(http.StatusOK, map[string]string{"status": "ok", "version": s.cfg.Version})
}
