package wif

import "time"

// ListFilter narrows a listing of connections. Query matches the name or the issuer URL
// (case-insensitive substring).
type ListFilter struct {
	Query  string
	Demo   *bool // nil: both demo and real connections
	Limit  int   // 0: no limit
	Offset int
}

// ConnectionSummary is what a list of connections shows of one: no Console or CA settings,
// and its newest run without the report.
type ConnectionSummary struct {
	ID           int64
	Name         string
	Demo         bool
	Step         int
	AuthentikURL string
	AppSlug      string
	IssuerURL    string
	UpdatedAt    time.Time
	LastRun      *Run // without ReportJSON; nil when never verified
}

// Status is the badge a list shows: draft, verified, failing or drifted.
func (s ConnectionSummary) Status() string { return RunStatus(s.LastRun) }

// RunStatus is the status a connection has by its newest run (nil: never verified).
func RunStatus(last *Run) string {
	switch {
	case last == nil:
		return StatusDraft
	case !last.OK:
		return StatusFailing
	case len(last.Drift) > 0:
		return StatusDrifted
	}
	return StatusVerified
}
