package web

import (
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/labstack/echo/v4"

	"github.com/wifwiz/wifwiz/store"
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
	ctx := c.Request().Context()
	query := strings.TrimSpace(c.QueryParam("q"))
	total, err := s.cfg.Store.CountConnections(ctx, store.ListFilter{})
	if err != nil {
		return err
	}
	filter := store.ListFilter{Query: query}
	matched := total
	if query != "" {
		if matched, err = s.cfg.Store.CountConnections(ctx, filter); err != nil {
			return err
		}
	}
	page := pageParam(c, matched)
	filter.Limit, filter.Offset = connectionsPerPage, (page-1)*connectionsPerPage
	rows, err := s.cfg.Store.ListConnectionsBrief(ctx, filter)
	if err != nil {
		return err
	}
	return render(c, http.StatusOK, views.ConnectionsPage(views.ConnectionsModel{Query: query, Rows: connectionRows(rows),
		Total: total, Matched: matched, Page: page, PerPage: connectionsPerPage}))
}

// pageParam reads ?page=, 1-based, clamped to the pages there are.
func pageParam(c echo.Context, matched int) int {
	page, err := strconv.Atoi(c.QueryParam("page"))
	last := max(1, (matched+connectionsPerPage-1)/connectionsPerPage)
	if err != nil || page < 1 {
		return 1
	}
	return min(page, last)
}

func connectionRows(ls []store.Listed) []views.ConnectionRow {
	rows := make([]views.ConnectionRow, len(ls))
	for i, l := range ls {
		rows[i] = views.ConnectionRow{ID: l.ID, Name: l.Name, Issuer: l.IssuerURL, Status: l.Status(), Demo: l.Demo}
		if l.LastRun != nil {
			rows[i].LastVerified, rows[i].Summary = l.LastRun.At, l.LastRun.Summary
		}
	}
	return rows
}

func (s *Server) handleConnectionNew(c echo.Context) error {
	setNav(c, "new")
	return render(c, http.StatusOK, views.NewConnectionPage(views.NewConnectionModel{}))
}

// maxNameLength bounds connection names so that lists and exports stay readable.
const maxNameLength = 100

func validateName(name string) string {
	switch n := utf8.RuneCountInString(name); {
	case n == 0:
		return "Enter a name for the connection, such as the workload it serves (nightly-batch)."
	case n > maxNameLength:
		return fmt.Sprintf("The name is %d characters long; shorten it to %d or fewer.", n, maxNameLength)
	}
	return ""
}

func (s *Server) handleConnectionCreate(c echo.Context) error {
	setNav(c, "new")
	name := strings.TrimSpace(c.FormValue("name"))
	if msg := validateName(name); msg != "" {
		return render(c, http.StatusUnprocessableEntity, views.NewConnectionPage(views.NewConnectionModel{Name: name, Errors: map[string]string{"name": msg}}))
	}
	conn := &wif.Connection{Name: name}
	if err := s.cfg.Store.CreateConnection(c.Request().Context(), conn, actor); err != nil {
		if fields := wif.ErrorFields(err); fields != nil {
			return render(c, http.StatusUnprocessableEntity, views.NewConnectionPage(views.NewConnectionModel{Name: name, Errors: fields}))
		}
		return err
	}
	return c.Redirect(http.StatusSeeOther, connectionPath(conn.ID))
}

func connectionPath(id int64) string { return "/connections/" + strconv.FormatInt(id, 10) }

// connectionParam reads the :id parameter; a malformed one is a 404 like an unknown one.
func (s *Server) connectionParam(c echo.Context) (*wif.Connection, error) {
	id, err := strconv.ParseInt(c.Param("id"), 10, 64)
	if err != nil {
		return nil, echo.ErrNotFound
	}
	return s.cfg.Store.GetConnection(c.Request().Context(), id)
}
