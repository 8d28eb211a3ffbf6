package wif

import "time"

// AuditStatus is what an audit found for one connection.
type AuditStatus string

const (
	AuditPassed  AuditStatus = "passed"  // no check failed and nothing drifted since the last passing run
	AuditDrifted AuditStatus = "drifted" // no check failed, but something changed since the last passing run
	AuditFailed  AuditStatus = "failed"  // a check failed, or the connection cannot be verified as recorded
	AuditSkipped AuditStatus = "skipped" // not verified: no secret available, or not set up yet
)

// AuditStatuses in the order a summary reads.
var AuditStatuses = []AuditStatus{AuditPassed, AuditFailed, AuditDrifted, AuditSkipped}

// AuditResult is what an audit found for one connection, as stored with the audit.
type AuditResult struct {
	ConnectionID   int64
	ConnectionName string
	Status         AuditStatus
	RunID          int64   // the recorded run; 0 when none was recorded
	Summary        string  // the run's summary, e.g. "16 pass, 1 warn, 0 fail, 2 skip"
	Reason         string  // why it was skipped, or why it could not be verified
	Drift          []Drift // the run's drift from the last passing run
}

// AuditSummary counts the connections of an audit by status.
type AuditSummary struct {
	Total   int `json:"total"`
	Passed  int `json:"passed"`
	Failed  int `json:"failed"`
	Drifted int `json:"drifted"`
	Skipped int `json:"skipped"`
}

// Add counts one result.
func (s *AuditSummary) Add(st AuditStatus) {
	s.Total++
	switch st {
	case AuditPassed:
		s.Passed++
	case AuditFailed:
		s.Failed++
	case AuditDrifted:
		s.Drifted++
	case AuditSkipped:
		s.Skipped++
	}
}

// Audit job states.
const (
	AuditRunning     = "running"
	AuditDone        = "done"
	AuditInterrupted = "interrupted" // the server stopped before it finished
)

// AuditJob is one audit with its progress: the results as they finish.
type AuditJob struct {
	ID         string
	StartedAt  time.Time
	FinishedAt time.Time // zero while running
	State      string
	Trigger    Trigger
	Actor      string
	Total      int
	Results    []AuditResult // in the order they finished
}

// Summary counts the results recorded so far.
func (j AuditJob) Summary() AuditSummary {
	var s AuditSummary
	for _, r := range j.Results {
		s.Add(r.Status)
	}
	return s
}

// TriggerSchedule marks runs of a scheduled audit.
const TriggerSchedule Trigger = "schedule"
