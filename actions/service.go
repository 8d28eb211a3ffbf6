// Package actions carries out what wifwiz's two front ends — the web wizard (package web) and
// the command line (cmd/wifwiz) — ask of it: verify a connection and record the run, save a
// connection under the wizard's validation, audit stored connections, export and record the
// export, read, create and update a provider through authentik's admin API, fetch identity
// tokens for `wifwiz token`, and run long work as jobs with a lifecycle. It talks to the adapters (the SQLite store,
// the live prober, authentik's admin API, secret references) through the small interfaces
// below, which cmd/wifwiz wires; it does no I/O of its own. docs/architecture.md draws the layers.
package actions

import (
	"context"
	"time"

	"github.com/jonboulle/clockwork"

	"github.com/wifwiz/wifwiz/verify"
	"github.com/wifwiz/wifwiz/wif"
)

// Store is what the actions need from persistence.
type Store interface {
	CreateConnection(ctx context.Context, c *wif.Connection, actor string) error
	GetConnection(ctx context.Context, id int64) (*wif.Connection, error)
	GetConnectionByName(ctx context.Context, name string) (*wif.Connection, error)
	UpdateConnection(ctx context.Context, c *wif.Connection, actor string) error
	ListConnections(ctx context.Context, f wif.ListFilter) ([]wif.Connection, error)
	ListConnectionSummaries(ctx context.Context, f wif.ListFilter) ([]wif.ConnectionSummary, error)
	CountConnections(ctx context.Context, f wif.ListFilter) (int, error)

	AddRun(ctx context.Context, r *wif.Run, actor string) error
	GetRun(ctx context.Context, id int64) (*wif.Run, error)
	ListRuns(ctx context.Context, connectionID int64, limit int) ([]wif.Run, error)
	ListRunSummaries(ctx context.Context, connectionID int64, limit int) ([]wif.Run, error)
	LastPassingRun(ctx context.Context, connectionID int64) (*wif.Run, error)

	AddEvent(ctx context.Context, e *wif.Event) error
	ListEvents(ctx context.Context, connectionID int64) ([]wif.Event, error)

	CreateAuditJob(ctx context.Context, j *wif.AuditJob) error
	AddAuditResult(ctx context.Context, jobID string, r wif.AuditResult) error
	FinishAuditJob(ctx context.Context, jobID, state string) error
	GetAuditJob(ctx context.Context, id string) (*wif.AuditJob, error)
	LatestAuditJob(ctx context.Context) (*wif.AuditJob, error)

	WatchStore
}

// VerifyFunc runs one live verification.
type VerifyFunc = func(ctx context.Context, req wif.ProbeRequest) (verify.Report, error)

// Verifier runs live verifications (the probe package's Runner).
type Verifier interface {
	Verify(ctx context.Context, req wif.ProbeRequest) (verify.Report, error)
	// Batch verifies many connections in a row (an audit), sharing what it fetched of each
	// issuer between them.
	Batch() VerifyFunc
	// CurrentJWKS is the issuer's published key set, indented, for a Console using inline keys.
	CurrentJWKS(ctx context.Context, c wif.Connection) (string, error)
}

// AuthentikAdmin reads and changes authentik's OAuth2 providers and applications through its
// admin API (the authentik package's Admin). The target's API token is used for the call only.
type AuthentikAdmin interface {
	ReadAuthentik(ctx context.Context, t wif.AuthentikTarget, q wif.AuthentikLookup) (wif.AuthentikState, error)
	// CreateProvider returns the new provider and its client secret, to hand over once.
	CreateProvider(ctx context.Context, t wif.AuthentikTarget, s wif.ProviderSpec) (wif.AuthentikProvider, string, error)
	// UpdateProvider changes only the fields s sets.
	UpdateProvider(ctx context.Context, t wif.AuthentikTarget, pk int64, s wif.ProviderSpec) (wif.AuthentikProvider, error)
	CreateApplication(ctx context.Context, t wif.AuthentikTarget, s wif.ApplicationSpec) (wif.AuthentikApplication, error)
	BindApplication(ctx context.Context, t wif.AuthentikTarget, slug string, providerPK int64) (wif.AuthentikApplication, error)
}

// SecretResolver reads the secret a reference (env:NAME or file:/path) points to.
type SecretResolver interface {
	Resolve(ref string) (string, error)
}

// IdentityTokenFetcher fetches one identity token for a connection with its client secret: the
// raw compact JWT the connection's token field selects.
type IdentityTokenFetcher interface {
	FetchIdentityToken(ctx context.Context, c wif.Connection, secret string) (string, error)
}

// Deps are the adapters a Service uses; cmd/wifwiz builds them.
type Deps struct {
	Store     Store
	Verifier  Verifier
	Authentik AuthentikAdmin
	Secrets   SecretResolver
	Tokens    IdentityTokenFetcher
	// Console opens the Console's management API with a token (plan, apply, reading the rule).
	Console ConsoleOpener
	// SecretPolicy limits the secret references a web user may set (see SaveStep).
	SecretPolicy wif.SecretPolicy
	// ResolveAnyRef lets the command line resolve any secret reference it is given: it runs
	// with the rights of the operator who typed it. The server resolves only what SecretPolicy
	// allows.
	ResolveAnyRef bool
	// DemoRunning says the built-in demo issuer runs in this process, so demo connections can be
	// verified and audited.
	DemoRunning bool
	Now         func() time.Time // nil: Clock's Now
	Clock       Clock            // nil: the system clock; the schedule and the alert deliveries wait on it
	// Image names the container image with wifwiz that the Kubernetes refresher export runs;
	// empty: workload.DefaultImage.
	Image string
	Jobs  *Jobs // nil: a Jobs with the default limits
}

// Service is the use-case layer. Its methods are safe for concurrent use.
type Service struct {
	store     Store
	verifier  Verifier
	authentik AuthentikAdmin
	secrets   SecretResolver
	tokens    IdentityTokenFetcher
	console   ConsoleOpener
	policy    wif.SecretPolicy
	anyRef    bool
	demo      bool
	now       func() time.Time
	clock     Clock
	jobs      *Jobs
	watch     *watchState
	image     string
}

// New builds a Service from its adapters.
func New(d Deps) *Service {
	if d.Clock == nil {
		d.Clock = clockwork.NewRealClock()
	}
	if d.Now == nil {
		d.Now = d.Clock.Now
	}
	if d.Jobs == nil {
		d.Jobs = NewJobs(JobLimits{})
	}
	if d.SecretPolicy.EnvPrefix == "" {
		d.SecretPolicy.EnvPrefix = wif.DefaultSecretEnvPrefix
	}
	return &Service{store: d.Store, verifier: d.Verifier, authentik: d.Authentik, secrets: d.Secrets, tokens: d.Tokens,
		console: d.Console, policy: d.SecretPolicy, anyRef: d.ResolveAnyRef, demo: d.DemoRunning, now: d.Now,
		clock: d.Clock, jobs: d.Jobs, watch: newWatchState(), image: d.Image}
}

// Jobs is the job manager the service starts background work on.
func (s *Service) Jobs() *Jobs { return s.jobs }

// Now is the service's clock.
func (s *Service) Now() time.Time { return s.now() }

// SecretPolicy is what a web user may reference as a secret.
func (s *Service) SecretPolicy() wif.SecretPolicy { return s.policy }

// DemoRunning says whether the demo issuer runs in this process.
func (s *Service) DemoRunning() bool { return s.demo }
