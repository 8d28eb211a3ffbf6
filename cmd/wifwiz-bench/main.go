// Command wifwiz-bench is wifwiz's load harness: it measures a check against its physical limit
// (one round trip for an issuer with authentik's shape, whose JWKS and token URLs wifwiz guesses
// and confirms against discovery; two for any other issuer), the same check done by hand with
// curl and jq, audits of many stored connections, the busiest pages under concurrent load, and
// the start-up of the built binary, all on loopback against the authentik emulator, then writes
// docs/benchmarks.md.
//
//	go run ./cmd/wifwiz-bench -out docs/benchmarks.md   (what `make bench` runs)
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"runtime/pprof"
	"slices"
	"strings"
	"time"
)

// options are the harness's flags.
type options struct {
	out        string
	duration   time.Duration // load per page
	clients    int           // concurrent page clients
	samples    int           // checks per latency
	runs       int           // process runs per way in the manual comparison
	startups   int
	goBench    bool
	capacity   bool            // look for the most clients under which each page meets the p99 target
	only       map[string]bool // sections to run; empty: all
	worker     string          // internal: run one measurement in this child process
	workerDB   string
	workerCA   string
	cpuProfile string // write the whole run's CPU profile (the served pages included) here
}

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	if err := run(ctx, os.Args[1:], os.Stdout, os.Stderr); err != nil {
		fmt.Fprintln(os.Stderr, "wifwiz-bench:", err)
		if errors.Is(err, errUsage) {
			os.Exit(2)
		}
		os.Exit(1)
	}
}

var errUsage = errors.New("usage")

func run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	o, err := parseOptions(args, stderr)
	if err != nil {
		return err
	}
	if o.cpuProfile != "" {
		stopProfile, err := startCPUProfile(o.cpuProfile)
		if err != nil {
			return err
		}
		defer stopProfile()
	}
	if o.worker != "" {
		return runWorker(ctx, o, stdout)
	}
	res, err := measure(ctx, o, stderr)
	if err != nil {
		return err
	}
	return writeReport(o.out, res)
}

func parseOptions(args []string, stderr io.Writer) (options, error) {
	var o options
	fs := flag.NewFlagSet("wifwiz-bench", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.StringVar(&o.out, "out", "docs/benchmarks.md", "the Markdown report to write (- for stdout)")
	fs.DurationVar(&o.duration, "duration", 10*time.Second, "load duration per page")
	fs.IntVar(&o.clients, "clients", 32, "concurrent clients per page")
	fs.IntVar(&o.samples, "samples", 60, "checks measured per emulator latency")
	fs.IntVar(&o.runs, "runs", 15, "process runs per way in the check-vs-manual comparison")
	fs.IntVar(&o.startups, "startups", 5, "measured start-ups of the built binary")
	fs.BoolVar(&o.goBench, "gobench", true, "also run the Go benchmarks (go test -bench) and include their output")
	fs.BoolVar(&o.capacity, "capacity", true, "find, per page, the most clients (1 to 16) under which p99 stays below 20 ms")
	only := fs.String("only", "", "run only these sections, comma-separated: "+strings.Join(sectionNames, ","))
	fs.StringVar(&o.worker, "worker", "", "internal: run one audit in this process and print its figures as JSON")
	fs.StringVar(&o.workerDB, "worker-db", "", "internal: the worker's database")
	fs.StringVar(&o.workerCA, "worker-ca", "", "internal: the worker's extra CA file")
	fs.StringVar(&o.cpuProfile, "cpuprofile", "", "write a CPU profile of the run (pages are served in this process) to this file, and each audit worker's to FILE.audit-…, for go tool pprof")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return o, err
		}
		return o, fmt.Errorf("%w: %v", errUsage, err)
	}
	o.only = map[string]bool{}
	for _, name := range strings.FieldsFunc(*only, func(r rune) bool { return r == ',' || r == ' ' }) {
		if !slices.Contains(sectionNames, name) {
			return o, fmt.Errorf("%w: -only %s: the sections are %s", errUsage, name, strings.Join(sectionNames, ","))
		}
		o.only[name] = true
	}
	if o.duration <= 0 || o.clients < 1 || o.samples < 2 || o.runs < 1 || o.startups < 1 {
		return o, fmt.Errorf("%w: -duration, -clients, -samples (≥2), -runs and -startups must be positive", errUsage)
	}
	return o, nil
}

// sectionNames are the measurements, in the order they run.
var sectionNames = []string{"checks", "manual", "audit", "pages", "startup", "gobench"}

// results is everything one harness run measured.
type results struct {
	Machine  machine
	Started  time.Time
	Took     time.Duration
	Options  options
	Checks   []checkFigure
	Anatomy  anatomy
	Manual   manualFigures
	Audits   []auditFigure
	Pages    pageFigures
	Startup  startupFigures
	GoBench  goBenchFigures
	Warnings []string
}

// measure runs every section in order, logging progress to log.
func measure(ctx context.Context, o options, log io.Writer) (*results, error) {
	res := &results{Started: time.Now().UTC(), Options: o, Machine: readMachine()}
	work, err := os.MkdirTemp("", "wifwiz-bench-")
	if err != nil {
		return nil, fmt.Errorf("temporary folder: %w", err)
	}
	defer os.RemoveAll(work)
	bin, err := buildBinary(ctx, work)
	if err != nil {
		return nil, err
	}
	res.Startup.Binary = bin
	steps := []struct {
		name string
		fn   func() error
	}{
		{"checks", func() (err error) {
			if res.Checks, err = measureChecks(ctx, o); err == nil {
				res.Anatomy, err = measureAnatomy(ctx, o.samples)
			}
			return
		}},
		{"manual", func() (err error) { res.Manual, err = measureManual(ctx, o, work, bin.Path); return }},
		{"audit", func() (err error) { res.Audits, err = measureAudits(ctx, work, bin.Path, o.cpuProfile); return }},
		{"pages", func() (err error) { res.Pages, err = measurePages(ctx, o, work); return }},
		{"startup", func() error { return measureStartup(ctx, o, work, res.Pages.DBPath, &res.Startup) }},
		{"gobench", func() (err error) { res.GoBench, err = runGoBenchmarks(ctx, o); return }},
	}
	for _, s := range steps {
		if len(o.only) > 0 && !o.only[s.name] || s.name == "gobench" && !o.goBench {
			continue
		}
		start := time.Now()
		fmt.Fprintf(log, "wifwiz-bench: %s…\n", s.name)
		if err := s.fn(); err != nil {
			return nil, fmt.Errorf("%s: %w", s.name, err)
		}
		fmt.Fprintf(log, "wifwiz-bench: %s done in %s\n", s.name, time.Since(start).Round(time.Millisecond))
	}
	res.Machine.LoadEnd = loadAverage()
	res.Took = time.Since(res.Started)
	return res, nil
}

// startCPUProfile profiles this process until the returned function is called.
func startCPUProfile(path string) (func(), error) {
	f, err := os.Create(path)
	if err != nil {
		return nil, fmt.Errorf("cpu profile: %w", err)
	}
	if err := pprof.StartCPUProfile(f); err != nil {
		f.Close()
		return nil, fmt.Errorf("cpu profile: %w", err)
	}
	return func() { pprof.StopCPUProfile(); f.Close() }, nil
}
