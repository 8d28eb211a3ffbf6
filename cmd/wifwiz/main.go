// Command wifwiz sets up and verifies Anthropic Workload Identity Federation with authentik as
// the OIDC issuer. This package only wires flags to the packages that do the work.
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/wifwiz/wifwiz/probe"
	"github.com/wifwiz/wifwiz/redact"
)

// version is set at build time with -ldflags "-X main.version=…".
var version = "dev"

// Exit codes (docs/verification.md): 0 passed or warned, 1 a check failed, 2 the invocation was wrong.
const (
	exitOK    = 0
	exitFail  = 1
	exitUsage = 2
)

// usageError is an invocation mistake: exit 2 with a one-line message that says what to change.
type usageError struct{ msg string }

func (e usageError) Error() string { return e.msg }

func usagef(format string, args ...any) error { return usageError{fmt.Sprintf(format, args...)} }

// env is the process environment, injectable for tests.
type env struct {
	stdout, stderr io.Writer
	getenv         func(string) string
	issuerTimeout  time.Duration  // each request to an issuer; 0: the default (tests shorten it)
	serverTimeouts serverTimeouts // serve's HTTP server; zero: the defaults (tests shorten them)
}

// runner is the verification runner every command uses; callers set what is their own.
func (e env) runner() *probe.Runner {
	return &probe.Runner{Timeout: e.issuerTimeout, AnthropicBaseURL: e.getenv("ANTHROPIC_BASE_URL")}
}

const topUsage = `wifwiz — Anthropic Workload Identity Federation with authentik, set up and verified.

Usage:
  wifwiz serve  [--addr 127.0.0.1:8080] [--db PATH] [--demo]   the web wizard
  wifwiz check  [flags] [--json]                                one verification
  wifwiz audit  [--db PATH] [--json] [--connection NAME]        re-verify stored connections
  wifwiz token  --out FILE [flags]                              keep an identity token file fresh
  wifwiz export --connection NAME --format FORMAT               env block or hand-off checklist
  wifwiz plan   --connection NAME [--side authentik|console]     what apply would create or change
  wifwiz apply  --connection NAME [--side …] [--yes]             create or update both sides

Run "wifwiz COMMAND --help" for a command's flags.
`

type command func(ctx context.Context, args []string, e env) (int, error)

func commands() map[string]command {
	return map[string]command{
		"serve":  runServe,
		"check":  runCheck,
		"audit":  runAudit,
		"token":  runToken,
		"export": runExport,
		"plan":   runPlan,
		"apply":  runApply,
	}
}

func run(ctx context.Context, args []string, e env) int {
	if len(args) == 0 {
		fmt.Fprint(e.stderr, topUsage)
		return exitUsage
	}
	if args[0] == "-h" || args[0] == "--help" || args[0] == "help" {
		fmt.Fprint(e.stdout, topUsage)
		return exitOK
	}
	cmd, ok := commands()[args[0]]
	if !ok {
		fmt.Fprintf(e.stderr, "wifwiz: unknown command %q; run \"wifwiz --help\" for the list\n", args[0])
		return exitUsage
	}
	code, err := cmd(ctx, args[1:], e)
	var ue usageError
	switch {
	case errors.As(err, &ue):
		fmt.Fprintf(e.stderr, "wifwiz %s: %s\n", args[0], redact.Tokens(ue.msg))
		return exitUsage
	case err != nil:
		fmt.Fprintf(e.stderr, "wifwiz %s: %s\n", args[0], redact.Tokens(err.Error()))
		if code == exitOK {
			return exitFail
		}
	}
	return code
}

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	os.Exit(run(ctx, os.Args[1:], env{stdout: os.Stdout, stderr: os.Stderr, getenv: os.Getenv}))
}
