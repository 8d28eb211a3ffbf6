package web

import (
	"net/http"
	"strconv"

	"github.com/labstack/echo/v4"

	"github.com/wifwiz/wifwiz/actions"
	"github.com/wifwiz/wifwiz/views"
	"github.com/wifwiz/wifwiz/wif"
)

// handleSampleJob starts the live check for htmx and answers with the polling progress fragment.
func (s *Server) handleSampleJob(c echo.Context) error {
	conn, err := s.connectionParam(c)
	if err != nil {
		return err
	}
	secret, ok, err := s.prepareSample(c, conn)
	if !ok {
		// The full step page with its errors replaces the page's main content.
		c.Response().Header().Set("HX-Retarget", "main")
		c.Response().Header().Set("HX-Reselect", "main")
		c.Response().Header().Set("HX-Reswap", "outerHTML")
		return err
	}
	job, err := s.startCheck(actions.VerifyRequest{Connection: *conn, Secret: secret, UseStoredSecret: true, Actor: actorOf(c)})
	if wif.ErrorCode(err) == wif.EBUSY {
		// htmx swaps only a 2xx answer: the refusal is shown where the progress would be.
		return render(c, http.StatusOK, views.Progress("", []views.ProgressStep{{Name: "check", Status: "failed", Detail: err.Error()}}, false))
	}
	if err != nil {
		return err
	}
	return s.renderProgress(c, job, stepSample)
}

func progressSteps(p actions.CheckProgress) []views.ProgressStep {
	out := make([]views.ProgressStep, len(p.Steps))
	for i, st := range p.Steps {
		out[i] = views.ProgressStep{Name: st.Name, Status: st.Status, Detail: st.Detail}
	}
	return out
}

// handleJobPoll returns the progress, or tells htmx to load the result page when done.
func (s *Server) handleJobPoll(c echo.Context) error {
	job := s.app.Jobs().Check(c.Param("job"))
	if job == nil {
		return echo.ErrNotFound
	}
	p := job.Progress()
	steps := progressSteps(p)
	then := resultStep(c)
	if p.Done && p.Err == nil {
		c.Response().Header().Set("HX-Redirect", resultPath(p, then))
		return render(c, http.StatusOK, views.Progress("", steps, false))
	}
	if p.Done {
		msg, _ := checkProblem(p.Err)
		if msg == "" {
			s.log.Error("live check", "connection", p.ConnectionID, "err", p.Err)
			msg = "Internal error."
		}
		steps = append(steps, views.ProgressStep{Name: "check", Status: "failed", Detail: msg})
	}
	return render(c, http.StatusOK, views.Progress("/jobs/"+c.Param("job")+"?then="+strconv.Itoa(then), steps, !p.Done))
}
