package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"syscall"
	"time"

	"github.com/wifwiz/wifwiz/authentik/emulator"
	"github.com/wifwiz/wifwiz/store"
	"github.com/wifwiz/wifwiz/wif"
)

// auditScenario is one audit of issue 7: stored connections across issuers, at latency
// benchLatency, with the providers signing with Signing.
type auditScenario struct {
	Signing              string
	Connections, Issuers int
}

// auditScenarios: every size with RSA keys (authentik's default), then the largest with EC keys,
// whose signatures cost the emulator — on the same cores as wifwiz — far less.
var auditScenarios = []auditScenario{
	{emulator.RS256, 10, 1}, {emulator.RS256, 100, 1}, {emulator.RS256, 1000, 1},
	{emulator.RS256, 10, 10}, {emulator.RS256, 100, 10}, {emulator.RS256, 1000, 10},
	{emulator.ES256, 1000, 1}, {emulator.ES256, 1000, 10},
}

// auditFigure is one scenario, audited twice by audit.Auditor in a child process — first with
// no earlier run, then again, when every connection has a passing run to compute drift
// against — and, for the largest RSA scenario, a third time by the built `wifwiz audit`.
type auditFigure struct {
	auditScenario
	First, Repeat auditRun
	Command       *auditRun
}

// auditRun is one audit: the child's own figures and what the harness saw meanwhile.
type auditRun struct {
	workerFigures
	PerConnection map[string]float64 // requests per connection, by kind
	MaxInFlight   int
	EmulatorCPU   time.Duration // CPU the harness (the emulator, almost all of it) used meanwhile
	OtherCores    float64       // cores other processes kept busy meanwhile
}

// workerFigures are measured inside the child process that runs the audit, so that its memory
// is the audit's alone (the emulator runs in the harness).
type workerFigures struct {
	Wall          time.Duration    // list the connections, verify, record
	Summary       wif.AuditSummary `json:"summary"`
	PeakHeapInuse uint64           // sampled every 5 ms; 0 for the wifwiz audit process
	MaxRSS        uint64           // bytes, ru_maxrss of the process
	CPU           time.Duration    // user + system time of the process
}

// measureAudits runs the audit scenarios; with profile set, each audit worker writes its CPU
// profile to profile.audit-<signing>-<connections>-<issuers>-<0: first, 1: repeat>.
func measureAudits(ctx context.Context, work, bin, profile string) ([]auditFigure, error) {
	dir := filepath.Join(work, "audit")
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, err
	}
	var out []auditFigure
	for _, signing := range []string{emulator.RS256, emulator.ES256} {
		figs, err := auditWith(ctx, dir, bin, signing, profile)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", signing, err)
		}
		out = append(out, figs...)
	}
	return out, nil
}

// auditWith runs the scenarios signed with signing against one emulator.
func auditWith(ctx context.Context, dir, bin, signing, profile string) ([]auditFigure, error) {
	is, err := startSigningIssuer(benchLatency, 10, signing)
	if err != nil {
		return nil, err
	}
	defer is.close()
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
	for _, sc := range auditScenarios {
		if sc.Signing != signing {
			continue
		}
		f, err := auditScenarioRuns(ctx, is, templates, sc, dir, bin, ca, profile)
		if err != nil {
			return nil, fmt.Errorf("%d connections, %d issuers: %w", sc.Connections, sc.Issuers, err)
		}
		out = append(out, f)
	}
	return out, nil
}

func auditScenarioRuns(ctx context.Context, is *issuer, templates []wif.Connection, sc auditScenario, dir, bin, ca, profile string) (auditFigure, error) {
	f := auditFigure{auditScenario: sc}
	path := filepath.Join(dir, fmt.Sprintf("audit-%s-%d-%d.db", sc.Signing, sc.Connections, sc.Issuers))
	if err := seedAuditDB(ctx, path, templates[:sc.Issuers], sc.Connections); err != nil {
		return f, err
	}
	self, err := os.Executable()
	if err != nil {
		return f, err
	}
	worker := []string{self, "-worker", "audit", "-worker-db", path, "-worker-ca", ca}
	for i, r := range []*auditRun{&f.First, &f.Repeat} {
		argv := worker
		if profile != "" {
			argv = append(worker[:len(worker):len(worker)], "-cpuprofile",
				fmt.Sprintf("%s.audit-%s-%d-%d-%d", profile, sc.Signing, sc.Connections, sc.Issuers, i))
		}
		if *r, err = runAudit(ctx, is, argv, sc.Connections, true); err != nil {
			return f, err
		}
	}
	if sc.Signing == emulator.RS256 && sc.Connections == 1000 && sc.Issuers == 10 {
		r, err := runAudit(ctx, is, []string{bin, "audit", "--db", path, "--ca-file", ca, "--json"}, sc.Connections, false)
		if err != nil {
			return f, fmt.Errorf("wifwiz audit: %w", err)
		}
		f.Command = &r
	}
	return f, nil
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

// runAudit runs one audit as a child process: this program as a worker (which prints its own
// figures), or the wifwiz binary (timed from start to exit here).
func runAudit(ctx context.Context, is *issuer, argv []string, n int, worker bool) (auditRun, error) {
	var r auditRun
	is.emu.ResetCounts()
	cpuBefore, others := selfCPU(), startOtherLoad()
	cmd := exec.CommandContext(ctx, argv[0], argv[1:]...)
	cmd.Env = childEnv(is.secretEnviron()...)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	start := time.Now()
	if err := cmd.Run(); err != nil {
		return r, fmt.Errorf("%v: %s", err, stderr.String())
	}
	wall := time.Since(start)
	r.EmulatorCPU = selfCPU() - cpuBefore
	// The worker's figures, or the summary of `wifwiz audit --json`: both have "summary".
	if err := json.Unmarshal(stdout.Bytes(), &r.workerFigures); err != nil {
		return r, fmt.Errorf("audit output: %w", err)
	}
	if !worker {
		r.Wall = wall
	}
	if ru, ok := cmd.ProcessState.SysUsage().(*syscall.Rusage); ok {
		r.MaxRSS = uint64(ru.Maxrss) * 1024 // kilobytes on Linux
	}
	r.CPU = cmd.ProcessState.UserTime() + cmd.ProcessState.SystemTime()
	r.OtherCores = others.cores(r.CPU)
	if r.Summary.Total != n || r.Summary.Passed+r.Summary.Drifted != n {
		return r, fmt.Errorf("audit of %d connections: %+v; every one should pass", n, r.Summary)
	}
	r.PerConnection = perUnit(is.emu.Counts(), n)
	r.MaxInFlight = is.emu.MaxInFlight()
	return r, nil
}

// selfCPU is the user and system time this process has used.
func selfCPU() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// requests is the total of the per-connection request counts.
func (r auditRun) requests() float64 {
	var t float64
	for _, v := range r.PerConnection {
		t += v
	}
	return t
}
