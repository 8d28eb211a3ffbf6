package web

import (
	"net/http"
	"slices"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/wifwiz/wifwiz/audit"
	"github.com/wifwiz/wifwiz/wif"
	"github.com/wifwiz/wifwiz/workload"
)

// handleExport downloads the environment block in one format, or the hand-off checklist, and
// records the export in the connection's timeline.
func (s *Server) handleExport(c echo.Context) error {
	conn, err := s.connectionParam(c)
	if err != nil {
		return err
	}
	format := c.QueryParam("format")
	if !slices.Contains(audit.ExportFormats(), format) {
		return echo.NewHTTPError(http.StatusBadRequest, "Choose an export format: "+strings.Join(audit.ExportFormats(), ", ")+".")
	}
	ctx := c.Request().Context()
	text, err := audit.Export(ctx, s.cfg.Store, *conn, format, s.cfg.Now())
	if err != nil {
		return err
	}
	if err := s.cfg.Store.AddEvent(ctx, &wif.Event{ConnectionID: conn.ID, Kind: wif.EventExported, Actor: actor, Detail: format + " download"}); err != nil {
		return err
	}
	h := c.Response().Header()
	h.Set(echo.HeaderContentDisposition, `attachment; filename="`+workload.FileName(*conn, format)+`"`)
	h.Set("Cache-Control", "no-store")
	return c.Blob(http.StatusOK, exportContentType(format), []byte(text))
}

func exportContentType(format string) string {
	switch format {
	case workload.FormatMarkdown:
		return "text/markdown; charset=utf-8"
	case workload.FormatK8s, "refresh-k8s-sidecar":
		return "application/yaml; charset=utf-8"
	}
	return echo.MIMETextPlainCharsetUTF8
}
