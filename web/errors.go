package web

import (
	"errors"
	"net/http"

	"github.com/a-h/templ"
	"github.com/labstack/echo/v4"

	"github.com/wifwiz/wifwiz/views"
	"github.com/wifwiz/wifwiz/wif"
)

// statusOf maps an error code to its HTTP status.
func statusOf(code string) int {
	switch code {
	case wif.EINVALID:
		return http.StatusUnprocessableEntity
	case wif.ENOTFOUND:
		return http.StatusNotFound
	case wif.ECONFLICT:
		return http.StatusConflict
	case wif.EBUSY:
		return http.StatusServiceUnavailable
	case wif.EREADONLY:
		return http.StatusForbidden
	}
	return http.StatusInternalServerError
}

var statusTitles = map[int]string{
	http.StatusBadRequest:            "Bad request",
	http.StatusForbidden:             "Forbidden",
	http.StatusNotFound:              "Page not found",
	http.StatusMethodNotAllowed:      "Method not allowed",
	http.StatusConflict:              "Changed elsewhere",
	http.StatusUnprocessableEntity:   "Check your input",
	http.StatusRequestEntityTooLarge: "Too large",
	http.StatusServiceUnavailable:    "Busy",
	http.StatusInternalServerError:   "Internal error",
}

// handleError renders every error as a page. Internal errors are logged and shown as
// "Internal error." so that nothing internal leaks.
func (s *Server) handleError(err error, c echo.Context) {
	if c.Response().Committed {
		return
	}
	status, msg := s.describe(err, c)
	title := statusTitles[status]
	if title == "" {
		title = http.StatusText(status)
	}
	if c.Request().Method == http.MethodHead {
		c.NoContent(status)
		return
	}
	if rerr := render(c, status, views.ErrorPage(status, title, msg)); rerr != nil {
		s.log.Error("render error page", "err", rerr)
	}
}

func (s *Server) describe(err error, c echo.Context) (int, string) {
	var he *echo.HTTPError
	if errors.As(err, &he) {
		msg, _ := he.Message.(string)
		if he.Code == http.StatusNotFound {
			msg = "There is nothing at " + c.Request().URL.Path + ". Check the address, or go back to the connections."
		}
		return he.Code, msg
	}
	code := wif.ErrorCode(err)
	if code == wif.EINTERNAL {
		s.log.Error("internal error", "method", c.Request().Method, "path", c.Request().URL.Path, "err", err)
		return http.StatusInternalServerError, "Internal error."
	}
	return statusOf(code), err.Error()
}

// render writes a templ component with the given status.
func render(c echo.Context, status int, comp templ.Component) error {
	c.Response().Header().Set(echo.HeaderContentType, echo.MIMETextHTMLCharsetUTF8)
	c.Response().WriteHeader(status)
	return comp.Render(c.Request().Context(), c.Response())
}
