package main

import (
	"bytes"
	"context"
	"fmt"
	"os/exec"
	"strings"
)

// goBenchPackages hold the Go benchmarks: the engine and client ones plus those of issue 7
// (BenchmarkVerifyEmulator, BenchmarkListConnections, BenchmarkConnectionsPage).
var goBenchPackages = []string{"./verify/", "./authentik/", "./probe/", "./store/", "./web/"}

// goBenchFigures is the output of go test -bench, trimmed to the package and result lines.
type goBenchFigures struct {
	Command string
	Lines   []string
	Failed  string // why go test failed, when it did
}

func lastLines(s string, n int) string {
	lines := strings.Split(strings.TrimSpace(s), "\n")
	return strings.Join(lines[max(0, len(lines)-n):], "\n")
}

func runGoBenchmarks(ctx context.Context, o options) (goBenchFigures, error) {
	args := append([]string{"test", "-run", "^$", "-bench", ".", "-benchmem", "-count", "1"}, goBenchPackages...)
	f := goBenchFigures{Command: "go " + strings.Join(args, " ")}
	cmd := exec.CommandContext(ctx, "go", args...)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		// Other work in the tree may be mid-edit: say so in the report rather than lose the rest.
		f.Failed = fmt.Sprintf("%v: %s", err, lastLines(stdout.String()+stderr.String(), 8))
	}
	for _, line := range strings.Split(stdout.String(), "\n") {
		if strings.HasPrefix(line, "Benchmark") || strings.HasPrefix(line, "pkg: ") {
			f.Lines = append(f.Lines, strings.TrimRight(line, " \t"))
		}
	}
	return f, nil
}
