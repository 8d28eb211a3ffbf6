package web

import (
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/wifwiz/wifwiz/views"
	"github.com/wifwiz/wifwiz/wif"
	"github.com/wifwiz/wifwiz/workload"
)

// formatLabels are the tab names of the environment block's formats.
var formatLabels = map[string]string{
	"shell":   "Shell",
	"dotenv":  ".env",
	"k8s":     "Kubernetes",
	"systemd": "systemd",
}

func (s *Server) renderWorkload(c echo.Context, status int, conn *wif.Connection, m views.StepModel, last lastRun) error {
	wm := views.WorkloadModel{StepModel: m, Verified: verifiedState(last), Authentik: providerDownloads(conn.ID)}
	for _, f := range workload.Formats() {
		if f == "markdown" {
			continue
		}
		content, err := workload.Render(*conn, f, s.app.WorkloadOptions())
		if err != nil {
			return err
		}
		label := formatLabels[f]
		if label == "" {
			label = f
		}
		wm.Blocks = append(wm.Blocks, views.EnvBlock{Format: f, Label: label, FileName: workload.FileName(*conn, f),
			Content: content, Download: connectionPath(conn.ID) + "/export"})
	}
	for _, r := range workload.RefreshSetups(*conn, s.app.WorkloadOptions()) {
		wm.Refresh = append(wm.Refresh, views.RefreshSetup{Name: r.Name, Format: "refresh-" + r.ID, Filename: r.Filename,
			Content: r.Content, Download: connectionPath(conn.ID) + "/export"})
	}
	return render(c, status, views.WorkloadStep(wm))
}

// verifiedState is what step 6 says of the last run: none that judged both sides, one older
// than the settings, a failure, or a pass.
func verifiedState(last lastRun) string {
	switch {
	case last.run == nil || last.sample():
		return views.VerifiedNever
	case last.stale():
		return views.VerifiedStale
	case !last.run.OK:
		return views.VerifiedFailed
	}
	return views.VerifiedPassed
}

// handleWizardFinish marks the last step done and opens the connection.
func (s *Server) handleWizardFinish(c echo.Context) error {
	conn, err := s.connectionParam(c)
	if err != nil {
		return err
	}
	if err := s.app.MarkStep(c.Request().Context(), *conn, stepWorkload, actorOf(c)); err != nil {
		return err
	}
	return c.Redirect(http.StatusSeeOther, connectionPath(conn.ID))
}

// handleDemoCreate creates a connection pre-filled for the built-in demo issuer.
func (s *Server) handleDemoCreate(c echo.Context) error {
	if s.cfg.Demo == nil {
		return echo.ErrNotFound
	}
	conn, err := s.app.CreateDemoConnection(c.Request().Context(), s.cfg.Demo.Connection(), actorOf(c))
	if err != nil {
		return err
	}
	return c.Redirect(http.StatusSeeOther, wizardPath(conn.ID, stepBasics))
}
