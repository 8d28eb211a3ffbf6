package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/wifwiz/wifwiz/actions"
	"github.com/wifwiz/wifwiz/anthropic"
	"github.com/wifwiz/wifwiz/verify"
	"github.com/wifwiz/wifwiz/wif"
)

const checkSummary = "check [flags] [--json]   (--connection NAME to take the values from a stored connection)"

// checkOptions are the flags of wifwiz check beyond the connection flags.
type checkOptions struct {
	cf                                           *connFlags
	json, requireIDs, exchange, force            bool
	save, secretRef, consoleTokenRef, akTokenRef string
}

func runCheck(ctx context.Context, args []string, e env) (int, error) {
	fs := newFlagSet("check", checkSummary, e)
	o := checkOptions{cf: newConnFlags(fs, e, authentikFlags|consoleFlags|storedFlags|adminFlags, nil)}
	fs.BoolVar(&o.requireIDs, "require-ids", false, "missing Console IDs fail instead of skip")
	fs.BoolVar(&o.exchange, "exchange", false, "also run the live Anthropic token exchange (spends the token's jti)")
	fs.StringVar(&o.save, "save", "", "store (create or update) the connection under this name and record the run")
	fs.BoolVar(&o.force, "force", false, "with --save: store the settings even when the check fails (a failing check keeps a stored connection's settings)")
	fs.StringVar(&o.secretRef, "secret-ref", "", "with --save: where audit finds the client secret later, env:NAME or file:/path (the reference is stored, never the secret)")
	fs.StringVar(&o.consoleTokenRef, "console-token-ref", "", "with --save: where audit, plan and apply find the Console token later, env:NAME or file:/path (the reference is stored, never the token)")
	fs.StringVar(&o.akTokenRef, "authentik-token-ref", "", "with --save: where later commands find the authentik API token, env:NAME or file:/path")
	fs.BoolVar(&o.json, "json", false, "print the JSON report (docs/verification.md) instead of the table")
	if err := parseFlags(fs, args, e); err != nil {
		return helpOrUsage(err)
	}
	if (o.consoleTokenRef != "" || o.akTokenRef != "") && o.save == "" {
		return exitUsage, usagef("--console-token-ref and --authentik-token-ref are stored with a connection: add --save NAME")
	}
	if o.secretRef != "" && o.save == "" {
		return exitUsage, usagef("--secret-ref is stored with a connection: add --save NAME (give the secret itself with --client-secret-file or %s)", secretEnv)
	}
	if o.force && o.save == "" {
		return exitUsage, usagef("--force only applies with --save NAME")
	}
	runner := e.runner()
	if o.cf.connection == "" && o.save == "" {
		return o.run(ctx, newApp(nil, runner, e, appOptions{}), e)
	}
	db, discard, err := o.cf.openStore(ctx, o.save == "")
	if err != nil {
		return exitUsage, err
	}
	if o.save != "" && db.ReadOnly() {
		db.Close()
		return exitUsage, usagef("--db %s is read-only for this user: --save cannot store the connection", o.cf.db)
	}
	code, err := o.run(ctx, newApp(db, runner, e, appOptions{}), e)
	if code == exitUsage {
		discard() // a mistake leaves no new database behind
	} else {
		db.Close()
	}
	return code, err
}

func (o checkOptions) run(ctx context.Context, app *actions.Service, e env) (int, error) {
	conn, target, err := o.connection(ctx, app)
	if err != nil {
		return exitUsage, err
	}
	secret, err := o.cf.secret(conn, e)
	if err != nil {
		return exitUsage, err
	}
	creds, err := o.cf.credentials(e)
	if err != nil {
		return exitUsage, err
	}
	if o.exchange {
		if err := checkAnthropicBase(conn, e.getenv("ANTHROPIC_BASE_URL")); err != nil {
			return exitUsage, err
		}
		fmt.Fprintln(e.stderr, "wifwiz check: note: --exchange sends the token to Anthropic, which spends its jti: this token cannot be exchanged again, by a workload or anyone.")
	}
	out, err := app.Check(ctx, actions.CheckRequest{Connection: conn, Secret: secret, RequireIDs: o.requireIDs,
		Exchange: o.exchange, SaveAs: o.save, Target: target, Force: o.force, Credentials: creds, Actor: cliActor()})
	if err != nil {
		return o.checkError(err)
	}
	if out.NotSaved != "" {
		fmt.Fprintf(e.stderr, "wifwiz check: not saved: %s\n", out.NotSaved)
	}
	if err := o.print(out.Report, e); err != nil {
		return exitFail, err
	}
	if !out.Report.OK {
		return exitFail, nil
	}
	return exitOK, nil
}

// checkError maps what Check refused to an exit code: what the invocation got wrong is exit 2.
func (o checkOptions) checkError(err error) (int, error) {
	var se *actions.SecretError
	switch {
	case errors.As(err, &se):
		return exitUsage, usagef("%s; or give --client-secret-file PATH or %s", actions.SecretDetail(err), secretEnv)
	case wif.ErrorCode(err) == wif.EINVALID:
		if fields := wif.ErrorFields(err); len(fields) > 0 {
			return exitUsage, usagef("--save would store a value the wizard refuses: %s", o.fieldError(fields))
		}
		return exitUsage, usagef("%v", err)
	}
	return exitFail, err
}

// flagOfField is the check flag that sets a connection field, where their names differ.
var flagOfField = map[string]string{wif.FieldName: "save", wif.FieldIssuerURL: "issuer", wif.FieldSubjectPrefix: "subject",
	wif.FieldCAPEM: "ca-file", wif.FieldInlineJWKS: "jwks-file", wif.FieldJWKSSource: "jwks-file", wif.FieldClaims: "claim"}

// fieldError names one field problem, the first in field order, as "--flag: message"; a field
// no flag sets came from the stored connection, and is named so.
func (o checkOptions) fieldError(fields map[string]string) string {
	for _, f := range wif.Fields {
		msg, ok := fields[f.Name]
		if !ok {
			continue
		}
		flag, ok := flagOfField[f.Name]
		if !ok {
			flag = strings.ReplaceAll(f.Name, "_", "-")
		}
		if o.cf.fs.Lookup(flag) != nil {
			return fmt.Sprintf("--%s: %s", flag, msg)
		}
		return fmt.Sprintf("%s, stored with the connection (change it in the wizard): %s", f.Label, msg)
	}
	names := slices.Sorted(maps.Keys(fields))
	return fmt.Sprintf("%s: %s", names[0], fields[names[0]])
}

// connection is the connection to verify: the stored one (--connection, or the --save target
// when it exists) with the flags given applied, else the flags alone. target is the stored row
// --save updates; nil when it creates one.
func (o checkOptions) connection(ctx context.Context, app *actions.Service) (conn wif.Connection, target *wif.Connection, err error) {
	var base *wif.Connection
	if o.cf.connection != "" {
		if base, err = stored(ctx, app, o.cf.connection, o.cf.db); err != nil {
			return conn, nil, err
		}
	}
	if o.save != "" {
		if target, err = saveTarget(ctx, app, o.save); err != nil {
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
		for _, r := range []struct {
			given string
			field *string
		}{{o.secretRef, &conn.SecretRef}, {o.consoleTokenRef, &conn.ConsoleTokenRef}, {o.akTokenRef, &conn.AuthentikTokenRef}} {
			if r.given != "" {
				*r.field = r.given
			}
		}
	}
	return conn, target, requireAuthentik(conn)
}

// saveTarget is the stored connection --save NAME updates, or nil when NAME is new.
func saveTarget(ctx context.Context, app *actions.Service, name string) (*wif.Connection, error) {
	c, err := app.ConnectionByName(ctx, name)
	if wif.ErrorCode(err) == wif.ENOTFOUND {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("read connection %q: %w", name, err)
	}
	return c, nil
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
