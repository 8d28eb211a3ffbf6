package web

import (
	"crypto/rand"
	"encoding/hex"
	"sync"
	"time"

	"github.com/wifwiz/wifwiz/audit"
)

// maxAuditJobs is how many audits the registry remembers; the oldest finished ones go first.
const maxAuditJobs = 20

// auditJobs is the in-memory registry of running and recent audits, owned by the audit pages.
type auditJobs struct {
	mu    sync.Mutex
	byID  map[string]*auditJob
	order []string // oldest first
}

// auditJob is one audit: the results as they finish, then the outcome.
type auditJob struct {
	id      string
	started time.Time
	total   int
	done    chan struct{}

	mu       sync.Mutex
	finished []audit.Result
	outcome  *audit.Outcome
}

func newAuditJobs() *auditJobs { return &auditJobs{byID: map[string]*auditJob{}} }

// add registers a new job for total connections.
func (j *auditJobs) add(total int, started time.Time) *auditJob {
	b := make([]byte, 16)
	rand.Read(b) // never fails (crypto/rand)
	job := &auditJob{id: hex.EncodeToString(b), started: started, total: total, done: make(chan struct{})}
	j.mu.Lock()
	defer j.mu.Unlock()
	j.byID[job.id] = job
	j.order = append(j.order, job.id)
	j.evict()
	return job
}

// evict forgets the oldest finished jobs beyond maxAuditJobs; running ones are kept.
func (j *auditJobs) evict() {
	for i := 0; len(j.order) > maxAuditJobs && i < len(j.order); {
		id := j.order[i]
		if j.byID[id].isDone() {
			delete(j.byID, id)
			j.order = append(j.order[:i], j.order[i+1:]...)
			continue
		}
		i++
	}
}

func (j *auditJobs) get(id string) *auditJob {
	j.mu.Lock()
	defer j.mu.Unlock()
	return j.byID[id]
}

// latest is the newest job, nil when none.
func (j *auditJobs) latest() *auditJob {
	j.mu.Lock()
	defer j.mu.Unlock()
	if len(j.order) == 0 {
		return nil
	}
	return j.byID[j.order[len(j.order)-1]]
}

func (job *auditJob) record(r audit.Result) {
	job.mu.Lock()
	defer job.mu.Unlock()
	job.finished = append(job.finished, r)
}

func (job *auditJob) finish(o audit.Outcome) {
	job.mu.Lock()
	job.outcome = &o
	job.mu.Unlock()
	close(job.done)
}

func (job *auditJob) isDone() bool {
	select {
	case <-job.done:
		return true
	default:
		return false
	}
}

// snapshot is what has finished so far and, once the audit is over, its outcome.
func (job *auditJob) snapshot() ([]audit.Result, *audit.Outcome) {
	job.mu.Lock()
	defer job.mu.Unlock()
	return append([]audit.Result(nil), job.finished...), job.outcome
}
