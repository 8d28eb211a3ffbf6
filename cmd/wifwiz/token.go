package main

import (
	"context"
	"errors"
	"log/slog"
	"time"

	"github.com/wifwiz/wifwiz/actions"
	"github.com/wifwiz/wifwiz/metrics"
	"github.com/wifwiz/wifwiz/redact"
	"github.com/wifwiz/wifwiz/refresh"
	"github.com/wifwiz/wifwiz/tlsconf"
	"github.com/wifwiz/wifwiz/wif"
)

const tokenSummary = "token --out FILE [--once] [flags]   (--connection NAME to take the values from a stored connection)"

// tokenOptions are the flags of wifwiz token beyond the authentik connection flags.
type tokenOptions struct {
	cf           *connFlags
	out          string
	once         bool
	force        bool
	refreshAt    float64
	minBefore    time.Duration
	ruleLifetime string
	metricsAddr  string
}

func runToken(ctx context.Context, args []string, e env) (int, error) {
	fs := newFlagSet("token", tokenSummary, e)
	o := tokenOptions{cf: newConnFlags(fs, e, authentikFlags|storedFlags, map[string]string{"token-field": wif.TokenFieldIDToken})}
	fs.StringVar(&o.out, "out", "", "identity token file to keep fresh (replaced atomically, mode 0600); point ANTHROPIC_IDENTITY_TOKEN_FILE at it, one file per workload process")
	fs.BoolVar(&o.once, "once", false, "refresh once and exit; non-zero exit when that fails")
	fs.StringVar(&o.ruleLifetime, "token-lifetime", "", "the federation rule's Token lifetime (seconds or a Go duration; default: the stored connection's, else 3600): the file is rewritten before each SDK exchange")
	fs.Float64Var(&o.refreshAt, "refresh-at", refresh.DefaultRefreshAt, "rewrite after at most this share of the identity token's validity, from 0.05 to 1")
	fs.DurationVar(&o.minBefore, "min-before-expiry", refresh.DefaultMinBeforeExpiry, "rewrite at the latest this long before the identity token expires")
	fs.BoolVar(&o.force, "force", false, "run even when the lifetimes leave no schedule that keeps every exchange possible (docs/refresh.md)")
	fs.StringVar(&o.metricsAddr, "metrics-addr", "", "serve the refresher's Prometheus metrics (last and next refresh, consecutive failures) on this loopback address, e.g. 127.0.0.1:9465")
	if err := parseFlags(fs, args, e); err != nil {
		return helpOrUsage(err)
	}
	if o.metricsAddr != "" && !isLoopback(o.metricsAddr) {
		return exitUsage, usagef("--metrics-addr %s: give a loopback address such as 127.0.0.1:9465", o.metricsAddr)
	}
	if o.out == "" {
		return exitUsage, usagef("give --out FILE: the identity token file the workload reads (ANTHROPIC_IDENTITY_TOKEN_FILE)")
	}
	src, err := o.source(ctx, e)
	if err != nil {
		return exitUsage, err
	}
	conn := src.Connection()
	policy, err := o.policy(conn)
	if err != nil {
		return exitUsage, err
	}
	// Whatever the issuer answers, its echo of the secret never reaches stderr.
	log := slog.New(redact.Handler(slog.NewTextHandler(e.stderr, nil), src.Redactor()))
	r := &refresh.Refresher{Source: refreshSource(src), Out: o.out, Policy: policy, Force: o.force, Logger: log}
	if o.metricsAddr != "" && !o.once {
		m := metrics.NewToken(version)
		r.Observe = func(a refresh.Attempt) { m.Record(metrics.TokenAttempt(a)) }
		stop, err := serveMetrics(o.metricsAddr, m.Handler(), e, log)
		if err != nil {
			return exitUsage, err
		}
		defer stop()
	}
	if o.once {
		return tokenExit(r.Once(ctx))
	}
	log.Info("keeping the identity token file fresh until stopped", "path", o.out, "issuer", conn.IssuerURL,
		"client_id", conn.ClientID, "rule_token_lifetime", policy.RuleLifetime.String())
	if code, err := tokenExit(r.Run(ctx)); err != nil {
		return code, err
	}
	log.Info("stopped", "path", o.out)
	return exitOK, nil
}

// policy is the refresh schedule's inputs: the flags, and the rule's Token lifetime from
// --token-lifetime or the stored connection. A rule too short for any token file is refused
// here, before authentik is asked, unless --force.
func (o tokenOptions) policy(conn wif.Connection) (refresh.Policy, error) {
	p := refresh.Policy{RuleLifetime: conn.TokenLifetime, RefreshAt: o.refreshAt, MinBeforeExpiry: o.minBefore}
	// The Policy's zero values mean its defaults; on the command line 0 means what it says.
	if o.refreshAt == 0 {
		return p, usagef("--refresh-at 0: give a share of the identity token's validity from %g to 1", refresh.MinRefreshAt)
	}
	if o.minBefore == 0 {
		p.MinBeforeExpiry = time.Nanosecond
	}
	if o.ruleLifetime != "" {
		d, err := wif.ParseLifetime(o.ruleLifetime)
		if err != nil {
			return p, usagef("--token-lifetime: %v", err)
		}
		p.RuleLifetime = d
	}
	if p.RuleLifetime == 0 {
		p.RuleLifetime = wif.DefaultLifetime
	}
	if err := p.Validate(); err != nil {
		return p, usagef("--%v", err)
	}
	if err := p.CheckRule(); err != nil && !o.force {
		return p, usagef("%v; or give --force", err)
	}
	return p, nil
}

// tokenExit maps the refresher's outcome to an exit code: a schedule that cannot keep every
// exchange possible is the invocation's fault (2), anything else a failure (1).
func tokenExit(err error) (int, error) {
	var se *refresh.ScheduleError
	switch {
	case err == nil:
		return exitOK, nil
	case errors.As(err, &se):
		return exitUsage, usagef("%v; or give --force", err)
	}
	return exitFail, err
}

// source builds the token source from the flags, over the stored connection when one is named.
func (o tokenOptions) source(ctx context.Context, e env) (*actions.TokenSource, error) {
	runner := e.runner()
	var base *wif.Connection
	app := newApp(nil, runner, e, appOptions{})
	if o.cf.connection != "" {
		db, _, err := o.cf.openStore(ctx, true)
		if err != nil {
			return nil, err
		}
		defer db.Close()
		app = newApp(db, runner, e, appOptions{})
		if base, err = stored(ctx, app, o.cf.connection, o.cf.db); err != nil {
			return nil, err
		}
	}
	conn, err := o.cf.build(base)
	if err != nil {
		return nil, err
	}
	if err := requireAuthentik(conn); err != nil {
		return nil, err
	}
	if conn.CAPEM != "" {
		if _, err := tlsconf.Pool([]byte(conn.CAPEM)); err != nil {
			return nil, usagef("--ca-file: %v", err)
		}
	}
	secret, err := o.cf.secret(conn, e)
	if err != nil {
		return nil, err
	}
	src, err := app.TokenSource(conn, secret)
	if err != nil {
		return nil, usagef("%s; or give --client-secret-file PATH or %s", actions.SecretDetail(err), secretEnv)
	}
	return src, nil
}

// refreshSource adapts the use case's token source to the refresher.
func refreshSource(src *actions.TokenSource) refresh.Source {
	return refresh.SourceFunc(func(ctx context.Context) (refresh.Token, error) {
		raw, err := src.IdentityToken(ctx)
		if err != nil {
			return refresh.Token{}, err
		}
		return refresh.TokenFromJWT(raw)
	})
}
