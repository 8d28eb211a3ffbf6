package web

import (
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/wifwiz/wifwiz/views"
	"github.com/wifwiz/wifwiz/wif"
	"github.com/wifwiz/wifwiz/workload"
)

var formatLabels = map[string]string{
	"shell":   "Shell (export)",
	"dotenv":  "dotenv (.env)",
	"k8s":     "Kubernetes (container env)",
	"systemd": "systemd (EnvironmentFile)",
}

func (s *Server) renderWorkload(c echo.Context, status int, conn *wif.Connection, m views.StepModel, last lastRun) error {
	wm := views.WorkloadModel{StepModel: m, Verified: last.run != nil && last.run.OK, Authentik: providerDownloads(conn.ID)}
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
		wm.Blocks = append(wm.Blocks, views.EnvBlock{Format: f, Label: label, Content: content,
			Download: connectionPath(conn.ID) + "/export"})
	}
	for _, r := range workload.RefreshSetups(*conn, s.app.WorkloadOptions()) {
		wm.Refresh = append(wm.Refresh, views.RefreshSetup{Name: r.Name, Format: "refresh-" + r.ID, Filename: r.Filename,
			Content: r.Content, Download: connectionPath(conn.ID) + "/export"})
	}
	return render(c, status, views.WorkloadStep(wm))
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
