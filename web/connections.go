package web

import (
	"fmt"
	"net/http"
	"strconv"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/wifwiz/wifwiz/actions"
	"github.com/wifwiz/wifwiz/views"
	"github.com/wifwiz/wifwiz/wif"
)

func setNav(c echo.Context, nav string) {
	req := c.Request()
	m := views.MetaFrom(req.Context())
	m.Nav = nav
	c.SetRequest(req.WithContext(views.WithMeta(req.Context(), m)))
}

// connectionsPerPage bounds the list page: past a few dozen rows a person searches instead,
// and a page of 1,000 rows cost 28 ms of CPU (docs/benchmarks.md).
const connectionsPerPage = 50

func (s *Server) handleConnectionIndex(c echo.Context) error {
	setNav(c, "connections")
	query := strings.TrimSpace(c.QueryParam("q"))
	n, _ := strconv.Atoi(c.QueryParam("page"))
	page, err := s.app.ListConnections(c.Request().Context(), query, n, connectionsPerPage)
	if err != nil {
		return err
	}
	return render(c, http.StatusOK, views.ConnectionsPage(views.ConnectionsModel{Query: query, Rows: connectionRows(page.Rows),
		Total: page.Total, Matched: page.Matched, Page: page.Page, PerPage: connectionsPerPage}))
}

func connectionRows(ls []wif.ConnectionSummary) []views.ConnectionRow {
	rows := make([]views.ConnectionRow, len(ls))
	for i, l := range ls {
		rows[i] = views.ConnectionRow{ID: l.ID, Name: l.Name, Issuer: l.IssuerURL, Status: actions.StatusOf(l.Step, l.LastRun), Demo: l.Demo}
		switch {
		case !actions.BothSides(l.Step):
			next := min(l.Step+1, stepCount)
			rows[i].SetupAt = fmt.Sprintf("step %d of %d, %s", next, stepCount, stepTitles[next])
		case l.LastRun != nil && l.LastRun.Trigger != wif.TriggerSample:
			rows[i].LastVerified, rows[i].Summary = l.LastRun.At, l.LastRun.Summary
		}
	}
	return rows
}

func (s *Server) handleConnectionNew(c echo.Context) error {
	setNav(c, "new")
	return render(c, http.StatusOK, views.NewConnectionPage(views.NewConnectionModel{}))
}

func (s *Server) handleConnectionCreate(c echo.Context) error {
	setNav(c, "new")
	name := strings.TrimSpace(c.FormValue("name"))
	conn, fe, err := s.app.CreateConnection(c.Request().Context(), name, actorOf(c))
	if err != nil {
		return err
	}
	if len(fe) > 0 {
		return render(c, http.StatusUnprocessableEntity, views.NewConnectionPage(views.NewConnectionModel{Name: name, Errors: fe}))
	}
	return c.Redirect(http.StatusSeeOther, wizardPath(conn.ID, stepBasics))
}

func connectionPath(id int64) string { return "/connections/" + strconv.FormatInt(id, 10) }

// connectionParam reads the :id parameter; a malformed one is a 404 like an unknown one.
func (s *Server) connectionParam(c echo.Context) (*wif.Connection, error) {
	id, err := strconv.ParseInt(c.Param("id"), 10, 64)
	if err != nil {
		return nil, echo.ErrNotFound
	}
	return s.app.Connection(c.Request().Context(), id)
}
