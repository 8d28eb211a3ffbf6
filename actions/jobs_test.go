package actions_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/wifwiz/wifwiz/actions"
	"github.com/wifwiz/wifwiz/secretref"
	"github.com/wifwiz/wifwiz/testenv"
	"github.com/wifwiz/wifwiz/verify"
	"github.com/wifwiz/wifwiz/wif"
)

func TestJobsRefuseBeyondTheLimit(t *testing.T) {
	jobs := actions.NewJobs(actions.JobLimits{MaxRunning: 2})
	release := make(chan struct{})
	for range 2 {
		if err := jobs.Go("hold", func(context.Context) { <-release }); err != nil {
			t.Fatal(err)
		}
	}
	err := jobs.Go("third", func(context.Context) {})
	if wif.ErrorCode(err) != wif.EBUSY {
		t.Fatalf("a third job: %v, want an EBUSY error", err)
	}
	close(release)
	if err := jobs.Shutdown(context.Background()); err != nil {
		t.Fatal(err)
	}
	if n := jobs.Running(); n != 0 {
		t.Fatalf("%d jobs still running after shutdown", n)
	}
}

func TestJobsShutdownCancelsAndDrains(t *testing.T) {
	jobs := actions.NewJobs(actions.JobLimits{})
	started, ended := make(chan struct{}), make(chan error, 1)
	if err := jobs.Go("wait", func(ctx context.Context) {
		close(started)
		<-ctx.Done()
		ended <- ctx.Err()
	}); err != nil {
		t.Fatal(err)
	}
	<-started
	if err := jobs.Shutdown(context.Background()); err != nil {
		t.Fatal(err)
	}
	select {
	case err := <-ended:
		if !errors.Is(err, context.Canceled) {
			t.Fatalf("the job's context ended with %v, want cancelled", err)
		}
	default:
		t.Fatal("Shutdown returned before the job ended")
	}
	if err := jobs.Go("late", func(context.Context) {}); wif.ErrorCode(err) != wif.EBUSY {
		t.Fatalf("a job after shutdown: %v, want refused", err)
	}
}

func TestJobsShutdownDeadline(t *testing.T) {
	jobs := actions.NewJobs(actions.JobLimits{})
	release := make(chan struct{})
	defer close(release)
	if err := jobs.Go("stubborn", func(context.Context) { <-release }); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel() // the deadline is already over: Shutdown must not wait for the stubborn job
	if err := jobs.Shutdown(ctx); err == nil {
		t.Fatal("Shutdown reported success while a job still ran")
	}
}

// blocking verifies nothing until its context ends, like an issuer that never answers.
type blocking struct{ entered chan struct{} }

func (b blocking) Verify(ctx context.Context, req wif.ProbeRequest) (verify.Report, error) {
	return b.Batch()(ctx, req)
}

func (b blocking) Batch() actions.VerifyFunc {
	return func(ctx context.Context, req wif.ProbeRequest) (verify.Report, error) {
		b.entered <- struct{}{}
		<-ctx.Done()
		return verify.Report{}, ctx.Err()
	}
}

func (blocking) CurrentJWKS(context.Context, wif.Connection) (string, error) { return "", nil }

// A background audit cut short by shutdown is stored as interrupted, with what it had done; an
// audit left "running" by a process that died is marked interrupted at the next start.
func TestAuditJobInterruptedByShutdown(t *testing.T) {
	ctx := context.Background()
	db, _ := testenv.OpenStore(t)
	for _, n := range []string{"one", "two"} {
		testenv.Create(t, db, wif.Connection{Name: n, IssuerURL: "https://auth.example.com/application/o/" + n + "/",
			SecretRef: "env:WIFWIZ_SECRET_X"})
	}
	jobs := actions.NewJobs(actions.JobLimits{})
	v := blocking{entered: make(chan struct{}, 2)}
	svc := actions.New(actions.Deps{Store: db, Verifier: v, Jobs: jobs,
		Secrets: secretref.Resolver{Getenv: testenv.Env(map[string]string{"WIFWIZ_SECRET_X": "s"})}})
	id, err := svc.StartAudit(ctx, actions.AuditRequest{Concurrency: 1})
	if err != nil {
		t.Fatal(err)
	}
	<-v.entered
	running, err := svc.AuditJob(ctx, id)
	if err != nil || running.State != wif.AuditRunning || running.Total != 2 {
		t.Fatalf("while running: %+v, %v", running, err)
	}
	if err := jobs.Shutdown(ctx); err != nil {
		t.Fatal(err)
	}
	job, err := svc.AuditJob(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	if job.State != wif.AuditInterrupted || job.FinishedAt.IsZero() || len(job.Results) != 2 {
		t.Fatalf("after shutdown: state %s, finished %v, %d results; want interrupted with both connections accounted for",
			job.State, job.FinishedAt, len(job.Results))
	}
	for _, r := range job.Results {
		if r.Status != wif.AuditSkipped || !strings.Contains(r.Reason, "audit was stopped") {
			t.Errorf("%s in an interrupted audit: %+v; want skipped because the audit stopped, not failed", r.ConnectionName, r)
		}
	}

	stale := &wif.AuditJob{ID: "stale", StartedAt: time.Now(), State: wif.AuditRunning, Trigger: wif.TriggerAudit, Total: 3}
	if err := db.CreateAuditJob(ctx, stale); err != nil {
		t.Fatal(err)
	}
	if n, err := db.InterruptRunningAuditJobs(ctx); err != nil || n != 1 {
		t.Fatalf("at start: %d audits marked interrupted (%v), want the one left running", n, err)
	}
	if j, _ := svc.AuditJob(ctx, "stale"); j.State != wif.AuditInterrupted {
		t.Fatalf("stale audit state = %s", j.State)
	}
}

func TestRunningCheckIsFoundForItsConnection(t *testing.T) {
	db, _ := testenv.OpenStore(t)
	conn := testenv.Create(t, db, wif.Connection{Name: "live", IssuerURL: "https://auth.example.com/application/o/live/"})
	jobs := actions.NewJobs(actions.JobLimits{})
	v := blocking{entered: make(chan struct{}, 1)}
	svc := actions.New(actions.Deps{Store: db, Verifier: v, Jobs: jobs, Secrets: secretref.Resolver{}})
	job, err := svc.StartCheck(actions.VerifyRequest{Connection: conn, Secret: "typed"})
	if err != nil {
		t.Fatal(err)
	}
	<-v.entered
	if got := jobs.RunningCheck(conn.ID); got == nil || got.ID != job.ID {
		t.Fatalf("RunningCheck = %v, want the job just started", got)
	}
	if got := jobs.RunningCheck(conn.ID + 1); got != nil {
		t.Fatalf("another connection has a running check: %v", got)
	}
	select {
	case <-job.Done():
		t.Fatal("Done is closed while the check runs")
	default:
	}
	if err := jobs.Shutdown(context.Background()); err != nil {
		t.Fatal(err)
	}
	<-job.Done() // closed once finished; a test deadline catches a Done that never closes
	p := job.Progress()
	if !p.Done || p.Err == nil || jobs.RunningCheck(conn.ID) != nil {
		t.Fatalf("after shutdown: %+v; want done with the cancellation as its error", p)
	}
}
