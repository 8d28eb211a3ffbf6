package web

import (
	"context"
	"net/http"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/wifwiz/wifwiz/actions"
	"github.com/wifwiz/wifwiz/verify"
	"github.com/wifwiz/wifwiz/views"
	"github.com/wifwiz/wifwiz/wif"
)

// sampleFields are the step 3 inputs that are stored; the client secret is read separately.
// The extra CA is recorded on the provider step, where the admin API read needs it first.
var sampleFields = []string{wif.FieldSecretRef, wif.FieldScope, wif.FieldTokenField, wif.FieldTokenURL}

// lastRun is a connection's newest run and its decoded report; both nil when there is none.
// A wizard page reads it once and hands it to the progress indicator and the step.
type lastRun struct {
	run *wif.Run
	rep *verify.Report
	// changedAt is when the settings were last recorded; a run before it judged other settings.
	changedAt time.Time
}

// stale says the settings changed after the run: its verdicts are not the connection's.
func (l lastRun) stale() bool { return l.run != nil && l.run.At.Before(l.changedAt) }

// sample says the run is the sample token's, made before the Console settings existed.
func (l lastRun) sample() bool { return l.run != nil && l.run.Trigger == wif.TriggerSample }

func (s *Server) lastReport(ctx context.Context, id int64) (lastRun, error) {
	rec, err := s.app.LastRun(ctx, id)
	if err != nil || rec == nil {
		return lastRun{}, err
	}
	changed, _, err := s.app.SettingsChangedAt(ctx, id)
	if err != nil {
		return lastRun{}, err
	}
	return lastRun{&rec.Run, &rec.Report, changed}, nil
}

// typedSecret is the client secret typed for this run; "" when none was typed. An empty one with
// no usable secret reference is a field error.
func (s *Server) typedSecret(c echo.Context, conn *wif.Connection) (string, string) {
	if typed := strings.TrimSpace(c.FormValue("client_secret")); typed != "" {
		return typed, ""
	}
	if s.app.HasUsableSecret(*conn) {
		return "", ""
	}
	if conn.SecretRef == "" {
		return "", "Enter the client secret from the provider's edit form in authentik, or record where it lives (" + s.app.SecretPolicy().Describe() + ")."
	}
	return "", "Enter the client secret: the recorded secret reference cannot be used here."
}

// bindSample puts step 3's settings on conn; the secret is never part of them.
func bindSample(conn *wif.Connection, v formValues) {
	conn.SecretRef, conn.Scope, conn.TokenField = v[wif.FieldSecretRef], v[wif.FieldScope], v[wif.FieldTokenField]
	conn.TokenURL = v[wif.FieldTokenURL]
}

// prepareSample binds and saves step 3's settings and reads the typed secret ("" to use the
// recorded reference). On a problem it has already rendered the page (with the typed values,
// never the secret) and returns ok=false.
func (s *Server) prepareSample(c echo.Context, conn *wif.Connection) (secret string, ok bool, err error) {
	stored := *conn
	edited := *conn
	edited.Version = formVersion(c)
	values := readForm(c, sampleFields...)
	bindSample(&edited, values)
	saved, err := s.saveStep(c, &stored, &edited, stepSample, nil)
	switch {
	case err != nil:
		return "", false, err
	case saved.Conflict != "":
		return "", false, s.renderStep(c, http.StatusConflict, &stored, stepSample, values, nil, saved.Conflict)
	}
	fe := saved.Fields
	if len(fe) == 0 {
		*conn = saved.Connection
		var msg string
		if secret, msg = s.typedSecret(c, conn); msg != "" {
			fe = wif.FieldErrors{"client_secret": msg}
		}
	}
	if len(fe) > 0 {
		stored.Version = conn.Version
		return "", false, s.renderStep(c, http.StatusUnprocessableEntity, &stored, stepSample, values, fe, "")
	}
	return secret, true, nil
}

// handleSampleToken runs the live check without JavaScript: the request waits for the check (a
// job, so that a reload shows it running), then redirects to its result.
func (s *Server) handleSampleToken(c echo.Context, conn *wif.Connection) error {
	secret, ok, err := s.prepareSample(c, conn)
	if !ok {
		return err
	}
	p, gone, err := s.checkAndWait(c, actions.VerifyRequest{Connection: *conn, Secret: secret, UseStoredSecret: true, Actor: actorOf(c)})
	if err == nil {
		err = p.Err
	}
	switch msg, _ := checkProblem(err); {
	case gone:
		return nil
	case msg != "":
		return s.renderSampleError(c, conn, err)
	case err != nil:
		return err
	}
	return c.Redirect(http.StatusSeeOther, resultPath(p, stepSample))
}

func (s *Server) renderSampleError(c echo.Context, conn *wif.Connection, err error) error {
	last, lerr := s.lastReport(c.Request().Context(), conn.ID)
	if lerr != nil {
		return lerr
	}
	msg, _ := checkProblem(err)
	m := views.SampleModel{StepModel: views.StepModel{Frame: s.frame(conn, stepSample, last), Values: stepValues(conn, stepSample)}, Error: msg,
		HasSecret: s.app.HasUsableSecret(*conn), SecretPlaces: s.app.SecretPolicy().Describe()}
	if untrustedCA(msg) {
		m.Diagnosis = &caDiagnosis(*conn).view
	}
	return render(c, http.StatusUnprocessableEntity, views.SampleStep(m))
}

func (s *Server) renderSample(c echo.Context, status int, conn *wif.Connection, m views.StepModel, last lastRun) error {
	sm := views.SampleModel{StepModel: m, HasSecret: s.app.HasUsableSecret(*conn), SecretPlaces: s.app.SecretPolicy().Describe()}
	if last.rep != nil {
		d := diagnose(*conn, *last.rep)
		sm.Result = sampleResult(*conn, *last.run, *last.rep, conn.Step >= stepConsole, s.app.Now(), d)
		switch {
		case last.stale(): // what the token showed stays; the verdicts on other settings go
			sm.Result.Stale = &views.StaleRun{RunAt: utcTime(last.run.At), ChangedAt: utcTime(last.changedAt), Href: runPath(conn.ID, last.run.ID)}
			sm.Result.Failed, sm.Result.OK = nil, true
		case d != nil && !sm.Result.OK:
			sm.Diagnosis = &d.view
		}
	}
	return render(c, status, views.SampleStep(sm))
}

// verifyForm is what a verification is asked with: a secret and a Console token typed for this
// run only, and whether to exchange the token with Anthropic.
type verifyForm struct {
	secret, consoleToken string
	exchange             bool
}

func (s *Server) handleReportRerun(c echo.Context, conn *wif.Connection) error {
	vf := verifyForm{secret: strings.TrimSpace(c.FormValue("client_secret")), exchange: c.FormValue("exchange") == "1",
		consoleToken: strings.TrimSpace(c.FormValue("console_token"))}
	if _, msg := s.typedSecret(c, conn); msg != "" {
		return s.renderStep(c, http.StatusUnprocessableEntity, conn, stepReport, stepValues(conn, stepReport), wif.FieldErrors{"client_secret": msg}, "")
	}
	return s.verifyAndShow(c, conn, vf, func(field, msg string) error {
		return s.renderStep(c, http.StatusUnprocessableEntity, conn, stepReport, stepValues(conn, stepReport), wif.FieldErrors{field: msg}, "")
	})
}

// verifyAndShow verifies conn as recorded and shows the report; a check that could not run for a
// reason the person can act on is shown by refused, with the field it concerns.
func (s *Server) verifyAndShow(c echo.Context, conn *wif.Connection, vf verifyForm, refused func(field, msg string) error) error {
	p, gone, err := s.checkAndWait(c, actions.VerifyRequest{Connection: *conn, Secret: vf.secret, UseStoredSecret: true,
		Exchange: vf.exchange, Actor: actorOf(c), Credentials: actions.Credentials{ConsoleToken: vf.consoleToken}})
	if err == nil {
		err = p.Err
	}
	switch msg, field := checkProblem(err); {
	case gone:
		return nil
	case msg != "":
		return refused(field, msg)
	case err != nil:
		return err
	}
	if err := s.app.MarkStep(c.Request().Context(), *conn, stepReport, actorOf(c)); err != nil {
		return err
	}
	return c.Redirect(http.StatusSeeOther, resultPath(p, stepReport))
}

// renderReport shows the last run's report, unless that run predates the settings it would
// judge (its verdicts are then withheld) or is the sample token's (it judged one side only).
func (s *Server) renderReport(c echo.Context, status int, conn *wif.Connection, m views.StepModel, last lastRun) error {
	rm := views.ReportModel{StepModel: m, HasSecret: s.app.HasUsableSecret(*conn), TokenStored: s.app.HasConsoleToken(*conn)}
	switch {
	case last.run == nil:
	case last.stale():
		rm.Stale = &views.StaleRun{RunAt: utcTime(last.run.At), ChangedAt: utcTime(last.changedAt), Href: runPath(conn.ID, last.run.ID)}
	case last.sample():
		rm.Pending = true
	default:
		rv := reportView(*conn, *last.run, *last.rep)
		rv.Lifetimes = lifetimeBars(*conn, *last.rep)
		rm.Report = &rv
		rm.Mismatches = mismatchesOf(conn, last)
	}
	return render(c, status, views.ReportStep(rm))
}

func checkRows(checks []verify.Check) []views.CheckRow {
	rows := make([]views.CheckRow, len(checks))
	for i, ch := range checks {
		rows[i] = views.CheckRow{ID: ch.ID, Status: string(ch.Status), Expected: ch.Expected, Actual: webWording(ch.Actual),
			Message: webWording(ch.Message), Fix: webWording(ch.Fix)}
	}
	return rows
}
