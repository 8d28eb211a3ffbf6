package main

import (
	"os/user"

	"github.com/wifwiz/wifwiz/actions"
	"github.com/wifwiz/wifwiz/internal/ociimage"
	"github.com/wifwiz/wifwiz/probe"
	"github.com/wifwiz/wifwiz/store"
	"github.com/wifwiz/wifwiz/wif"
	"github.com/wifwiz/wifwiz/wiring"
)

// appOptions are what differs between the commands' use-case services.
type appOptions struct {
	policy      wif.SecretPolicy
	server      bool // the server resolves only the secret references its policy allows
	demoRunning bool
	getenv      func(string) string // nil: the process environment
	jobs        *actions.Jobs
}

// newApp wires the use-case layer to the adapters for a command.
func newApp(db *store.DB, runner *probe.Runner, e env, o appOptions) *actions.Service {
	getenv := o.getenv
	if getenv == nil {
		getenv = e.getenv
	}
	return wiring.Service(db, runner, wiring.Options{Getenv: getenv, Policy: o.policy, ResolveAnyRef: !o.server,
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
