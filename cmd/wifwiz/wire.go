package main

import (
	"os/user"

	"github.com/wifwiz/wifwiz/actions"
	"github.com/wifwiz/wifwiz/anthropic/console"
	"github.com/wifwiz/wifwiz/authentik"
	"github.com/wifwiz/wifwiz/internal/ociimage"
	"github.com/wifwiz/wifwiz/probe"
	"github.com/wifwiz/wifwiz/secretref"
	"github.com/wifwiz/wifwiz/store"
	"github.com/wifwiz/wifwiz/wif"
)

// appOptions are what differs between the commands' use-case services.
type appOptions struct {
	policy      wif.SecretPolicy
	server      bool // the server resolves only the secret references its policy allows
	demoRunning bool
	getenv      func(string) string // nil: the process environment
	jobs        *actions.Jobs
}

// newApp wires the use-case layer to the adapters: the store, the live prober (which also fetches
// identity tokens), authentik's admin API through the prober's clients, and secret references.
func newApp(db *store.DB, runner *probe.Runner, e env, o appOptions) *actions.Service {
	getenv := o.getenv
	if getenv == nil {
		getenv = e.getenv
	}
	return actions.New(actions.Deps{Store: db, Verifier: runner, Authentik: authentik.Admin{ClientFor: runner.AuthentikClient},
		Tokens: runner, Console: consoleOpener(runner),
		Secrets: secretref.Resolver{Getenv: getenv}, SecretPolicy: o.policy, ResolveAnyRef: !o.server,
		DemoRunning: o.demoRunning, Jobs: o.jobs, Image: imageName()})
}

// imageName is the name `make image` gives the image of this binary's version.
func imageName() string {
	return ociimage.DefaultRepository + ":" + version
}

// cliActor names who ran the command in a connection's timeline.
func cliActor() string {
	if u, err := user.Current(); err == nil && u.Username != "" {
		return "cli:" + u.Username
	}
	return "cli:unknown"
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
