package web

import (
	"errors"

	"github.com/labstack/echo/v4"

	"github.com/wifwiz/wifwiz/views"
	"github.com/wifwiz/wifwiz/wif"
)

func (s *Server) renderSample(c echo.Context, status int, conn *wif.Connection, m views.StepModel) error {
	return errors.New("not built yet")
}

func (s *Server) renderConsole(c echo.Context, status int, conn *wif.Connection, m views.StepModel) error {
	return errors.New("not built yet")
}

func (s *Server) renderReport(c echo.Context, status int, conn *wif.Connection, m views.StepModel) error {
	return errors.New("not built yet")
}

func (s *Server) renderWorkload(c echo.Context, status int, conn *wif.Connection, m views.StepModel) error {
	return errors.New("not built yet")
}

func (s *Server) handleSampleToken(c echo.Context, conn *wif.Connection) error {
	return errors.New("not built yet")
}

func (s *Server) handleReportRerun(c echo.Context, conn *wif.Connection) error {
	return errors.New("not built yet")
}
