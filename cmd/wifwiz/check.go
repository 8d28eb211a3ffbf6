package main

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/wifwiz/wifwiz/anthropic"
	"github.com/wifwiz/wifwiz/probe"
	"github.com/wifwiz/wifwiz/store"
	"github.com/wifwiz/wifwiz/verify"
	"github.com/wifwiz/wifwiz/wif"
)

const checkSummary = "check [flags] [--json]   (--connection NAME to take the values from a stored connection)"

// checkOptions are the flags of wifwiz check beyond the connection flags.
type checkOptions struct {
	cf                         *connFlags
	json, requireIDs, exchange bool
	save, secretRef            string
}

func runCheck(ctx context.Context, args []string, e env) (int, error) {
	fs := newFlagSet("check", checkSummary, e)
	o := checkOptions{cf: newConnFlags(fs, e, authentikFlags|consoleFlags|storedFlags, nil)}
	fs.BoolVar(&o.requireIDs, "require-ids", false, "missing Console IDs fail instead of skip")
	fs.BoolVar(&o.exchange, "exchange", false, "also run the live Anthropic token exchange (spends the token's jti)")
	fs.StringVar(&o.save, "save", "", "store (create or update) the connection under this name and record the run")
	fs.StringVar(&o.secretRef, "secret-ref", "", "with --save: where audit finds the client secret later, env:NAME or file:/path (the reference is stored, never the secret)")
	fs.BoolVar(&o.json, "json", false, "print the JSON report (checks.md) instead of the table")
	if err := parseFlags(fs, args, e); err != nil {
		return helpOrUsage(err)
	}
	if o.secretRef != "" && o.save == "" {
		return exitUsage, usagef("--secret-ref is stored with a connection: add --save NAME (give the secret itself with --client-secret-file or %s)", secretEnv)
	}
	var db *store.DB
	if o.cf.connection != "" || o.save != "" {
		var err error
		if db, err = o.cf.openStore(ctx, o.save == ""); err != nil {
			return exitUsage, err
		}
		defer db.Close()
	}
	return o.run(ctx, db, e)
}

func (o checkOptions) run(ctx context.Context, db *store.DB, e env) (int, error) {
	conn, target, err := o.connection(ctx, db)
	if err != nil {
		return exitUsage, err
	}
	secret, err := o.cf.secret(conn, e)
	if err != nil {
		return exitUsage, err
	}
	runner := &probe.Runner{AnthropicBaseURL: e.getenv("ANTHROPIC_BASE_URL")}
	if o.exchange {
		if err := checkAnthropicBase(conn, runner.AnthropicBaseURL); err != nil {
			return exitUsage, err
		}
		fmt.Fprintln(e.stderr, "wifwiz check: note: --exchange sends the token to Anthropic, which spends its jti: this token cannot be exchanged again, by a workload or anyone.")
	}
	rep, err := runner.Verify(ctx, probe.Input{Connection: conn, Secret: secret, RequireIDs: o.requireIDs, Exchange: o.exchange})
	if err != nil {
		return exitUsage, usagef("cannot verify: %v", err)
	}
	if o.save != "" {
		if err := saveAndRecord(ctx, db, conn, target, rep); err != nil {
			return exitFail, err
		}
	}
	if err := o.print(rep, e); err != nil {
		return exitFail, err
	}
	if !rep.OK {
		return exitFail, nil
	}
	return exitOK, nil
}

// connection is the connection to verify: the stored one (--connection, or the --save target
// when it exists) with the flags given applied, else the flags alone. target is the stored row
// --save updates; nil when it creates one.
func (o checkOptions) connection(ctx context.Context, db *store.DB) (conn wif.Connection, target *wif.Connection, err error) {
	var base *wif.Connection
	if o.cf.connection != "" {
		if base, err = stored(ctx, db, o.cf.connection, o.cf.db); err != nil {
			return conn, nil, err
		}
	}
	if o.save != "" {
		if target, err = saveTarget(ctx, db, o.save); err != nil {
			return conn, nil, err
		}
		if base == nil {
			base = target
		}
	}
	if conn, err = o.cf.build(base); err != nil {
		return conn, nil, err
	}
	if o.save != "" {
		conn.Name = o.save
		if o.secretRef != "" {
			conn.SecretRef = o.secretRef
		}
		if err := validateSave(conn); err != nil {
			return conn, nil, err
		}
	}
	return conn, target, requireAuthentik(conn)
}

// checkAnthropicBase turns a malformed Anthropic base URL into a usage error before any token
// is requested, since the exchange would spend it for nothing.
func checkAnthropicBase(conn wif.Connection, fallback string) error {
	base, name := conn.AnthropicBaseURL, "--anthropic-base-url"
	if base == "" {
		base, name = fallback, "ANTHROPIC_BASE_URL"
	}
	if _, err := anthropic.ParseBaseURL(base); err != nil {
		return usagef("%s: %v", name, err)
	}
	return nil
}

func (o checkOptions) print(rep verify.Report, e env) error {
	if o.json {
		enc := json.NewEncoder(e.stdout)
		enc.SetIndent("", "  ")
		if err := enc.Encode(rep); err != nil {
			return fmt.Errorf("write the JSON report: %w", err)
		}
		return nil
	}
	return writeReport(e.stdout, rep, colorFor(e))
}
