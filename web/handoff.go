package web

import (
	"net/http"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/wifwiz/wifwiz/verify"
	"github.com/wifwiz/wifwiz/views"
	"github.com/wifwiz/wifwiz/wif"
	"github.com/wifwiz/wifwiz/workload"
)

// handleHandoff is the printable hand-off checklist: what the Markdown export says, as a page.
func (s *Server) handleHandoff(c echo.Context) error {
	conn, err := s.connectionParam(c)
	if err != nil {
		return err
	}
	ctx := c.Request().Context()
	cl, err := s.app.Handoff(ctx, *conn)
	if err != nil {
		return err
	}
	runs, err := s.app.RunSummaries(ctx, conn.ID, 1)
	if err != nil {
		return err
	}
	m := views.HandoffModel{ConnectionID: conn.ID, Name: conn.Name, GeneratedAt: handoffTime(cl.GeneratedAt),
		RecordedBy: orUnknown(cl.RecordedBy), RecordedAt: handoffTime(cl.RecordedAt), Warnings: cl.OpenWarnings(),
		Downloads: exportLinks(*conn), Tasks: taskRows(cl.Tasks())}
	var verdicts map[string]verify.Status
	if cl.LastRun != nil && len(runs) > 0 {
		row := runRow(runs[0])
		m.LastRun, m.Stale = &row, cl.LastRun.Stale
		if !cl.LastRun.Stale {
			verdicts = workload.SettingVerdicts(*conn, cl.LastRun.Checks)
		}
		m.NotPassed = notPassed(cl.LastRun.Checks)
	}
	settings := settingRows(*conn, verdicts)
	for i := range settings {
		r, ok := cl.Recorded[settings[i].Name]
		if !ok || r.By == "" {
			continue
		}
		settings[i].RecordedBy, settings[i].RecordedAt = r.By, handoffTime(r.At)
		if p, ok := wif.ParseActor(r.By); ok {
			settings[i].RecordedBy, settings[i].RecordedSub = p.Name, p.Subject
		}
	}
	split := consoleSettingsStart()
	m.Authentik, m.Console = settings[:split], settings[split:]
	if m.EnvBlock, err = workload.Render(*conn, workload.FormatShell, s.app.WorkloadOptions()); err != nil {
		m.EnvBlock, m.EnvError = "", err.Error()
	}
	ref, malformed := shownSecretRef(*conn)
	m.SecretRef = ref
	switch {
	case malformed:
		m.SecretNote = "A reference is recorded but it is not of the form env:NAME or file:/path, so it is not shown: it may be the secret itself, pasted by mistake. Ask the previous owner, and rotate the client secret in authentik if it was."
	case ref == "":
		m.SecretNote = "Not recorded — ask the previous owner; wifwiz never stores secrets."
	}
	return render(c, http.StatusOK, views.HandoffPage(m))
}

func handoffTime(t time.Time) string {
	if t.IsZero() {
		return "an unknown time"
	}
	return t.UTC().Format("2006-01-02 15:04 UTC")
}

func orUnknown(s string) string {
	if s == "" {
		return "unknown"
	}
	return s
}

// consoleSettingsStart is the index of the first Console setting in wif.Fields.
func consoleSettingsStart() int {
	for i, f := range wif.Fields {
		if f.Name == wif.FieldServiceAccountID {
			return i
		}
	}
	return len(wif.Fields)
}

func taskRows(tasks []workload.Task) []views.TaskRow {
	out := make([]views.TaskRow, len(tasks))
	for i, t := range tasks {
		out[i] = views.TaskRow{Title: t.Title, Owner: t.Owner, State: t.State, Detail: t.Detail, Done: t.State == workload.TaskDone}
	}
	return out
}

func notPassed(checks []verify.Check) []views.CheckRow {
	var out []verify.Check
	for _, c := range checks {
		if c.Status != verify.Pass {
			out = append(out, c)
		}
	}
	return checkRows(out)
}
