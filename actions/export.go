package actions

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/wifwiz/wifwiz/wif"
	"github.com/wifwiz/wifwiz/workload"
)

// Handoff assembles conn's hand-off checklist from its history: who recorded its settings last
// and when, its newest run, and the warnings still open (drift, settings changed since that run).
func (s *Service) Handoff(ctx context.Context, conn wif.Connection) (workload.Checklist, error) {
	cl := workload.Checklist{Connection: conn, GeneratedAt: s.now().UTC(), RecordedAt: conn.UpdatedAt}
	events, err := s.store.ListEvents(ctx, conn.ID)
	if err != nil {
		return cl, fmt.Errorf("read the timeline of %q: %w", conn.Name, err)
	}
	for _, e := range events { // newest first
		if e.Kind == wif.EventCreated || e.Kind == wif.EventEdited {
			cl.RecordedBy, cl.RecordedAt = e.Actor, e.At
			break
		}
	}
	last, err := s.LastRun(ctx, conn.ID)
	if err != nil || last == nil {
		return cl, err
	}
	run, rep := last.Run, last.Report
	cl.LastRun = &workload.LastRun{At: run.At, Trigger: run.Trigger, OK: run.OK, Summary: rep.Summary, Checks: rep.Checks}
	cl.Warnings = handoffWarnings(conn, run)
	return cl, nil
}

func handoffWarnings(conn wif.Connection, run wif.Run) []string {
	var out []string
	if run.At.Before(conn.UpdatedAt) {
		out = append(out, fmt.Sprintf("The settings changed on %s, after the last verification: verify again.", conn.UpdatedAt.UTC().Format("2006-01-02 15:04 UTC")))
	}
	for _, d := range run.Drift {
		out = append(out, fmt.Sprintf("Changed since the last passing run (%s): %s (before %q, now %q).", d.Kind, d.Message, d.Before, d.After))
	}
	return out
}

// ExportRequest is one export of a connection.
type ExportRequest struct {
	Connection wif.Connection
	Format     string
	Actor      string
	Via        string // how it was asked for, for the timeline: "download", "wifwiz export"
}

// Export renders the document of req.Format and records the export in the connection's
// timeline. An unknown format is EINVALID.
func (s *Service) Export(ctx context.Context, req ExportRequest) (workload.Export, error) {
	if !slices.Contains(workload.ExportFormats(), req.Format) {
		return workload.Export{}, wif.Errorf(wif.EINVALID, "Choose an export format: %s.", strings.Join(workload.ExportFormats(), ", "))
	}
	cl, err := s.Handoff(ctx, req.Connection)
	if err != nil {
		return workload.Export{}, err
	}
	exp, err := workload.RenderExport(cl, req.Format, workload.Options{})
	switch {
	case wif.ErrorCode(err) == wif.EINVALID:
		return exp, err
	case err != nil:
		return exp, &wif.Error{Code: wif.EINVALID, Message: "This connection cannot be exported as recorded: " + err.Error()}
	}
	detail := req.Format
	if req.Via != "" {
		detail += " via " + req.Via
	}
	err = s.store.AddEvent(ctx, &wif.Event{ConnectionID: req.Connection.ID, Kind: wif.EventExported, Actor: req.Actor, Detail: detail})
	if err != nil {
		return exp, fmt.Errorf("record the export of %q: %w", req.Connection.Name, err)
	}
	return exp, nil
}
