package main

import (
	"context"
	"log/slog"
	"time"

	"github.com/wifwiz/wifwiz/actions"
	"github.com/wifwiz/wifwiz/probe"
	"github.com/wifwiz/wifwiz/refresh"
	"github.com/wifwiz/wifwiz/tlsconf"
	"github.com/wifwiz/wifwiz/wif"
)

const tokenSummary = "token --out FILE [--once] [flags]   (--connection NAME to take the values from a stored connection)"

// tokenOptions are the flags of wifwiz token beyond the authentik connection flags.
type tokenOptions struct {
	cf        *connFlags
	out       string
	once      bool
	refreshAt float64
	minBefore time.Duration
}

func runToken(ctx context.Context, args []string, e env) (int, error) {
	fs := newFlagSet("token", tokenSummary, e)
	o := tokenOptions{cf: newConnFlags(fs, e, authentikFlags|storedFlags, map[string]string{"token-field": wif.TokenFieldIDToken})}
	fs.StringVar(&o.out, "out", "", "identity token file to keep fresh (replaced atomically, mode 0600); point ANTHROPIC_IDENTITY_TOKEN_FILE at it")
	fs.BoolVar(&o.once, "once", false, "refresh once and exit; non-zero exit when that fails")
	fs.Float64Var(&o.refreshAt, "refresh-at", refresh.DefaultRefreshAt, "refresh after this share of the token's lifetime, in (0, 1]")
	fs.DurationVar(&o.minBefore, "min-before-expiry", refresh.DefaultMinBeforeExpiry, "refresh at the latest this long before the token expires")
	if err := parseFlags(fs, args, e); err != nil {
		return helpOrUsage(err)
	}
	if err := o.validate(); err != nil {
		return exitUsage, err
	}
	src, err := o.source(ctx, e)
	if err != nil {
		return exitUsage, err
	}
	log := slog.New(slog.NewTextHandler(e.stderr, nil))
	r := &refresh.Refresher{Source: refreshSource(src), Out: o.out, RefreshAt: o.refreshAt, MinBeforeExpiry: o.minBefore, Logger: log}
	if o.once {
		if err := r.Once(ctx); err != nil {
			return exitFail, err
		}
		return exitOK, nil
	}
	log.Info("keeping the identity token file fresh until stopped", "path", o.out, "issuer", src.Connection().IssuerURL, "client_id", src.Connection().ClientID)
	if err := r.Run(ctx); err != nil {
		return exitFail, err
	}
	log.Info("stopped", "path", o.out)
	return exitOK, nil
}

func (o tokenOptions) validate() error {
	switch {
	case o.out == "":
		return usagef("give --out FILE: the identity token file the workload reads (ANTHROPIC_IDENTITY_TOKEN_FILE)")
	case o.refreshAt <= 0 || o.refreshAt > 1:
		return usagef("--refresh-at %g: give a share of the token's lifetime above 0 and at most 1, e.g. 0.5", o.refreshAt)
	case o.minBefore < 0:
		return usagef("--min-before-expiry %s: give a duration of zero or more, e.g. 2m", o.minBefore)
	}
	return nil
}

// source builds the token source from the flags, over the stored connection when one is named.
func (o tokenOptions) source(ctx context.Context, e env) (*actions.TokenSource, error) {
	runner := &probe.Runner{}
	var base *wif.Connection
	app := newApp(nil, runner, e, appOptions{})
	if o.cf.connection != "" {
		db, err := o.cf.openStore(ctx, true)
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
