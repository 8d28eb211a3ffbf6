package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/wifwiz/wifwiz/actions"
	"github.com/wifwiz/wifwiz/verify"
	"github.com/wifwiz/wifwiz/wif"
)

type auditOptions struct {
	db, connection, caFile string
	json, requireIDs       bool
	concurrency            int
}

func runAudit(ctx context.Context, args []string, e env) (int, error) {
	fs := newFlagSet("audit", "audit [--db PATH] [--json] [--connection NAME] [--ca-file PATH] [--concurrency 16] [--require-ids]", e)
	var o auditOptions
	fs.StringVar(&o.db, "db", defaultDBPath(e), "SQLite database file of stored connections")
	fs.BoolVar(&o.json, "json", false, "print one JSON document: a report per connection, the drift list and a summary")
	fs.StringVar(&o.connection, "connection", "", "audit only this stored connection")
	fs.StringVar(&o.caFile, "ca-file", "", "extra trusted CA certificate (PEM) for authentik, for every connection")
	fs.IntVar(&o.concurrency, "concurrency", actions.DefaultAuditConcurrency, "connections verified at once")
	fs.BoolVar(&o.requireIDs, "require-ids", false, "missing Console IDs fail instead of skip")
	if err := parseFlags(fs, args, e); err != nil {
		return helpOrUsage(err)
	}
	if o.concurrency < 1 || o.concurrency > actions.MaxAuditConcurrency {
		return exitUsage, usagef("--concurrency %d: give a number from 1 to %d", o.concurrency, actions.MaxAuditConcurrency)
	}
	return o.run(ctx, e)
}

func (o auditOptions) run(ctx context.Context, e env) (int, error) {
	var ca []byte
	if o.caFile != "" {
		var err error
		if ca, err = readCAFile("ca-file", o.caFile); err != nil {
			return exitUsage, err
		}
	}
	db, err := openExistingDB(ctx, o.db)
	if err != nil {
		return exitUsage, err
	}
	defer db.Close()
	if db.ReadOnly() {
		return exitUsage, usagef("--db %s is read-only for this user, and an audit records its runs: give a database you can write (reading and exporting work read-only)", o.db)
	}
	runner := e.runner()
	runner.ExtraCA = ca
	app := newApp(db, runner, e, appOptions{})
	var names []string
	if o.connection != "" {
		if _, err := stored(ctx, app, o.connection, o.db); err != nil {
			return exitUsage, err
		}
		names = []string{o.connection}
	}
	conns, err := app.AuditTargets(ctx, names)
	if err != nil {
		return exitFail, fmt.Errorf("list the connections in %s: %w", o.db, err)
	}
	out, err := app.Audit(ctx, actions.AuditRequest{Connections: conns, Concurrency: o.concurrency,
		RequireIDs: o.requireIDs, Actor: cliActor()})
	if err != nil {
		return exitFail, err
	}
	if o.json {
		err = writeAuditJSON(e.stdout, out)
	} else {
		err = writeAuditText(e.stdout, out, o.db)
	}
	if err != nil {
		return exitFail, fmt.Errorf("write the audit: %w", err)
	}
	if !out.OK() {
		return exitFail, nil
	}
	return exitOK, nil
}

// auditDocument is `wifwiz audit --json`.
type auditDocument struct {
	StartedAt   time.Time         `json:"started_at"`
	Connections []auditConnection `json:"connections"`
	Drift       []auditDrift      `json:"drift"`
	Summary     wif.AuditSummary  `json:"summary"`
	OK          bool              `json:"ok"`
}

type auditConnection struct {
	Connection    string          `json:"connection"`
	Status        wif.AuditStatus `json:"status"`
	Report        *verify.Report  `json:"report"`
	SkippedReason *string         `json:"skipped_reason"`
	Error         string          `json:"error,omitempty"` // why a connection failed without a report
}

type auditDrift struct {
	Connection string `json:"connection"`
	wif.Drift
}

func writeAuditJSON(w io.Writer, out actions.AuditOutcome) error {
	doc := auditDocument{StartedAt: out.StartedAt, Connections: []auditConnection{}, Drift: []auditDrift{}, Summary: out.Summary, OK: out.OK()}
	for _, r := range out.Results {
		c := auditConnection{Connection: r.Connection.Name, Status: r.Status, Report: r.Report}
		switch {
		case r.Status == wif.AuditSkipped:
			reason := r.Reason
			c.SkippedReason = &reason
		case r.Reason != "":
			c.Error = r.Reason
		}
		doc.Connections = append(doc.Connections, c)
		for _, d := range r.Drift {
			doc.Drift = append(doc.Drift, auditDrift{Connection: r.Connection.Name, Drift: d})
		}
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(doc)
}

// writeAuditText prints one row per connection, then the drift, the failed checks and a summary.
// Values from authentik are untrusted: printable strips what a terminal would interpret.
func writeAuditText(w io.Writer, out actions.AuditOutcome, dbPath string) error {
	var b strings.Builder
	if len(out.Results) == 0 {
		fmt.Fprintf(&b, "No connection to audit in %s.\n", dbPath)
		_, err := io.WriteString(w, b.String())
		return err
	}
	fmt.Fprintf(&b, "Audit of %d %s, started %s\n\n", len(out.Results), plural(len(out.Results), "connection", "connections"), out.StartedAt.Format("2006-01-02 15:04:05 UTC"))
	tw := tabwriter.NewWriter(&b, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "CONNECTION\tSTATUS\tRESULT")
	for _, r := range out.Results {
		fmt.Fprintf(tw, "%s\t%s\t%s\n", printable(r.Connection.Name), r.Status, printable(resultText(r)))
	}
	tw.Flush()
	writeAuditDrift(&b, out.Results)
	writeAuditFailures(&b, out.Results)
	s := out.Summary
	fmt.Fprintf(&b, "\n%d %s: %d passed, %d failed, %d drifted, %d skipped.\n", s.Total, plural(s.Total, "connection", "connections"), s.Passed, s.Failed, s.Drifted, s.Skipped)
	_, err := io.WriteString(w, b.String())
	return err
}

func resultText(r actions.AuditResult) string {
	if r.Run != nil {
		return r.Run.Summary
	}
	return r.Reason
}

func writeAuditDrift(b *strings.Builder, results []actions.AuditResult) {
	header := false
	for _, r := range results {
		for _, d := range r.Drift {
			if !header {
				b.WriteString("\nChanged since the last passing run:\n")
				header = true
			}
			fmt.Fprintf(b, "  %s: %s %q → %q — %s\n", printable(r.Connection.Name), d.Kind,
				shorten(printable(d.Before), maxActualRunes), shorten(printable(d.After), maxActualRunes), printable(d.Message))
		}
	}
}

func writeAuditFailures(b *strings.Builder, results []actions.AuditResult) {
	header := false
	for _, r := range results {
		if r.Report == nil {
			continue
		}
		for _, c := range r.Report.Checks {
			if c.Status != verify.Fail {
				continue
			}
			if !header {
				b.WriteString("\nFailed checks:\n")
				header = true
			}
			fmt.Fprintf(b, "  %s: %s — %s\n", printable(r.Connection.Name), c.ID, printable(c.Message))
			if c.Fix != "" {
				fmt.Fprintf(b, "      fix: %s\n", printable(c.Fix))
			}
		}
	}
}
