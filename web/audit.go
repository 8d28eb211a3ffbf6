package web

import (
	"context"
	"net/http"
	"strconv"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/wifwiz/wifwiz/actions"
	"github.com/wifwiz/wifwiz/views"
	"github.com/wifwiz/wifwiz/wif"
)

// auditWaitStep is how often a request without JavaScript looks at the stored progress of the
// audit it started while it waits for the end.
const auditWaitStep = 100 * time.Millisecond

// auditRoutes registers the audit, history, hand-off and export pages.
func (s *Server) auditRoutes(e *echo.Echo) {
	e.GET("/audit", s.handleAuditIndex)
	e.POST("/audit", s.handleAuditStart)
	e.GET("/audit/jobs/:job", s.handleAuditJob)
	e.POST("/connections/:id/verify", s.handleConnectionVerify)
	e.GET("/connections/:id/runs/:run", s.handleRunShow)
	e.GET("/connections/:id/handoff", s.handleHandoff)
	e.POST("/connections/:id/export", s.handleExport)
}

func (s *Server) handleAuditIndex(c echo.Context) error {
	setNav(c, "audit")
	job, err := s.app.LatestAuditJob(c.Request().Context())
	if err != nil {
		return err
	}
	return s.renderAuditPage(c, http.StatusOK, job, "")
}

func (s *Server) renderAuditPage(c echo.Context, status int, job *wif.AuditJob, errMsg string) error {
	conns, err := s.app.AuditTargets(c.Request().Context(), nil)
	if err != nil {
		return err
	}
	m := views.AuditPageModel{Error: errMsg, Schedule: s.scheduleText()}
	for _, conn := range conns {
		m.Choices = append(m.Choices, views.AuditChoice{ID: conn.ID, Name: conn.Name, Demo: conn.Demo})
	}
	if job != nil {
		jm := jobModel(*job)
		m.Job = &jm
	}
	return render(c, status, views.AuditPage(m))
}

// handleAuditStart starts an audit as a background job. htmx gets the progress fragment at once
// and polls it; without JavaScript the request waits for the end, then redirects to the result.
func (s *Server) handleAuditStart(c echo.Context) error {
	setNav(c, "audit")
	ctx := c.Request().Context()
	conns, err := s.selected(c)
	if err != nil {
		return err
	}
	id, err := s.app.StartAudit(ctx, actions.AuditRequest{Connections: conns, Actor: actorOf(c)})
	if wif.ErrorCode(err) == wif.EBUSY {
		return s.renderAuditPage(c, http.StatusServiceUnavailable, nil, err.Error())
	}
	if err != nil {
		return err
	}
	if c.Request().Header.Get("HX-Request") == "true" {
		job, err := s.app.AuditJob(ctx, id)
		if err != nil {
			return err
		}
		return render(c, http.StatusOK, views.AuditJob(jobModel(*job)))
	}
	if err := s.waitForAudit(ctx, id); err != nil {
		return err
	}
	return c.Redirect(http.StatusSeeOther, "/audit/jobs/"+id)
}

func (s *Server) waitForAudit(ctx context.Context, id string) error {
	t := time.NewTicker(auditWaitStep)
	defer t.Stop()
	for {
		job, err := s.app.AuditJob(ctx, id)
		if err != nil || job.State != wif.AuditRunning {
			return err
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-t.C:
		}
	}
}

// selected is the connection the form names, or nil for all of them.
func (s *Server) selected(c echo.Context) ([]wif.Connection, error) {
	v := c.FormValue("connection")
	if v == "" {
		return nil, nil
	}
	id, err := strconv.ParseInt(v, 10, 64)
	if err != nil {
		return nil, echo.NewHTTPError(http.StatusBadRequest, "Choose a connection from the list, or all connections.")
	}
	conn, err := s.app.Connection(c.Request().Context(), id)
	if err != nil {
		return nil, err
	}
	return []wif.Connection{*conn}, nil
}

// handleAuditJob is the progress fragment for htmx's polling, or the whole page.
func (s *Server) handleAuditJob(c echo.Context) error {
	setNav(c, "audit")
	job, err := s.app.AuditJob(c.Request().Context(), c.Param("job"))
	if err != nil {
		if wif.ErrorCode(err) == wif.ENOTFOUND {
			return echo.ErrNotFound
		}
		return err
	}
	if c.Request().Header.Get("HX-Request") == "true" {
		return render(c, http.StatusOK, views.AuditJob(jobModel(*job)))
	}
	return s.renderAuditPage(c, http.StatusOK, job, "")
}

func jobModel(job wif.AuditJob) views.AuditJobModel {
	m := views.AuditJobModel{ID: job.ID, Started: utcTime(job.StartedAt),
		Total: job.Total, Done: len(job.Results), Finished: job.State != wif.AuditRunning,
		Interrupted: job.State == wif.AuditInterrupted, Trigger: string(job.Trigger)}
	for _, r := range job.Results {
		m.Rows = append(m.Rows, auditRow(r))
	}
	if m.Finished {
		m.Summary = auditSummary(job.Results)
	}
	return m
}

// auditBadges maps a status to the badge class the connections list uses for it.
var auditBadges = map[wif.AuditStatus]string{
	wif.AuditPassed:  wif.StatusVerified,
	wif.AuditFailed:  wif.StatusFailing,
	wif.AuditDrifted: wif.StatusDrifted,
	wif.AuditSkipped: "skip",
}

func auditRow(r wif.AuditResult) views.AuditRow {
	row := views.AuditRow{ConnectionID: r.ConnectionID, Name: r.ConnectionName, Status: string(r.Status),
		Badge: auditBadges[r.Status], Result: r.Reason}
	if r.RunID != 0 {
		row.RunHref, row.Result = runPath(r.ConnectionID, r.RunID), r.Summary
	}
	for _, d := range r.Drift {
		row.Drift = append(row.Drift, d.Kind)
	}
	return row
}

// auditMeanings say what each status stands for, so that a failed connection whose key also
// rotated is not read as one more "drifted".
var auditMeanings = map[wif.AuditStatus]string{
	wif.AuditPassed:  "every check passed, nothing changed",
	wif.AuditFailed:  "a check failed or it could not be verified",
	wif.AuditDrifted: "passed, but changed since the last pass",
	wif.AuditSkipped: "not verified: no secret here, or not set up",
}

// auditSummary groups the results by status, in the order the summary reads.
func auditSummary(results []wif.AuditResult) []views.AuditGroup {
	var groups []views.AuditGroup
	for _, st := range wif.AuditStatuses {
		g := views.AuditGroup{Status: string(st), Badge: auditBadges[st], Meaning: auditMeanings[st]}
		for _, r := range results {
			if r.Status == st {
				g.Rows = append(g.Rows, auditRow(r))
				if st != wif.AuditDrifted && len(r.Drift) > 0 {
					g.Changed++
				}
			}
		}
		groups = append(groups, g)
	}
	return groups
}

// scheduleText describes the audit schedule of `serve --audit-every`; "" without one.
func (s *Server) scheduleText() string {
	st, ok := s.app.AuditSchedule()
	if !ok {
		return ""
	}
	text := "Scheduled audits every " + st.Every.String()
	switch {
	case st.Running:
		text += "; one is running now."
	case !st.Next.IsZero():
		text += "; the next starts at " + utcTime(st.Next) + "."
	}
	if st.Resumed != "" {
		text += " The scheduled audit " + st.Resumed + " was interrupted by a stop; a new one was started in its place."
	}
	return text
}
