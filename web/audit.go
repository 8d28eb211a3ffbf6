package web

import "github.com/labstack/echo/v4"

// auditRoutes registers the audit, hand-off and export pages.
func (s *Server) auditRoutes(e *echo.Echo) {}
