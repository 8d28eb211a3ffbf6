package web

import (
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/wifwiz/wifwiz/actions"
)

// handleExport downloads the environment block in one format, a token refresh setup or the
// hand-off checklist, and records the export in the connection's timeline. It is a POST: a GET
// never writes.
func (s *Server) handleExport(c echo.Context) error {
	conn, err := s.connectionParam(c)
	if err != nil {
		return err
	}
	exp, err := s.app.Export(c.Request().Context(), actions.ExportRequest{Connection: *conn,
		Format: c.FormValue("format"), Actor: actorOf(c), Via: "download"})
	if err != nil {
		return err
	}
	h := c.Response().Header()
	h.Set(echo.HeaderContentDisposition, `attachment; filename="`+exp.FileName+`"`)
	h.Set("Cache-Control", "no-store")
	return c.Blob(http.StatusOK, exp.ContentType, []byte(exp.Body))
}
