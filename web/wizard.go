package web

import (
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/wifwiz/wifwiz/actions"
	"github.com/wifwiz/wifwiz/views"
	"github.com/wifwiz/wifwiz/wif"
)

// The wizard's steps (README.md). Each step saves on submit and can be revisited.
const (
	stepBasics   = actions.StepBasics
	stepProvider = actions.StepProvider
	stepSample   = actions.StepSample
	stepConsole  = actions.StepConsole
	stepReport   = actions.StepReport
	stepWorkload = actions.StepWorkload
	stepCount    = actions.StepCount
)

var stepTitles = [stepCount + 1]string{"", "Basics", "authentik provider", "Sample token", "Anthropic Console", "Verification report", "Workload configuration"}

func wizardPath(id int64, step int) string {
	return fmt.Sprintf("/connections/%d/wizard/%d", id, step)
}

// handleWizardResume sends the user to the first step not yet saved.
func (s *Server) handleWizardResume(c echo.Context) error {
	conn, err := s.connectionParam(c)
	if err != nil {
		return err
	}
	return c.Redirect(http.StatusSeeOther, wizardPath(conn.ID, min(conn.Step+1, stepCount)))
}

func stepParam(c echo.Context) (int, error) {
	n, err := strconv.Atoi(c.Param("step"))
	if err != nil || n < stepBasics || n > stepCount {
		return 0, echo.ErrNotFound
	}
	return n, nil
}

// frame builds the progress indicator: complete, failed, current or incomplete per step. The
// sample token step turns red for authentik's failures only; the report step follows the last
// run only when that run judged both sides with the settings recorded now.
func frame(conn *wif.Connection, current int, last lastRun) views.WizardFrame {
	f := views.WizardFrame{ConnectionID: conn.ID, Name: conn.Name, Demo: conn.Demo, Current: current, Version: conn.Version}
	var sampleFailed, reportFailed, reportPassed bool
	if rep := last.rep; rep != nil {
		// The sample token step turns red for authentik's failures only (and a recorded mode the
		// token contradicts), never for the Console's.
		_, sampleFailed = sampleProblems(*conn, *rep, false)
		sampleFailed = sampleFailed && !last.stale()
		judged := !last.stale() && !last.sample() && conn.Step >= stepConsole
		reportFailed, reportPassed = judged && !rep.OK, judged && rep.OK
	}
	for n := stepBasics; n <= stepCount; n++ {
		st := views.StepIncomplete
		switch {
		case n == stepSample && sampleFailed && conn.Step >= n, n == stepReport && reportFailed:
			st = views.StepFailed
		case n == stepReport:
			if reportPassed {
				st = views.StepComplete
			}
		case conn.Step >= n:
			st = views.StepComplete
		}
		f.Steps = append(f.Steps, views.WizardStep{N: n, Title: stepTitles[n], State: st, Href: wizardPath(conn.ID, n)})
	}
	return f
}

// frame is frame with, on steps 3 to 5, the live check still running for the connection: a
// reloaded page shows it instead of inviting a second request.
func (s *Server) frame(conn *wif.Connection, current int, last lastRun) views.WizardFrame {
	f := frame(conn, current, last)
	switch current {
	case stepSample:
		f.Running = s.runningCheck(conn.ID, stepSample)
	case stepConsole, stepReport:
		f.Running = s.runningCheck(conn.ID, stepReport)
	}
	return f
}

// formValues keeps what the user typed so a page re-rendered with errors loses nothing.
type formValues map[string]string

func readForm(c echo.Context, names ...string) formValues {
	v := formValues{}
	for _, n := range names {
		v[n] = strings.TrimSpace(c.FormValue(n))
	}
	return v
}

// formVersion is the version of the connection the form was rendered from (optimistic locking).
func formVersion(c echo.Context) int {
	v, _ := strconv.Atoi(c.FormValue("version"))
	return v
}

// saveStep saves a step's edit of stored: edited carries the bound form and the version the form
// was rendered from. Field errors and a conflict come back in the result, never as an overwrite.
func (s *Server) saveStep(c echo.Context, stored, edited *wif.Connection, step int, bindErrs wif.FieldErrors) (actions.StepSaved, error) {
	return s.app.SaveStep(c.Request().Context(), actions.StepEdit{Stored: *stored, Edited: *edited, Step: step,
		BindErrors: bindErrs, Actor: actorOf(c)})
}

func secondsValue(d time.Duration) string {
	if d == 0 {
		return ""
	}
	return strconv.FormatInt(int64(d/time.Second), 10)
}

func parseSeconds(fe wif.FieldErrors, field, label, v string) time.Duration {
	if v == "" {
		return 0
	}
	d, err := wif.ParseLifetime(v)
	if err != nil {
		fe.Add(field, fmt.Sprintf("%s: %v.", label, err))
	}
	return d
}

func redirectTo(c echo.Context, path string, query url.Values) error {
	if len(query) > 0 {
		path += "?" + query.Encode()
	}
	return c.Redirect(http.StatusSeeOther, path)
}
