package actions

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/wifwiz/wifwiz/verify"
	"github.com/wifwiz/wifwiz/wif"
)

// Connection reads one connection; an unknown ID is ENOTFOUND.
func (s *Service) Connection(ctx context.Context, id int64) (*wif.Connection, error) {
	return s.store.GetConnection(ctx, id)
}

// ConnectionByName reads one connection by its name; an unknown name is ENOTFOUND.
func (s *Service) ConnectionByName(ctx context.Context, name string) (*wif.Connection, error) {
	return s.store.GetConnectionByName(ctx, name)
}

// ConnectionPage is one page of a listing of connections.
type ConnectionPage struct {
	Rows    []wif.ConnectionSummary
	Total   int // every connection
	Matched int // those the query matches
	Page    int // 1-based, clamped to the pages there are
}

// ListConnections lists page (1-based) of the connection summaries matching query, perPage a
// page; a page past the last is the last.
func (s *Service) ListConnections(ctx context.Context, query string, page, perPage int) (ConnectionPage, error) {
	var p ConnectionPage
	var err error
	if p.Total, err = s.store.CountConnections(ctx, wif.ListFilter{}); err != nil {
		return p, err
	}
	p.Matched = p.Total
	if query != "" {
		if p.Matched, err = s.store.CountConnections(ctx, wif.ListFilter{Query: query}); err != nil {
			return p, err
		}
	}
	last := max(1, (p.Matched+perPage-1)/perPage)
	p.Page = min(max(page, 1), last)
	p.Rows, err = s.store.ListConnectionSummaries(ctx, wif.ListFilter{Query: query, Limit: perPage, Offset: (p.Page - 1) * perPage})
	return p, err
}

// AllConnections lists every connection's summary, without paging.
func (s *Service) AllConnections(ctx context.Context) ([]wif.ConnectionSummary, error) {
	return s.store.ListConnectionSummaries(ctx, wif.ListFilter{})
}

// RunSummaries are a connection's newest runs without their reports, newest first.
func (s *Service) RunSummaries(ctx context.Context, connectionID int64, limit int) ([]wif.Run, error) {
	return s.store.ListRunSummaries(ctx, connectionID, limit)
}

// Events are a connection's timeline, newest first.
func (s *Service) Events(ctx context.Context, connectionID int64) ([]wif.Event, error) {
	return s.store.ListEvents(ctx, connectionID)
}

// SettingsChangedAt is when connID's settings were last recorded — its newest "created" or
// "edited" event — and by whom. A run older than that judged settings that are no longer the
// connection's. Moving through the wizard's steps records no event, so it changes nothing here.
func (s *Service) SettingsChangedAt(ctx context.Context, connID int64) (time.Time, string, error) {
	events, err := s.store.ListEvents(ctx, connID)
	if err != nil {
		return time.Time{}, "", fmt.Errorf("read the timeline of connection %d: %w", connID, err)
	}
	at, by := lastRecorded(events)
	return at, by, nil
}

// lastRecorded finds the newest settings event of a timeline listed newest first.
func lastRecorded(events []wif.Event) (time.Time, string) {
	for _, e := range events {
		if e.Kind == wif.EventCreated || e.Kind == wif.EventEdited {
			return e.At, e.Actor
		}
	}
	return time.Time{}, ""
}

// RecordedRun is a stored run with its decoded report.
type RecordedRun struct {
	Run    wif.Run
	Report verify.Report
}

// Run reads run runID of connection connID with its report; a run of another connection is
// ENOTFOUND, like an unknown one.
func (s *Service) Run(ctx context.Context, connID, runID int64) (*RecordedRun, error) {
	run, err := s.store.GetRun(ctx, runID)
	if err != nil {
		return nil, err
	}
	if run.ConnectionID != connID {
		return nil, wif.Errorf(wif.ENOTFOUND, "Connection %d has no run %d.", connID, runID)
	}
	rep, err := DecodeReport(*run)
	if err != nil {
		return nil, err
	}
	return &RecordedRun{Run: *run, Report: rep}, nil
}

// LastRun is a connection's newest run with its report; nil when it has none.
func (s *Service) LastRun(ctx context.Context, connID int64) (*RecordedRun, error) {
	runs, err := s.store.ListRuns(ctx, connID, 1)
	if err != nil || len(runs) == 0 {
		return nil, err
	}
	rep, err := DecodeReport(runs[0])
	if err != nil {
		return nil, err
	}
	return &RecordedRun{Run: runs[0], Report: rep}, nil
}

// DecodeReport reads a stored run's report.
func DecodeReport(run wif.Run) (verify.Report, error) {
	var rep verify.Report
	if err := json.Unmarshal(run.ReportJSON, &rep); err != nil {
		return rep, fmt.Errorf("decode the report of run %d: %w", run.ID, err)
	}
	return rep, nil
}
