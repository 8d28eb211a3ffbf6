package audit

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/wifwiz/wifwiz/probe"
	"github.com/wifwiz/wifwiz/wif"
	"github.com/wifwiz/wifwiz/workload"
)

// HistoryStore is what a hand-off checklist reads of a connection's history.
type HistoryStore interface {
	ListRuns(ctx context.Context, connectionID int64, limit int) ([]wif.Run, error)
	ListEvents(ctx context.Context, connectionID int64) ([]wif.Event, error)
}

// Checklist assembles conn's hand-off checklist: who recorded its settings last and when, its
// newest run, and the warnings still open (drift, settings changed since that run).
func Checklist(ctx context.Context, st HistoryStore, conn wif.Connection, now time.Time) (workload.Checklist, error) {
	cl := workload.Checklist{Connection: conn, GeneratedAt: now.UTC(), RecordedAt: conn.UpdatedAt}
	events, err := st.ListEvents(ctx, conn.ID)
	if err != nil {
		return cl, fmt.Errorf("read the timeline of %q: %w", conn.Name, err)
	}
	for _, e := range events { // newest first
		if e.Kind == wif.EventCreated || e.Kind == wif.EventEdited {
			cl.RecordedBy, cl.RecordedAt = e.Actor, e.At
			break
		}
	}
	runs, err := st.ListRuns(ctx, conn.ID, 1)
	if err != nil {
		return cl, fmt.Errorf("read the runs of %q: %w", conn.Name, err)
	}
	if len(runs) == 0 {
		return cl, nil
	}
	run := runs[0]
	rep, err := probe.DecodeReport(run)
	if err != nil {
		return cl, err
	}
	cl.LastRun = &workload.LastRun{At: run.At, Trigger: run.Trigger, OK: run.OK, Summary: rep.Summary, Checks: rep.Checks}
	cl.Warnings = warnings(conn, run)
	return cl, nil
}

func warnings(conn wif.Connection, run wif.Run) []string {
	var out []string
	if run.At.Before(conn.UpdatedAt) {
		out = append(out, fmt.Sprintf("The settings changed on %s, after the last verification: verify again.", conn.UpdatedAt.UTC().Format("2006-01-02 15:04 UTC")))
	}
	for _, d := range run.Drift {
		out = append(out, fmt.Sprintf("Changed since the last passing run (%s): %s (before %q, now %q).", d.Kind, d.Message, d.Before, d.After))
	}
	return out
}

// Export is what a workload or a teammate is handed for conn: the environment block in format,
// exactly as the wizard's workload step shows it, or the hand-off checklist in Markdown.
func Export(ctx context.Context, st HistoryStore, conn wif.Connection, format string, now time.Time) (string, error) {
	if id, ok := strings.CutPrefix(format, refreshPrefix); ok {
		setup, found := workload.RefreshSetup(conn, workload.Options{}, id)
		if !found {
			return "", fmt.Errorf("no token refresh setup %q", id)
		}
		return setup.Content, nil
	}
	if format != workload.FormatMarkdown {
		text, err := workload.Render(conn, format, workload.Options{})
		if err != nil {
			return "", fmt.Errorf("render %s for %q: %w", format, conn.Name, err)
		}
		return text, nil
	}
	cl, err := Checklist(ctx, st, conn, now)
	if err != nil {
		return "", err
	}
	return workload.Markdown(cl, workload.Options{}), nil
}

// refreshPrefix marks the export formats of the token refresh setups (refresh-systemd-unit, …).
const refreshPrefix = "refresh-"

// ExportFormats are the environment block's formats, the hand-off checklist's, then the token
// refresh setups' (the same files the wizard's last step shows).
func ExportFormats() []string {
	fs := workload.Formats()
	if !slices.Contains(fs, workload.FormatMarkdown) {
		fs = append(fs, workload.FormatMarkdown)
	}
	for _, id := range workload.RefreshSetupIDs {
		fs = append(fs, refreshPrefix+id)
	}
	return fs
}
