package web

import (
	"errors"
	"net/http"
	"strconv"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/wifwiz/wifwiz/actions"
	"github.com/wifwiz/wifwiz/views"
	"github.com/wifwiz/wifwiz/wif"
)

// Live checks started from the wizard (a sample token, "Save and verify", "Run the checks") run
// as jobs on actions.Jobs, not on the request: a reload or a closed tab does not cancel them, and
// the step pages show a running check (with its progress) instead of inviting a second request.

// startCheck starts a live check for the connection, or joins the one already running for it.
func (s *Server) startCheck(req actions.VerifyRequest) (*actions.CheckJob, error) {
	if job := s.app.Jobs().RunningCheck(req.Connection.ID); job != nil {
		return job, nil
	}
	return s.app.StartCheck(req)
}

// checkAndWait starts (or joins) a live check and waits for it to end, for a browser without
// JavaScript. gone is true when the client left first: the check goes on, and its page shows it.
func (s *Server) checkAndWait(c echo.Context, req actions.VerifyRequest) (p actions.CheckProgress, gone bool, err error) {
	job, err := s.startCheck(req)
	if err != nil {
		return p, false, err
	}
	select {
	case <-job.Done():
		return job.Progress(), false, nil
	case <-c.Request().Context().Done():
		return p, true, nil
	}
}

// checkProblem is the message of a check that could not run for a reason the person can act on
// (nothing usable to verify with, a refused reference, too many checks at once), and the field
// it belongs to; "" for an internal error.
func checkProblem(err error) (msg, field string) {
	var se *actions.SecretError
	switch {
	case err == nil:
		return "", ""
	case errors.As(err, &se):
		field = "client_secret"
		if strings.Contains(se.Message, "Console token") {
			field = "console_token"
		}
		return se.Message, field
	case wif.ErrorCode(err) == wif.EINVALID, wif.ErrorCode(err) == wif.EBUSY:
		return webWording(err.Error()), "client_secret"
	}
	return "", ""
}

// pollPath is where a page polls a check's progress; then is the step its result is shown on.
func pollPath(job *actions.CheckJob, then int) string {
	return "/jobs/" + job.ID + "?then=" + strconv.Itoa(then)
}

// resultStep is the step a finished check's poll sends the page to: the one it asked for, else
// the sample token's.
func resultStep(c echo.Context) int {
	if n, err := strconv.Atoi(c.QueryParam("then")); err == nil && (n == stepSample || n == stepReport) {
		return n
	}
	return stepSample
}

// runningCheck is the check running for the connection, as a step page shows it; nil when none.
func (s *Server) runningCheck(connID int64, then int) *views.RunningCheck {
	job := s.app.Jobs().RunningCheck(connID)
	if job == nil {
		return nil
	}
	return &views.RunningCheck{PollURL: pollPath(job, then), Steps: progressSteps(job.Progress()), Since: relative(job.Started.Sub(s.app.Now()))}
}

// renderProgress answers a form that joined the check already running for the connection (a
// second request while one runs) with that check's progress, for htmx.
func (s *Server) renderProgress(c echo.Context, job *actions.CheckJob, then int) error {
	return render(c, http.StatusOK, views.Progress(pollPath(job, then), progressSteps(job.Progress()), true))
}

// resultPath is the step showing a finished check's run. The run's ID makes it a new address, so
// that the browser opens the result at its top rather than restoring the scroll position of the
// page the check was started from.
func resultPath(p actions.CheckProgress, step int) string {
	return wizardPath(p.ConnectionID, step) + "?run=" + strconv.FormatInt(p.RunID, 10)
}
