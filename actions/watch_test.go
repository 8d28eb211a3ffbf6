package actions_test

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jonboulle/clockwork"

	"github.com/wifwiz/wifwiz/actions"
	"github.com/wifwiz/wifwiz/alert"
	"github.com/wifwiz/wifwiz/authentik/emulator"
	"github.com/wifwiz/wifwiz/probe"
	"github.com/wifwiz/wifwiz/secretref"
	"github.com/wifwiz/wifwiz/store"
	"github.com/wifwiz/wifwiz/testenv"
	"github.com/wifwiz/wifwiz/verify"
	"github.com/wifwiz/wifwiz/webhook"
	"github.com/wifwiz/wifwiz/wif"
)

// receiver is a webhook on loopback that records what it gets; fail says, for the n-th request
// (1-based), which status to answer instead of 200.
type receiver struct {
	*httptest.Server
	mu     sync.Mutex
	bodies map[string][][]byte // by path
	n      int
	fail   func(n int) int
}

func newReceiver(t *testing.T, fail func(n int) int) *receiver {
	r := &receiver{bodies: map[string][][]byte{}, fail: fail}
	r.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		b, _ := io.ReadAll(req.Body)
		r.mu.Lock()
		r.n++
		n := r.n
		r.bodies[req.URL.Path] = append(r.bodies[req.URL.Path], b)
		r.mu.Unlock()
		if r.fail != nil {
			if st := r.fail(n); st != 0 {
				w.WriteHeader(st)
				return
			}
		}
		w.WriteHeader(http.StatusNoContent)
	}))
	t.Cleanup(r.Close)
	return r
}

func (r *receiver) got(path string) [][]byte {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([][]byte(nil), r.bodies[path]...)
}

// attempts collects the deliverer's recorded attempts.
type attempts chan wif.AlertDelivery

func (a attempts) next(t *testing.T) wif.AlertDelivery {
	t.Helper()
	select {
	case d := <-a:
		return d
	case <-time.After(30 * time.Second): // a failsafe against a hang, not a timing assertion
		t.Fatal("no delivery attempt")
	}
	return wif.AlertDelivery{}
}

func sender(t *testing.T) *webhook.Sender {
	s, err := webhook.New(nil)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

type watchEnv struct {
	db    *store.DB
	svc   *actions.Service
	clock *clockwork.FakeClock
	conn  wif.Connection
	emu   *emulator.Emulator
	slug  string
}

func newWatchEnv(t *testing.T) *watchEnv {
	emu := testenv.Start(t)
	p := testenv.Provider(t, emu, "watched")
	db, _ := testenv.OpenStore(t)
	conn := testenv.Create(t, db, testenv.Connection(t, emu, p, "watched", testenv.SecretEnv(p)))
	clock := clockwork.NewFakeClockAt(time.Now())
	svc := testenv.Service(t, db, &probe.Runner{ExtraCA: emu.CAPEM()}, testenv.ServiceOptions{
		Env: map[string]string{testenv.SecretEnv(p): p.ClientSecret}, ResolveAnyRef: true, Clock: clock, Now: time.Now})
	return &watchEnv{db: db, svc: svc, clock: clock, conn: conn, emu: emu, slug: p.Slug}
}

func (w *watchEnv) verify(t *testing.T) *actions.Verified {
	t.Helper()
	v, err := w.svc.VerifyAndRecord(context.Background(), actions.VerifyRequest{Connection: w.conn, UseStoredSecret: true, Trigger: wif.TriggerManual})
	if err != nil {
		t.Fatal(err)
	}
	return v
}

// TestAlertsOncePerStateChange: a loopback receiver gets exactly one alert per state change and
// webhook — pass → fail when authentik rotates its key under the Console's inline JWKS, and
// fail → pass when the JWKS is updated — in the documented generic and Slack payloads; a
// repeated failure and repeated passes send nothing.
func TestAlertsOncePerStateChange(t *testing.T) {
	w := newWatchEnv(t)
	rcv := newReceiver(t, nil)
	seen := make(attempts, 16)
	err := w.svc.StartAlertDelivery(actions.DeliveryOptions{Sender: sender(t), PublicURL: "https://wifwiz.example/",
		Targets: []wif.AlertTarget{{URL: rcv.URL + "/generic", Format: wif.WebhookGeneric}, {URL: rcv.URL + "/slack", Format: wif.WebhookSlack}},
		Observe: func(d wif.AlertDelivery) { seen <- d }})
	if err != nil {
		t.Fatal(err)
	}
	w.verify(t)
	w.verify(t)
	if err := w.emu.RotateKey(w.slug); err != nil {
		t.Fatal(err)
	}
	failing := w.verify(t)
	if failing.Report.OK {
		t.Fatal("the run after the key rotation passed; the test needs it to fail")
	}
	for range 2 {
		if d := seen.next(t); d.State != wif.DeliveryDelivered || d.AlertKind != wif.AlertFailing || d.Attempts != 1 {
			t.Errorf("delivery %+v, want the failing alert delivered at the first attempt", d)
		}
	}
	w.verify(t) // fails again: no alert
	w.conn.InlineJWKS = testenv.JWKS(t, w.emu, w.slug)
	if err := w.db.UpdateConnection(context.Background(), &w.conn, "test"); err != nil {
		t.Fatal(err)
	}
	if v := w.verify(t); !v.Report.OK {
		t.Fatalf("with the new JWKS: %s", v.Run.Summary)
	}
	for range 2 {
		if d := seen.next(t); d.AlertKind != wif.AlertRecovered || d.State != wif.DeliveryDelivered {
			t.Errorf("delivery %+v, want the recovered alert", d)
		}
	}
	w.verify(t) // passes again: no alert
	// Everything recorded has been delivered: a third alert would be in the log.
	log, err := w.svc.AlertDeliveries(context.Background(), 100)
	if err != nil {
		t.Fatal(err)
	}
	if len(log) != 4 {
		t.Fatalf("%d deliveries recorded, want 4 (2 state changes × 2 webhooks): %+v", len(log), log)
	}
	generic, slack := rcv.got("/generic"), rcv.got("/slack")
	if len(generic) != 2 || len(slack) != 2 {
		t.Fatalf("the receiver got %d generic and %d Slack alerts, want 2 each", len(generic), len(slack))
	}
	var p alert.Payload
	if err := json.Unmarshal(generic[0], &p); err != nil {
		t.Fatal(err)
	}
	wantURL := "https://wifwiz.example/connections/" + itoa(w.conn.ID) + "/runs/" + itoa(failing.Run.ID)
	if p.Version != 1 || p.Kind != "failing" || p.Connection != "watched" || p.OK || p.PreviousOK == nil || !*p.PreviousOK ||
		p.ReportURL != wantURL || p.RunID != failing.Run.ID || p.Trigger != "manual" {
		t.Errorf("generic failing payload: %s", generic[0])
	}
	if !hasCheck(p, "header.kid") || !hasDrift(p, "kid") {
		t.Errorf("the failing payload lacks the failing header.kid check or the kid drift: %s", generic[0])
	}
	var s struct{ Text string }
	if err := json.Unmarshal(slack[0], &s); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"*watched* is failing", "`header.kid`", "*Fix:*", "<" + wantURL + "|Open the report>"} {
		if !strings.Contains(s.Text, want) {
			t.Errorf("Slack text lacks %q:\n%s", want, s.Text)
		}
	}
	var rec alert.Payload
	if err := json.Unmarshal(generic[1], &rec); err != nil || rec.Kind != "recovered" || !rec.OK || len(rec.FailingChecks) != 0 {
		t.Errorf("generic recovered payload: %s (%v)", generic[1], err)
	}
}

func hasCheck(p alert.Payload, id string) bool {
	for _, c := range p.FailingChecks {
		if c.ID == id && c.Fix != "" && c.Message != "" {
			return true
		}
	}
	return false
}

func hasDrift(p alert.Payload, kind string) bool {
	for _, d := range p.Drift {
		if d.Kind == kind && d.Before != d.After {
			return true
		}
	}
	return false
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

// TestFailingReceiverIsRetried: a receiver answering 500 is retried after a backoff that doubles
// (on the fake clock), the log shows each attempt, and a delivery that never succeeds is failed
// after the last attempt.
func TestFailingReceiverIsRetried(t *testing.T) {
	db, _ := testenv.OpenStore(t)
	clock := clockwork.NewFakeClock()
	svc := testenv.Service(t, db, &probe.Runner{}, testenv.ServiceOptions{Clock: clock})
	flaky := newReceiver(t, func(n int) int {
		if n <= 2 {
			return http.StatusInternalServerError
		}
		return 0
	})
	down := newReceiver(t, func(int) int { return http.StatusBadGateway })
	seen := make(attempts, 16)
	if _, err := svc.AddAlertWebhook(context.Background(), flaky.URL+"/hook", wif.WebhookGeneric, "browser"); err != nil {
		t.Fatal(err)
	}
	err := svc.StartAlertDelivery(actions.DeliveryOptions{Sender: sender(t), MaxAttempts: 3, Backoff: 10 * time.Second,
		Targets: []wif.AlertTarget{{URL: down.URL + "/down", Format: wif.WebhookSlack}},
		Observe: func(d wif.AlertDelivery) { seen <- d }})
	if err != nil {
		t.Fatal(err)
	}
	if err := svc.SendTestAlert(context.Background()); err != nil {
		t.Fatal(err)
	}
	byTarget := map[string][]wif.AlertDelivery{}
	record := func(d wif.AlertDelivery) { byTarget[d.Label] = append(byTarget[d.Label], d) }
	record(seen.next(t))
	record(seen.next(t))
	for _, wait := range []time.Duration{10 * time.Second, 20 * time.Second} {
		if err := clock.BlockUntilContext(testContext(t), 1); err != nil {
			t.Fatal(err)
		}
		clock.Advance(wait)
		record(seen.next(t))
		record(seen.next(t))
	}
	flakyLog, downLog := byTarget[wif.AlertTarget{URL: flaky.URL}.Label()], byTarget[wif.AlertTarget{URL: down.URL, Format: wif.WebhookSlack}.Label()]
	if len(flakyLog) != 3 || len(downLog) != 3 {
		t.Fatalf("attempts: %+v", byTarget)
	}
	if d := flakyLog[0]; d.State != wif.DeliveryPending || d.LastStatus != 500 || d.LastError != "the webhook answered HTTP 500" {
		t.Errorf("first attempt: %+v", d)
	}
	if d := flakyLog[2]; d.State != wif.DeliveryDelivered || d.Attempts != 3 || d.LastStatus != 204 {
		t.Errorf("third attempt: %+v, want delivered after 3 attempts", d)
	}
	if d := downLog[2]; d.State != wif.DeliveryFailed || d.Attempts != 3 || d.LastStatus != 502 {
		t.Errorf("a receiver that never accepts: %+v, want failed after 3 attempts", d)
	}
	log, err := svc.AlertDeliveries(context.Background(), 10)
	if err != nil || len(log) != 2 {
		t.Fatalf("log %+v %v", log, err)
	}
	for _, d := range log {
		if d.Attempts != 3 || d.AlertKind != wif.AlertTest || strings.Contains(d.Label, "/hook") {
			t.Errorf("logged delivery %+v", d)
		}
	}
}

func testContext(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	t.Cleanup(cancel)
	return ctx
}

// TestScheduleAudits: the schedule audits at once when it never ran, then every period on the
// fake clock, one audit at a time, recording runs with the schedule trigger.
func TestScheduleAudits(t *testing.T) {
	w := newWatchEnv(t)
	done := make(chan actions.AuditOutcome, 4)
	err := w.svc.StartAuditSchedule(actions.ScheduleOptions{Every: time.Hour, Clock: w.clock,
		Rand: func(time.Duration) int64 { return 0 }, Done: func(o actions.AuditOutcome) { done <- o }})
	if err != nil {
		t.Fatal(err)
	}
	first := nextAudit(t, done)
	if first.Summary.Passed != 1 {
		t.Fatalf("first scheduled audit: %+v", first.Summary)
	}
	if err := w.clock.BlockUntilContext(testContext(t), 1); err != nil {
		t.Fatal(err)
	}
	st, ok := w.svc.AuditSchedule()
	if !ok || st.Running || st.Every != time.Hour || !st.Next.Equal(w.clock.Now().Add(time.Hour)) {
		t.Fatalf("schedule status %+v", st)
	}
	w.clock.Advance(time.Hour)
	second := nextAudit(t, done)
	job, err := w.svc.AuditJob(context.Background(), second.JobID)
	if err != nil || job.Trigger != wif.TriggerSchedule || job.State != wif.AuditDone || job.Actor != actions.ScheduleActor {
		t.Fatalf("second audit job %+v %v", job, err)
	}
	runs, err := w.db.ListRunSummaries(context.Background(), w.conn.ID, 0)
	if err != nil || len(runs) != 2 || runs[0].Trigger != wif.TriggerSchedule {
		t.Fatalf("runs %+v %v", runs, err)
	}
}

func nextAudit(t *testing.T, done chan actions.AuditOutcome) actions.AuditOutcome {
	t.Helper()
	select {
	case o := <-done:
		return o
	case <-time.After(60 * time.Second): // a failsafe against a hang
		t.Fatal("no scheduled audit finished")
	}
	return actions.AuditOutcome{}
}

// TestScheduleAfterRestart: a scheduled audit cut short by a stop is stored as interrupted, and
// the schedule of the next process starts a new audit at once, naming the one it replaces —
// never lost silently. A schedule whose last audit finished waits for the rest of its period.
func TestScheduleAfterRestart(t *testing.T) {
	ctx := context.Background()
	db, _ := testenv.OpenStore(t)
	testenv.Create(t, db, wif.Connection{Name: "one", IssuerURL: "https://auth.example.com/application/o/one/", SecretRef: "env:WIFWIZ_SECRET_X"})
	secrets := secretref.Resolver{Getenv: testenv.Env(map[string]string{"WIFWIZ_SECRET_X": "s"})}
	clock := clockwork.NewFakeClock()
	zero := func(time.Duration) int64 { return 0 }

	jobs1 := actions.NewJobs(actions.JobLimits{})
	v := blocking{entered: make(chan struct{}, 1)}
	svc1 := actions.New(actions.Deps{Store: db, Verifier: v, Jobs: jobs1, Secrets: secrets, Clock: clock})
	if err := svc1.StartAuditSchedule(actions.ScheduleOptions{Every: time.Hour, Rand: zero}); err != nil {
		t.Fatal(err)
	}
	<-v.entered // the scheduled audit is verifying when the process stops
	if err := jobs1.Shutdown(ctx); err != nil {
		t.Fatal(err)
	}
	cut, err := db.LatestAuditJobOf(ctx, wif.TriggerSchedule)
	if err != nil || cut == nil || cut.State != wif.AuditInterrupted {
		t.Fatalf("the stopped scheduled audit: %+v %v; want it stored as interrupted", cut, err)
	}
	if _, err := db.InterruptRunningAuditJobs(ctx); err != nil { // as serve does at start
		t.Fatal(err)
	}

	jobs2 := actions.NewJobs(actions.JobLimits{})
	t.Cleanup(func() { _ = jobs2.Shutdown(ctx) })
	done := make(chan actions.AuditOutcome, 1)
	svc2 := actions.New(actions.Deps{Store: db, Verifier: passing{}, Jobs: jobs2, Secrets: secrets, Clock: clock})
	if err := svc2.StartAuditSchedule(actions.ScheduleOptions{Every: time.Hour, Rand: func(n time.Duration) int64 { return int64(n) - 1 },
		Done: func(o actions.AuditOutcome) { done <- o }}); err != nil {
		t.Fatal(err)
	}
	again := nextAudit(t, done) // without advancing the clock: at once
	if again.JobID == cut.ID || again.Summary.Total != 1 {
		t.Fatalf("the audit after the restart: %+v", again)
	}
	if st, _ := svc2.AuditSchedule(); st.Resumed != cut.ID {
		t.Fatalf("the schedule does not name the interrupted audit it replaced: %+v", st)
	}

	// A third process, after that audit finished: the next is due an hour after it started.
	jobs3 := actions.NewJobs(actions.JobLimits{})
	t.Cleanup(func() { _ = jobs3.Shutdown(ctx) })
	svc3 := actions.New(actions.Deps{Store: db, Verifier: passing{}, Jobs: jobs3, Secrets: secrets, Clock: clock})
	if err := svc3.StartAuditSchedule(actions.ScheduleOptions{Every: time.Hour, Rand: zero}); err != nil {
		t.Fatal(err)
	}
	if err := clock.BlockUntilContext(testContext(t), 2); err != nil { // svc2's and svc3's waits
		t.Fatal(err)
	}
	last, _ := db.LatestAuditJobOf(ctx, wif.TriggerSchedule)
	if st, _ := svc3.AuditSchedule(); st.Running || !st.Next.Equal(last.StartedAt.Add(time.Hour)) {
		t.Fatalf("third process: %+v, want the next audit an hour after %v", st, last.StartedAt)
	}
}

// passing verifies every connection with a passing, empty report.
type passing struct{}

func (p passing) Verify(ctx context.Context, req wif.ProbeRequest) (verify.Report, error) {
	return p.Batch()(ctx, req)
}

func (passing) Batch() actions.VerifyFunc {
	return func(ctx context.Context, req wif.ProbeRequest) (verify.Report, error) {
		return verify.Report{StartedAt: time.Now(), OK: true}, nil
	}
}

func (passing) CurrentJWKS(context.Context, wif.Connection) (string, error) { return "", nil }
