package testenv

import (
	"context"
	"testing"
	"time"

	"github.com/wifwiz/wifwiz/actions"
	"github.com/wifwiz/wifwiz/probe"
	"github.com/wifwiz/wifwiz/store"
	"github.com/wifwiz/wifwiz/wif"
	"github.com/wifwiz/wifwiz/wiring"
)

// ServiceOptions adjust the service Service builds.
type ServiceOptions struct {
	Env           map[string]string   // the environment secret references resolve in
	Getenv        func(string) string // instead of Env
	Now           func() time.Time
	ResolveAnyRef bool // as the command line does
	DemoRunning   bool
	Policy        wif.SecretPolicy
	Jobs          *actions.Jobs
	Clock         actions.Clock // nil: the system clock
}

// Service wires the use-case layer to the real adapters over db, as cmd/wifwiz does; the
// service's jobs are shut down when the test ends.
func Service(t testing.TB, db *store.DB, runner *probe.Runner, o ServiceOptions) *actions.Service {
	t.Helper()
	if o.Jobs == nil {
		o.Jobs = actions.NewJobs(actions.JobLimits{})
	}
	svc := wiring.Service(db, runner, wiring.Options{Getenv: o.getenv(), Policy: o.Policy, ResolveAnyRef: o.ResolveAnyRef,
		DemoRunning: o.DemoRunning, Now: o.Now, Clock: o.Clock, Jobs: o.Jobs})
	t.Cleanup(func() { _ = o.Jobs.Shutdown(contextWithTimeout(t)) })
	return svc
}

func contextWithTimeout(t testing.TB) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	t.Cleanup(cancel)
	return ctx
}

func (o ServiceOptions) getenv() func(string) string {
	if o.Getenv != nil {
		return o.Getenv
	}
	return Env(o.Env)
}
