package web

import (
	"fmt"
	"net/http"
	"strconv"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/wifwiz/wifwiz/actions"
	"github.com/wifwiz/wifwiz/redact"
	"github.com/wifwiz/wifwiz/verify"
	"github.com/wifwiz/wifwiz/views"
	"github.com/wifwiz/wifwiz/wif"
	"github.com/wifwiz/wifwiz/workload"
)

func (s *Server) handleConnectionShow(c echo.Context) error {
	conn, err := s.connectionParam(c)
	if err != nil {
		return err
	}
	return s.renderConnection(c, http.StatusOK, conn, "")
}

func (s *Server) renderConnection(c echo.Context, status int, conn *wif.Connection, verifyError string) error {
	ctx := c.Request().Context()
	runs, err := s.app.RunSummaries(ctx, conn.ID, 50)
	if err != nil {
		return err
	}
	events, err := s.app.Events(ctx, conn.ID)
	if err != nil {
		return err
	}
	ref, _ := shownSecretRef(*conn)
	m := views.ConnectionModel{Connection: *conn, Status: actions.ConnectionStatus(conn.Step, runs), Settings: settingRows(*conn, nil),
		Runs: runRows(runs), Events: eventRows(*conn, events), NeedsSecret: !s.app.HasUsableSecret(*conn), SecretRef: ref,
		VerifyError: verifyError, Exports: exportLinks(*conn), Ready: actions.BothSides(conn.Step)}
	if conn.Step < stepCount {
		next := min(conn.Step+1, stepCount)
		m.Next = &views.NextStep{N: next, Title: stepTitles[next]}
	}
	return render(c, status, views.ConnectionPage(m))
}

// handleConnectionVerify runs one manual verification. The secret comes from the connection's
// reference, else from the form for this run only; it is never stored or rendered.
func (s *Server) handleConnectionVerify(c echo.Context) error {
	conn, err := s.connectionParam(c)
	if err != nil {
		return err
	}
	secret := strings.TrimSpace(c.FormValue("client_secret"))
	if secret == "" && !s.app.HasUsableSecret(*conn) {
		return s.renderConnection(c, http.StatusUnprocessableEntity, conn,
			"Enter the client secret: it is in the provider's edit form in authentik (Client Secret). It is used for this run only.")
	}
	v, err := s.app.VerifyAndRecord(c.Request().Context(), actions.VerifyRequest{Connection: *conn, Secret: secret,
		UseStoredSecret: true, Trigger: wif.TriggerManual, Actor: actorOf(c)})
	if wif.ErrorCode(err) == wif.EINVALID {
		return s.renderConnection(c, http.StatusUnprocessableEntity, conn, err.Error())
	}
	if err != nil {
		return err
	}
	return c.Redirect(http.StatusSeeOther, runPath(conn.ID, v.Run.ID))
}

func runPath(connID, runID int64) string {
	return fmt.Sprintf("/connections/%d/runs/%d", connID, runID)
}

func (s *Server) handleRunShow(c echo.Context) error {
	conn, err := s.connectionParam(c)
	if err != nil {
		return err
	}
	id, err := strconv.ParseInt(c.Param("run"), 10, 64)
	if err != nil {
		return echo.ErrNotFound
	}
	rec, err := s.app.Run(c.Request().Context(), conn.ID, id)
	if err != nil {
		return err
	}
	run, rep := rec.Run, rec.Report
	m := views.RunModel{ConnectionID: conn.ID, ConnectionName: conn.Name, Run: runRow(run), Drift: driftRows(run.Drift), Report: reportView(*conn, run, rep)}
	if rep.Token != nil {
		m.TokenField, m.Fingerprint = rep.Token.Field, rep.Token.SHA256
		now := s.app.Now()
		m.Header, m.Claims = claimRows(rep.Token.Header, headerOrder, now), claimRows(rep.Token.Claims, claimOrder, now)
	}
	return render(c, http.StatusOK, views.RunPage(m))
}

func runRow(r wif.Run) views.RunRow {
	return views.RunRow{ID: r.ID, At: r.At, Trigger: string(r.Trigger), OK: r.OK, Sample: r.Trigger == wif.TriggerSample,
		Summary: r.Summary, Drift: len(r.Drift), Href: runPath(r.ConnectionID, r.ID)}
}

func runRows(runs []wif.Run) []views.RunRow {
	rows := make([]views.RunRow, len(runs))
	for i, r := range runs {
		rows[i] = runRow(r)
	}
	return rows
}

func driftRows(ds []wif.Drift) []views.DriftRow {
	rows := make([]views.DriftRow, len(ds))
	for i, d := range ds {
		rows[i] = views.DriftRow{Kind: d.Kind, Before: d.Before, After: d.After, Message: d.Message}
	}
	return rows
}

// eventRows are the timeline. An edit's detail quotes values from → to: anything in it that
// looks like a token, or the current secret reference when it may be a pasted secret, is hidden.
func eventRows(conn wif.Connection, events []wif.Event) []views.EventRow {
	_, malformed := shownSecretRef(conn)
	rows := make([]views.EventRow, len(events))
	for i, e := range events {
		detail := redact.Tokens(e.Detail)
		if malformed {
			detail = strings.ReplaceAll(detail, conn.SecretRef, "[hidden]")
		}
		rows[i] = views.EventRow{At: e.At, Kind: e.Kind, Actor: e.Actor, Detail: detail}
		if p, ok := wif.ParseActor(e.Actor); ok {
			rows[i].Actor, rows[i].ActorSub = p.Name, p.Subject
		}
	}
	return rows
}

// looksLikeToken catches a signed token or an API key pasted into a setting by mistake: it is
// never echoed.
func looksLikeToken(v string) bool { return wif.LooksLikeAPIKey(v) || redact.LooksLikeToken(v) }

// longSettings are shown collapsed.
var longSettings = map[string]bool{wif.FieldCAPEM: true, wif.FieldInlineJWKS: true}

// settingRows lists every recorded setting; verdicts (by field name) come from the last run.
func settingRows(conn wif.Connection, verdicts map[string]verify.Status) []views.SettingRow {
	rows := make([]views.SettingRow, len(wif.Fields))
	for i, f := range wif.Fields {
		v := f.Get(conn)
		row := views.SettingRow{Name: f.Name, Label: f.Label, Value: v, Long: longSettings[f.Name]}
		if f.Name == wif.FieldSecretRef {
			row.Value, _ = shownSecretRef(conn)
			if row.Value == "" && v != "" {
				row.Hidden = "recorded but not shown: it is not of the form env:NAME or file:/path"
			}
		} else if looksLikeToken(v) {
			row.Value, row.Hidden = "", workload.Redacted
		}
		if st, ok := verdicts[f.Name]; ok {
			row.Verdict = string(st)
		}
		row.Mark, row.Words = workload.Mark(verify.Status(row.Verdict)), workload.MarkWords(verify.Status(row.Verdict))
		rows[i] = row
	}
	return rows
}

// shownSecretRef is the connection's secret reference when it is safe to show: a malformed one
// may be the secret itself, pasted by mistake.
func shownSecretRef(conn wif.Connection) (ref string, malformed bool) {
	if conn.SecretRef == "" {
		return "", false
	}
	if looksLikeToken(conn.SecretRef) || wif.ValidateProvider(conn).Has(wif.FieldSecretRef) {
		return "", true
	}
	return conn.SecretRef, false
}

// exportLabels name the environment block's formats and the hand-off checklist; the token
// refresh setups carry their own names.
var exportLabels = map[string]string{
	workload.FormatShell:              "Environment · shell",
	workload.FormatDotenv:             "Environment · .env",
	workload.FormatK8s:                "Environment · Kubernetes",
	workload.FormatSystemd:            "Environment · systemd EnvironmentFile",
	workload.FormatMarkdown:           "Hand-off checklist · Markdown",
	workload.FormatAuthentikBlueprint: "authentik · blueprint YAML",
	workload.FormatAuthentikTerraform: "authentik · Terraform",
}

// exportLinks are conn's downloads, each named by what it is and by the file it gives.
func exportLinks(conn wif.Connection) []views.ExportLink {
	var out []views.ExportLink
	for _, f := range workload.ExportFormats() {
		label := exportLabels[f]
		if name, ok := workload.RefreshSetupName(strings.TrimPrefix(f, "refresh-")); label == "" && ok {
			label = "Token refresh · " + name
		}
		if label == "" {
			label = f
		}
		out = append(out, views.ExportLink{Format: f, Label: label, FileName: workload.FileName(conn, f),
			Action: connectionPath(conn.ID) + "/export"})
	}
	return out
}
