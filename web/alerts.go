package web

import (
	"net/http"
	"strconv"

	"github.com/labstack/echo/v4"

	"github.com/wifwiz/wifwiz/views"
	"github.com/wifwiz/wifwiz/wif"
)

// deliveriesShown bounds the delivery log on the alerts page.
const deliveriesShown = 50

func (s *Server) alertRoutes(e *echo.Echo) {
	e.GET("/settings/alerts", s.handleAlerts)
	e.POST("/settings/alerts/webhooks", s.handleWebhookAdd)
	e.POST("/settings/alerts/webhooks/:id/delete", s.handleWebhookDelete)
	e.POST("/settings/alerts/test", s.handleTestAlert)
}

func (s *Server) handleAlerts(c echo.Context) error {
	m := views.AlertsPageModel{}
	switch c.QueryParam("done") {
	case "added":
		m.Notice = "Webhook added."
	case "added-url":
		m.Notice = "Webhook added."
		m.StoredURL = true
	case "removed":
		m.Notice = "Webhook removed."
	case "test":
		m.Notice = "A test alert is on its way to every webhook: its deliveries appear below."
	}
	return s.renderAlerts(c, http.StatusOK, m)
}

func (s *Server) renderAlerts(c echo.Context, status int, m views.AlertsPageModel) error {
	setNav(c, "alerts")
	ctx := c.Request().Context()
	targets, err := s.app.AlertTargets(ctx)
	if err != nil {
		return err
	}
	for _, t := range targets {
		row := views.WebhookRow{ID: t.ID, Label: t.Label(), Format: t.Format, AddedBy: t.AddedBy}
		if p, ok := wif.ParseActor(t.AddedBy); ok {
			row.AddedBy = p.Name
		}
		m.Webhooks = append(m.Webhooks, row)
	}
	log, err := s.app.AlertDeliveries(ctx, deliveriesShown)
	if err != nil {
		return err
	}
	for _, d := range log {
		m.Deliveries = append(m.Deliveries, deliveryRow(d))
	}
	m.PublicURL = s.cfg.PublicURL
	m.RefHint = s.app.SecretPolicy().Describe()
	return render(c, status, views.AlertsPage(m))
}

var deliveryBadges = map[string]string{wif.DeliveryDelivered: wif.StatusVerified, wif.DeliveryFailed: wif.StatusFailing,
	wif.DeliveryPending: wif.StatusDrifted}

func deliveryRow(d wif.AlertDelivery) views.DeliveryRow {
	row := views.DeliveryRow{At: utcTime(d.AlertAt), Kind: string(d.AlertKind),
		Connection: d.ConnectionName, Webhook: d.Label, State: d.State, Badge: deliveryBadges[d.State], Attempts: d.Attempts}
	switch {
	case d.LastError != "":
		row.Detail = d.LastError
	case d.LastStatus != 0:
		row.Detail = "HTTP " + strconv.Itoa(d.LastStatus)
	}
	if d.State == wif.DeliveryPending && d.Attempts > 0 {
		row.Detail += " · next attempt " + d.NextAt.UTC().Format("15:04:05 UTC")
	}
	return row
}

func (s *Server) handleWebhookAdd(c echo.Context) error {
	url, format := c.FormValue("url"), c.FormValue("format")
	t, err := s.app.AddAlertWebhook(c.Request().Context(), url, format, actorOf(c))
	if err != nil {
		if code := wif.ErrorCode(err); code == wif.EINVALID || code == wif.ECONFLICT {
			m := views.AlertsPageModel{Error: err.Error(), Fields: wif.ErrorFields(err), Format: format}
			// A URL that was refused is not shown again (its path may be its credential); a
			// reference is no secret and is kept to be corrected.
			if (code == wif.EINVALID && m.Fields["url"] == "") || t.Ref != "" {
				m.URL = url
			}
			return s.renderAlerts(c, http.StatusUnprocessableEntity, m)
		}
		return err
	}
	if t.StoresPath() {
		return c.Redirect(http.StatusSeeOther, "/settings/alerts?done=added-url")
	}
	return c.Redirect(http.StatusSeeOther, "/settings/alerts?done=added")
}

func (s *Server) handleWebhookDelete(c echo.Context) error {
	id, err := strconv.ParseInt(c.Param("id"), 10, 64)
	if err != nil {
		return echo.ErrNotFound
	}
	if err := s.app.DeleteAlertWebhook(c.Request().Context(), id); err != nil {
		return err
	}
	// The row, and who added it, are gone: the log keeps who removed it.
	s.log.Info("alert webhook removed", "webhook", id, "by", actorOf(c))
	return c.Redirect(http.StatusSeeOther, "/settings/alerts?done=removed")
}

func (s *Server) handleTestAlert(c echo.Context) error {
	if err := s.app.SendTestAlert(c.Request().Context()); err != nil {
		if wif.ErrorCode(err) == wif.EINVALID {
			return s.renderAlerts(c, http.StatusUnprocessableEntity, views.AlertsPageModel{Error: err.Error()})
		}
		return err
	}
	return c.Redirect(http.StatusSeeOther, "/settings/alerts?done=test")
}

// handleReady answers 200 when the database takes a write and has no migration pending, else 503.
func (s *Server) handleReady(c echo.Context) error {
	if err := s.app.Ready(c.Request().Context()); err != nil {
		s.log.Error("not ready", "error", err.Error())
		return c.JSON(http.StatusServiceUnavailable, map[string]string{"status": "not ready", "reason": "the database is not ready; see the server's log"})
	}
	return c.JSON(http.StatusOK, map[string]string{"status": "ready"})
}
