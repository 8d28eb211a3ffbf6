package web

import (
	"context"
	"net/http"
	"strconv"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/wifwiz/wifwiz/audit"
	"github.com/wifwiz/wifwiz/store"
	"github.com/wifwiz/wifwiz/views"
	"github.com/wifwiz/wifwiz/wif"
)

// auditTimeout bounds one audit started from the browser.
const auditTimeout = 15 * time.Minute

// auditPages serves the audit page and keeps its jobs; it lives as long as the server.
type auditPages struct {
	s    *Server
	jobs *auditJobs
}

// auditRoutes registers the audit, history, hand-off and export pages.
func (s *Server) auditRoutes(e *echo.Echo) {
	a := &auditPages{s: s, jobs: newAuditJobs()}
	e.GET("/audit", a.handleAuditIndex)
	e.POST("/audit", a.handleAuditStart)
	e.GET("/audit/jobs/:job", a.handleAuditJob)
	e.POST("/connections/:id/verify", s.handleConnectionVerify)
	e.GET("/connections/:id/runs/:run", s.handleRunShow)
	e.GET("/connections/:id/handoff", s.handleHandoff)
	e.GET("/connections/:id/export", s.handleExport)
}

func (a *auditPages) handleAuditIndex(c echo.Context) error {
	setNav(c, "audit")
	return a.renderPage(c, http.StatusOK, a.jobs.latest(), "")
}

func (a *auditPages) renderPage(c echo.Context, status int, job *auditJob, errMsg string) error {
	conns, err := a.connections(c.Request().Context())
	if err != nil {
		return err
	}
	m := views.AuditPageModel{Error: errMsg}
	for _, conn := range conns {
		m.Choices = append(m.Choices, views.AuditChoice{ID: conn.ID, Name: conn.Name})
	}
	if job != nil {
		jm := jobModel(job)
		m.Job = &jm
	}
	return render(c, status, views.AuditPage(m))
}

// connections are the ones an audit of "all" covers: without --demo, the demo connections'
// built-in issuer is not running, so they are left out.
func (a *auditPages) connections(ctx context.Context) ([]wif.Connection, error) {
	f := store.ListFilter{}
	if a.s.cfg.Demo == nil {
		notDemo := false
		f.Demo = &notDemo
	}
	listed, err := a.s.cfg.Store.ListConnections(ctx, f)
	if err != nil {
		return nil, err
	}
	conns := make([]wif.Connection, len(listed))
	for i, l := range listed {
		conns[i] = l.Connection
	}
	return conns, nil
}

// handleAuditStart starts an audit. htmx gets the progress fragment at once and polls it;
// without JavaScript the request waits for the audit and gets the page with the summary.
func (a *auditPages) handleAuditStart(c echo.Context) error {
	setNav(c, "audit")
	conns, err := a.selected(c)
	if err != nil {
		return err
	}
	job := a.start(c.Request().Context(), conns)
	if c.Request().Header.Get("HX-Request") == "true" {
		return render(c, http.StatusOK, views.AuditJob(jobModel(job)))
	}
	select {
	case <-job.done:
	case <-c.Request().Context().Done():
		return c.Request().Context().Err()
	}
	return a.renderPage(c, http.StatusOK, job, "")
}

// selected is the connection the form names, or all of them.
func (a *auditPages) selected(c echo.Context) ([]wif.Connection, error) {
	ctx := c.Request().Context()
	v := c.FormValue("connection")
	if v == "" {
		return a.connections(ctx)
	}
	id, err := strconv.ParseInt(v, 10, 64)
	if err != nil {
		return nil, echo.NewHTTPError(http.StatusBadRequest, "Choose a connection from the list, or all connections.")
	}
	conn, err := a.s.cfg.Store.GetConnection(ctx, id)
	if err != nil {
		return nil, err
	}
	return []wif.Connection{*conn}, nil
}

// start runs the audit in the background, detached from the request that started it.
func (a *auditPages) start(ctx context.Context, conns []wif.Connection) *auditJob {
	cfg := a.s.cfg
	job := a.jobs.add(len(conns), cfg.Now())
	auditor := &audit.Auditor{Store: cfg.Store, Verifier: cfg.Runner, Getenv: cfg.Getenv, Now: cfg.Now}
	go func() {
		ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), auditTimeout)
		defer cancel()
		job.finish(auditor.Run(ctx, conns, job.record))
	}()
	return job
}

// handleAuditJob is the progress fragment for htmx's polling, or the whole page.
func (a *auditPages) handleAuditJob(c echo.Context) error {
	setNav(c, "audit")
	job := a.jobs.get(c.Param("job"))
	if job == nil {
		return echo.ErrNotFound
	}
	if c.Request().Header.Get("HX-Request") == "true" {
		return render(c, http.StatusOK, views.AuditJob(jobModel(job)))
	}
	return a.renderPage(c, http.StatusOK, job, "")
}

func jobModel(job *auditJob) views.AuditJobModel {
	finished, outcome := job.snapshot()
	m := views.AuditJobModel{ID: job.id, Started: job.started.UTC().Format("2006-01-02 15:04:05 UTC"),
		Total: job.total, Done: len(finished), Finished: outcome != nil}
	for _, r := range finished {
		m.Rows = append(m.Rows, auditRow(r))
	}
	if outcome != nil {
		m.Summary = auditSummary(*outcome)
	}
	return m
}

// auditBadges maps a status to the badge class the connections list uses for it.
var auditBadges = map[audit.Status]string{
	audit.Passed:  wif.StatusVerified,
	audit.Failed:  wif.StatusFailing,
	audit.Drifted: wif.StatusDrifted,
	audit.Skipped: "skip",
}

func auditRow(r audit.Result) views.AuditRow {
	row := views.AuditRow{ConnectionID: r.Connection.ID, Name: r.Connection.Name, Status: string(r.Status),
		Badge: auditBadges[r.Status], Result: r.Reason}
	if r.Run != nil {
		row.RunHref, row.Result = runPath(r.Connection.ID, r.Run.ID), r.Run.Summary
	}
	for _, d := range r.Drift() {
		row.Drift = append(row.Drift, d.Kind)
	}
	return row
}

// auditSummary groups the results by status, in the order the summary reads.
func auditSummary(o audit.Outcome) []views.AuditGroup {
	var groups []views.AuditGroup
	for _, st := range []audit.Status{audit.Passed, audit.Failed, audit.Drifted, audit.Skipped} {
		g := views.AuditGroup{Status: string(st), Badge: auditBadges[st]}
		for _, r := range o.Results {
			if r.Status == st {
				g.Rows = append(g.Rows, auditRow(r))
			}
		}
		groups = append(groups, g)
	}
	return groups
}
