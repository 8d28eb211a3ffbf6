package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"time"

	"github.com/wifwiz/wifwiz/audit"
	"github.com/wifwiz/wifwiz/store"
	"github.com/wifwiz/wifwiz/wif"
)

// The audit scenarios of issue 7: stored connections across issuers, at latency benchLatency.
var (
	auditSizes   = []int{10, 100, 1000}
	auditIssuers = []int{1, 10}
)

// auditFigure is one scenario, audited twice: first with no earlier run, then again, when every
// connection has a passing run to compute drift against.
type auditFigure struct {
	Connections, Issuers int
	First, Repeat        auditRun
}

// auditRun is one audit: the worker's own figures and what the emulator saw.
type auditRun struct {
	workerFigures
	PerConnection map[string]float64 // requests per connection, by kind
	MaxInFlight   int
}

// workerFigures are measured inside the child process that runs the audit, so that its memory
// is the audit's alone (the emulator runs in the parent).
type workerFigures struct {
	Wall          time.Duration // list the connections, verify, record
	Summary       audit.Summary
	PeakHeapInuse uint64 // sampled every 5 ms
	MaxRSS        uint64 // bytes, ru_maxrss of the process
}

func measureAudits(ctx context.Context, work string) ([]auditFigure, error) {
	is, err := startIssuer(benchLatency, max(auditIssuers[len(auditIssuers)-1], 1))
	if err != nil {
		return nil, err
	}
	defer is.close()
	dir := filepath.Join(work, "audit")
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, err
	}
	ca, err := is.writeCA(dir)
	if err != nil {
		return nil, err
	}
	templates := make([]wif.Connection, len(is.providers))
	for i := range templates {
		if templates[i], err = is.connection(ctx, i, ""); err != nil {
			return nil, err
		}
	}
	var out []auditFigure
	for _, issuers := range auditIssuers {
		for _, n := range auditSizes {
			f := auditFigure{Connections: n, Issuers: issuers}
			path := filepath.Join(dir, fmt.Sprintf("audit-%d-%d.db", n, issuers))
			if err := seedAuditDB(ctx, path, templates[:issuers], n); err != nil {
				return nil, err
			}
			for _, r := range []*auditRun{&f.First, &f.Repeat} {
				if *r, err = runAudit(ctx, is, path, ca, n); err != nil {
					return nil, fmt.Errorf("%d connections, %d issuers: %w", n, issuers, err)
				}
			}
			out = append(out, f)
		}
	}
	return out, nil
}

// seedAuditDB stores n connections spread evenly over the templates' issuers.
func seedAuditDB(ctx context.Context, path string, templates []wif.Connection, n int) error {
	db, err := store.Open(ctx, path)
	if err != nil {
		return err
	}
	defer db.Close()
	for i := range n {
		c := templates[i%len(templates)]
		c.Name = fmt.Sprintf("audit-%04d", i)
		if err := db.CreateConnection(ctx, &c, "bench"); err != nil {
			return err
		}
	}
	return nil
}

// runAudit audits the database in a child process (this program with -worker audit).
func runAudit(ctx context.Context, is *issuer, dbPath, caPath string, n int) (auditRun, error) {
	self, err := os.Executable()
	if err != nil {
		return auditRun{}, err
	}
	is.emu.ResetCounts()
	cmd := exec.CommandContext(ctx, self, "-worker", "audit", "-worker-db", dbPath, "-worker-ca", caPath)
	cmd.Env = childEnv(is.secretEnviron()...)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		return auditRun{}, fmt.Errorf("audit worker: %v: %s", err, stderr.String())
	}
	var r auditRun
	if err := json.Unmarshal(stdout.Bytes(), &r.workerFigures); err != nil {
		return r, fmt.Errorf("audit worker output: %w", err)
	}
	if r.Summary.Total != n || r.Summary.Passed+r.Summary.Drifted != n {
		return r, fmt.Errorf("audit of %d connections: %+v; every one should pass", n, r.Summary)
	}
	r.PerConnection = perUnit(is.emu.Counts(), n)
	r.MaxInFlight = is.emu.MaxInFlight()
	return r, nil
}

// requests is the total of the per-connection request counts.
func (r auditRun) requests() float64 {
	var t float64
	for _, v := range r.PerConnection {
		t += v
	}
	return t
}
