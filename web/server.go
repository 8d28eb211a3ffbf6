// Package web is wifwiz's HTTP layer: echo routes, thin handlers and middleware. Handlers parse
// the request, call the store or a service, and render a view; they hold no business rules.
package web

import (
	"context"
	"log/slog"
	"net/http"
	"os"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/wifwiz/wifwiz/probe"
	"github.com/wifwiz/wifwiz/static"
	"github.com/wifwiz/wifwiz/store"
	"github.com/wifwiz/wifwiz/wif"
)

// Store is what the handlers need from persistence.
type Store interface {
	CreateConnection(ctx context.Context, c *wif.Connection, actor string) error
	GetConnection(ctx context.Context, id int64) (*wif.Connection, error)
	UpdateConnection(ctx context.Context, c *wif.Connection, actor string) error
	ListConnections(ctx context.Context, f store.ListFilter) ([]store.Listed, error)
	ListConnectionsBrief(ctx context.Context, f store.ListFilter) ([]store.Listed, error)
	CountConnections(ctx context.Context, f store.ListFilter) (int, error)
	DeleteConnection(ctx context.Context, id int64) error
	ListRuns(ctx context.Context, connectionID int64, limit int) ([]wif.Run, error)
	ListRunSummaries(ctx context.Context, connectionID int64, limit int) ([]wif.Run, error)
	GetRun(ctx context.Context, id int64) (*wif.Run, error)
	LastPassingRun(ctx context.Context, connectionID int64) (*wif.Run, error)
	AddRun(ctx context.Context, r *wif.Run, actor string) error
	AddEvent(ctx context.Context, e *wif.Event) error
	ListEvents(ctx context.Context, connectionID int64) ([]wif.Event, error)
}

// Demo offers the pre-filled demo connection when `serve --demo` runs the built-in issuer.
type Demo interface {
	Connection() wif.Connection
}

// Config is what the server is built from.
type Config struct {
	Store       Store
	Logger      *slog.Logger
	Version     string
	AccessToken string // required on every request when non-empty (non-loopback listening)
	Demo        Demo   // nil without --demo
	Runner      *probe.Runner
	Getenv      func(string) string // resolves env: secret references; nil: os.Getenv
	Now         func() time.Time
}

// Server holds the dependencies of the handlers.
type Server struct {
	cfg  Config
	log  *slog.Logger
	jobs jobs
}

// actor is how browser-made changes are attributed in the timeline.
const actor = "browser"

// New builds the HTTP handler with every route and middleware.
func New(cfg Config) http.Handler {
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Getenv == nil {
		cfg.Getenv = os.Getenv
	}
	if cfg.Runner == nil {
		cfg.Runner = &probe.Runner{Now: cfg.Now}
	}
	s := &Server{cfg: cfg, log: cfg.Logger}
	e := echo.New()
	e.HideBanner, e.HidePort = true, true
	e.HTTPErrorHandler = s.handleError
	e.Use(s.recoverPanics, s.logRequests, securityHeaders)
	if cfg.AccessToken != "" {
		e.Use(requireAccessToken(cfg.AccessToken))
	}
	e.Use(csrf(), s.withMeta)
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
