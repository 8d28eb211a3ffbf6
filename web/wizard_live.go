package web

import (
	"context"
	"net/http"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/wifwiz/wifwiz/probe"
	"github.com/wifwiz/wifwiz/secretref"
	"github.com/wifwiz/wifwiz/verify"
	"github.com/wifwiz/wifwiz/views"
	"github.com/wifwiz/wifwiz/wif"
)

// verifyTimeout bounds one live verification started from a page (each request has its own 10 s).
const verifyTimeout = 45 * time.Second

// sampleFields are the step 3 inputs that are stored; the client secret is read separately.
var sampleFields = []string{wif.FieldSecretRef, wif.FieldScope, wif.FieldTokenField, wif.FieldTokenURL, wif.FieldCAPEM}

// lastRun is a connection's newest run and its decoded report; both nil when there is none.
// A wizard page reads it once and hands it to the progress indicator and the step.
type lastRun struct {
	run *wif.Run
	rep *verify.Report
}

func (s *Server) lastReport(ctx context.Context, id int64) (lastRun, error) {
	runs, err := s.cfg.Store.ListRuns(ctx, id, 1)
	if err != nil || len(runs) == 0 {
		return lastRun{}, err
	}
	rep, err := probe.DecodeReport(runs[0])
	if err != nil {
		return lastRun{}, err
	}
	return lastRun{&runs[0], &rep}, nil
}

// secretFor is the typed secret, else the one the connection's reference points to.
func (s *Server) secretFor(c echo.Context, conn *wif.Connection) (string, string) {
	if typed := c.FormValue("client_secret"); typed != "" {
		return typed, ""
	}
	if conn.SecretRef == "" {
		return "", "Enter the client secret from the provider's edit form in authentik, or record where it lives (env:NAME or file:/path)."
	}
	secret, err := secretref.Resolve(conn.SecretRef, s.cfg.Getenv)
	if err != nil {
		return "", "Enter the client secret: the recorded reference does not resolve here (" + err.Error() + ")."
	}
	return secret, ""
}

func (s *Server) secretResolves(conn *wif.Connection) bool {
	if conn.SecretRef == "" {
		return false
	}
	_, err := secretref.Resolve(conn.SecretRef, s.cfg.Getenv)
	return err == nil
}

// bindSample stores step 3's settings; the secret is never part of them.
func bindSample(conn *wif.Connection, v formValues) wif.FieldErrors {
	conn.SecretRef, conn.Scope, conn.TokenField = v[wif.FieldSecretRef], v[wif.FieldScope], v[wif.FieldTokenField]
	conn.TokenURL, conn.CAPEM = v[wif.FieldTokenURL], v[wif.FieldCAPEM]
	return wif.ValidateProvider(*conn)
}

// prepareSample binds and saves step 3's settings and resolves the secret. On a problem it has
// already rendered the page (with the typed values, never the secret) and returns ok=false.
func (s *Server) prepareSample(c echo.Context, conn *wif.Connection) (secret string, ok bool, err error) {
	stored := *conn
	values := readForm(c, sampleFields...)
	conn.Version = formVersion(c)
	fe := bindSample(conn, values)
	if len(fe) == 0 {
		var conflict string
		if fe, conflict, err = s.saveStep(c, conn, stepSample); err != nil {
			return "", false, err
		}
		if conflict != "" {
			return "", false, s.renderStep(c, http.StatusConflict, &stored, stepSample, values, nil, conflict)
		}
	}
	if len(fe) == 0 {
		var msg string
		if secret, msg = s.secretFor(c, conn); msg != "" {
			fe = wif.FieldErrors{"client_secret": msg}
		}
	}
	if len(fe) > 0 {
		stored.Version = conn.Version
		return "", false, s.renderStep(c, http.StatusUnprocessableEntity, &stored, stepSample, values, fe, "")
	}
	return secret, true, nil
}

// handleSampleToken runs the live check without JavaScript: the request waits, then redirects.
func (s *Server) handleSampleToken(c echo.Context, conn *wif.Connection) error {
	secret, ok, err := s.prepareSample(c, conn)
	if !ok {
		return err
	}
	if _, err := s.verifyAndRecord(c.Request().Context(), liveRun{conn: conn, secret: secret}); err != nil {
		if wif.ErrorCode(err) == wif.EINVALID {
			return s.renderSampleError(c, conn, err)
		}
		return err
	}
	return c.Redirect(http.StatusSeeOther, wizardPath(conn.ID, stepSample))
}

func (s *Server) renderSampleError(c echo.Context, conn *wif.Connection, err error) error {
	last, lerr := s.lastReport(c.Request().Context(), conn.ID)
	if lerr != nil {
		return lerr
	}
	f := frame(conn, stepSample, last)
	m := views.SampleModel{StepModel: views.StepModel{Frame: f, Values: stepValues(conn, stepSample)}, Error: err.Error(), HasSecret: s.secretResolves(conn)}
	return render(c, http.StatusUnprocessableEntity, views.SampleStep(m))
}

// liveRun is one verification started from a page.
type liveRun struct {
	conn     *wif.Connection
	secret   string
	exchange bool
	trigger  wif.Trigger     // empty: wizard
	progress func(probeStep) // optional
}

// verifyAndRecord runs one verification with its own deadline (the request may end first) and
// stores it as a run of the connection.
func (s *Server) verifyAndRecord(ctx context.Context, r liveRun) (*wif.Run, error) {
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), verifyTimeout)
	defer cancel()
	in := probe.Input{Connection: *r.conn, Secret: r.secret, Exchange: r.exchange}
	if r.progress != nil {
		in.Progress = progressAdapter(r.progress)
	}
	rep, err := s.cfg.Runner.Verify(ctx, in)
	if err != nil {
		// The connection cannot be verified as recorded (an unreadable CA, a malformed validity).
		return nil, &wif.Error{Code: wif.EINVALID, Message: err.Error()}
	}
	if r.trigger == "" {
		r.trigger = wif.TriggerWizard
	}
	return probe.Record(ctx, s.cfg.Store, *r.conn, rep, r.trigger, actor)
}

func (s *Server) renderSample(c echo.Context, status int, conn *wif.Connection, m views.StepModel, last lastRun) error {
	sm := views.SampleModel{StepModel: m, HasSecret: s.secretResolves(conn)}
	if last.rep != nil {
		sm.Result = sampleResult(*last.run, *last.rep, conn.Step >= stepConsole, s.cfg.Now())
	}
	return render(c, status, views.SampleStep(sm))
}

func (s *Server) handleReportRerun(c echo.Context, conn *wif.Connection) error {
	secret, msg := s.secretFor(c, conn)
	if msg != "" {
		return s.renderStep(c, http.StatusUnprocessableEntity, conn, stepReport, stepValues(conn, stepReport), wif.FieldErrors{"client_secret": msg}, "")
	}
	if _, err := s.verifyAndRecord(c.Request().Context(), liveRun{conn: conn, secret: secret, exchange: c.FormValue("exchange") == "1"}); err != nil {
		return err
	}
	if conn.Step < stepReport {
		conn.Step = stepReport
		if err := s.cfg.Store.UpdateConnection(c.Request().Context(), conn, actor); err != nil && wif.ErrorCode(err) != wif.ECONFLICT {
			return err
		}
	}
	return c.Redirect(http.StatusSeeOther, wizardPath(conn.ID, stepReport))
}

func (s *Server) renderReport(c echo.Context, status int, conn *wif.Connection, m views.StepModel, last lastRun) error {
	run, rep := last.run, last.rep
	rm := views.ReportModel{StepModel: m, HasSecret: s.secretResolves(conn), NoRun: rep == nil}
	if rep != nil {
		rm.RunAt, rm.OK, rm.Summary = run.At.Format("2006-01-02 15:04:05 UTC"), rep.OK, run.Summary
		rm.Checks = checkRows(rep.Checks)
		rm.Lifetimes = lifetimeBars(*conn, *rep)
		rm.Stale = run.At.Before(conn.UpdatedAt)
	}
	return render(c, status, views.ReportStep(rm))
}

func checkRows(checks []verify.Check) []views.CheckRow {
	rows := make([]views.CheckRow, len(checks))
	for i, ch := range checks {
		rows[i] = views.CheckRow{ID: ch.ID, Status: string(ch.Status), Expected: ch.Expected, Actual: ch.Actual, Message: ch.Message, Fix: ch.Fix}
	}
	return rows
}
