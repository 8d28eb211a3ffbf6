package web

import (
	"crypto/rand"
	"encoding/hex"
	"net/http"
	"sync"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/wifwiz/wifwiz/authentik"
	"github.com/wifwiz/wifwiz/views"
)

// probeStep is one finished stage of a live check.
type probeStep = authentik.StepResult

func progressAdapter(f func(probeStep)) authentik.Progress { return authentik.Progress(f) }

// checkJob is a live sample-token check running in the background for htmx clients, which
// poll its progress. The secret lives only in the goroutine that runs it.
type checkJob struct {
	mu       sync.Mutex
	conn     int64
	started  time.Time
	steps    []views.ProgressStep
	done     bool
	errorMsg string
}

// jobs is the in-memory registry of running and recent check jobs.
type jobs struct {
	mu   sync.Mutex
	byID map[string]*checkJob
}

// jobRetention is how long a finished job can still be polled.
const jobRetention = 10 * time.Minute

func (j *jobs) add(job *checkJob) string {
	b := make([]byte, 16)
	rand.Read(b)
	id := hex.EncodeToString(b)
	j.mu.Lock()
	defer j.mu.Unlock()
	if j.byID == nil {
		j.byID = map[string]*checkJob{}
	}
	for k, old := range j.byID {
		if time.Since(old.started) > jobRetention {
			delete(j.byID, k)
		}
	}
	j.byID[id] = job
	return id
}

func (j *jobs) get(id string) *checkJob {
	j.mu.Lock()
	defer j.mu.Unlock()
	return j.byID[id]
}

func newCheckJob(conn int64) *checkJob {
	return &checkJob{conn: conn, started: time.Now(), steps: []views.ProgressStep{
		{Name: authentik.StepDiscovery, Status: "running", Detail: "reading the discovery document"},
		{Name: authentik.StepJWKS, Status: "waiting", Detail: "the signing keys"},
		{Name: authentik.StepToken, Status: "waiting", Detail: "client credentials token request"},
	}}
}

// observe records a finished stage; JWKS and token start once discovery is done.
func (job *checkJob) observe(r probeStep) {
	job.mu.Lock()
	defer job.mu.Unlock()
	for i := range job.steps {
		st := &job.steps[i]
		if st.Name == r.Step {
			st.Status, st.Detail = "done", r.Detail
			if !r.OK {
				st.Status = "failed"
			}
		}
		if r.Step == authentik.StepDiscovery && st.Name != authentik.StepDiscovery && st.Status == "waiting" {
			st.Status = "running"
		}
	}
}

func (job *checkJob) finish(err error) {
	job.mu.Lock()
	defer job.mu.Unlock()
	job.done = true
	for i := range job.steps {
		if job.steps[i].Status == "running" || job.steps[i].Status == "waiting" {
			job.steps[i].Status, job.steps[i].Detail = "skipped", "not reached"
		}
	}
	if err != nil {
		job.errorMsg = err.Error()
	}
}

func (job *checkJob) snapshot() ([]views.ProgressStep, bool, string) {
	job.mu.Lock()
	defer job.mu.Unlock()
	return append([]views.ProgressStep(nil), job.steps...), job.done, job.errorMsg
}

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
	job := newCheckJob(conn.ID)
	id := s.jobs.add(job)
	snapshot, ctx := *conn, c.Request().Context()
	go func() {
		_, err := s.verifyAndRecord(ctx, liveRun{conn: &snapshot, secret: secret, progress: job.observe})
		job.finish(err)
	}()
	steps, _, _ := job.snapshot()
	return render(c, http.StatusOK, views.Progress("/jobs/"+id, steps, true))
}

// handleJobPoll returns the progress, or tells htmx to load the result page when done.
func (s *Server) handleJobPoll(c echo.Context) error {
	job := s.jobs.get(c.Param("job"))
	if job == nil {
		return echo.ErrNotFound
	}
	steps, done, errMsg := job.snapshot()
	if done && errMsg == "" {
		c.Response().Header().Set("HX-Redirect", wizardPath(job.conn, stepSample))
		return render(c, http.StatusOK, views.Progress("", steps, false))
	}
	if done {
		steps = append(steps, views.ProgressStep{Name: "check", Status: "failed", Detail: errMsg})
	}
	return render(c, http.StatusOK, views.Progress("/jobs/"+c.Param("job"), steps, !done))
}
