// Package wiring builds the use-case layer (actions) from the real adapters — the SQLite store,
// the live prober, authentik's and the Console's admin APIs, secret references — the one way
// cmd/wifwiz and the tests' testenv both wire it.
package wiring

import (
	"time"

	"github.com/wifwiz/wifwiz/actions"
	"github.com/wifwiz/wifwiz/anthropic/console"
	"github.com/wifwiz/wifwiz/authentik"
	"github.com/wifwiz/wifwiz/probe"
	"github.com/wifwiz/wifwiz/secretref"
	"github.com/wifwiz/wifwiz/store"
	"github.com/wifwiz/wifwiz/wif"
)

// Options are what differs between one service and another.
type Options struct {
	Getenv        func(string) string // where env: references resolve; nil: the process environment
	Policy        wif.SecretPolicy    // what web users may reference
	ResolveAnyRef bool                // the command line resolves its operator's references
	DemoRunning   bool
	Jobs          *actions.Jobs
	Image         string // the wifwiz image the Kubernetes refresher export names
	Now           func() time.Time
	Clock         actions.Clock
}

// Service wires actions over db and runner.
func Service(db *store.DB, runner *probe.Runner, o Options) *actions.Service {
	return actions.New(actions.Deps{Store: db, Verifier: runner, Authentik: authentik.Admin{ClientFor: runner.AuthentikClient},
		Tokens: runner, Console: consoleOpener(runner), Secrets: secretref.Resolver{Getenv: o.Getenv},
		SecretPolicy: o.Policy, ResolveAnyRef: o.ResolveAnyRef, DemoRunning: o.DemoRunning, Jobs: o.Jobs,
		Image: o.Image, Now: o.Now, Clock: o.Clock})
}

// consoleOpener opens the Console's management API through the runner's settings (its default
// Anthropic base URL and extra CA).
func consoleOpener(runner *probe.Runner) actions.ConsoleOpener {
	return func(token, baseURL string) (actions.ConsoleAPI, error) {
		c, err := runner.ConsoleClient(token, baseURL)
		if err != nil {
			return nil, err
		}
		return console.NewAdmin(c), nil
	}
}
