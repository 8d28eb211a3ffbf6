package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"strings"

	"golang.org/x/term"

	"github.com/wifwiz/wifwiz/actions"
	"github.com/wifwiz/wifwiz/wif"
)

// planOptions are the flags of plan and apply.
type planOptions struct {
	cf               *connFlags
	side             string
	json, yes        bool
	clientSecretOut  string
	scope, workspace string
	signingKey, sub  string
	apply            bool
	stdin            io.Reader
	stdinIsTerminal  func() bool
}

func runPlan(ctx context.Context, args []string, e env) (int, error) {
	return planOrApply(ctx, args, e, false)
}

func runApply(ctx context.Context, args []string, e env) (int, error) {
	return planOrApply(ctx, args, e, true)
}

func planOrApply(ctx context.Context, args []string, e env, apply bool) (int, error) {
	name := "plan"
	summary := "plan --connection NAME [--side authentik|console|both] [--json]"
	if apply {
		name, summary = "apply", "apply --connection NAME [--side authentik|console|both] [--yes] [--client-secret-out FILE]"
	}
	fs := newFlagSet(name, summary, e)
	o := planOptions{cf: newConnFlags(fs, e, storedFlags|adminFlags, nil), apply: apply, stdin: os.Stdin,
		stdinIsTerminal: func() bool { return term.IsTerminal(int(os.Stdin.Fd())) }}
	fs.StringVar(&o.side, "side", "both", "which side to read and change: authentik, console or both")
	fs.StringVar(&o.scope, "scope", "", "the rule's OAuth scope (default workspace:inference)")
	fs.StringVar(&o.workspace, "workspace-id", "", "the workspace the rule and the service account's membership are for (default: the connection's)")
	fs.StringVar(&o.signingKey, "signing-key", "", "the authentik keypair to sign with, by name (default: the first RSA or EC keypair with a private key)")
	fs.StringVar(&o.sub, "subject-mode", "", "the provider's subject mode (default user_username, so sub is the service account's name)")
	fs.BoolVar(&o.json, "json", false, "print the plan as JSON")
	if apply {
		fs.BoolVar(&o.yes, "yes", false, "apply without asking (required when stdin is not a terminal)")
		fs.StringVar(&o.clientSecretOut, "client-secret-out", "", "when a provider is created, write its client secret to this file (mode 0600); it is never stored")
	}
	if err := parseFlags(fs, args, e); err != nil {
		return helpOrUsage(err)
	}
	if o.cf.connection == "" {
		return exitUsage, usagef("give --connection NAME: the stored connection to %s", name)
	}
	if !actions.ValidSide(o.side) {
		return exitUsage, usagef("--side %q: choose authentik, console or both", o.side)
	}
	db, _, err := o.cf.openStore(ctx, true)
	if err != nil {
		return exitUsage, err
	}
	defer db.Close()
	return o.run(ctx, newApp(db, e.runner(), e, appOptions{}), e)
}

func (o planOptions) request(conn wif.Connection, creds actions.Credentials) actions.PlanRequest {
	side := o.side
	if side == "both" {
		side = ""
	}
	return actions.PlanRequest{Connection: conn, Side: side, Credentials: creds, Choices: actions.PlanChoices{
		OAuthScope: o.scope, WorkspaceID: o.workspace, SigningKey: o.signingKey, SubjectMode: o.sub}}
}

func (o planOptions) run(ctx context.Context, app *actions.Service, e env) (int, error) {
	conn, err := stored(ctx, app, o.cf.connection, o.cf.db)
	if err != nil {
		return exitUsage, err
	}
	creds, err := o.cf.credentials(e)
	if err != nil {
		return exitUsage, err
	}
	req := o.request(*conn, creds)
	plan, err := app.Plan(ctx, req)
	if err != nil {
		return planError(err)
	}
	if err := o.print(e.stdout, plan); err != nil {
		return exitFail, err
	}
	if !o.apply || plan.Changes() == 0 {
		return exitOK, nil
	}
	if ok, err := o.consent(e); !ok {
		return exitUsage, err
	}
	return o.applyPlan(ctx, app, req, e)
}

// consent: --yes, or a "yes" typed at a terminal. Without a terminal --yes is required.
func (o planOptions) consent(e env) (bool, error) {
	if o.yes {
		return true, nil
	}
	if !o.stdinIsTerminal() {
		return false, usagef("nothing was changed: stdin is not a terminal, so give --yes to apply this plan")
	}
	fmt.Fprint(e.stdout, "\nApply these changes? Type yes to go on: ")
	var answer string
	fmt.Fscanln(o.stdin, &answer)
	if strings.TrimSpace(answer) != "yes" {
		return false, usagef("nothing was changed (the answer was not yes)")
	}
	return true, nil
}

func (o planOptions) applyPlan(ctx context.Context, app *actions.Service, req actions.PlanRequest, e env) (int, error) {
	done, err := app.Apply(ctx, req, cliActor())
	if done.ClientSecret != "" {
		if werr := o.writeClientSecret(done.ClientSecret, e); werr != nil {
			return exitFail, werr
		}
	}
	if err != nil {
		code, perr := planError(err)
		return code, perr
	}
	fmt.Fprintf(e.stdout, "\nApplied %d %s; the IDs are recorded on connection %q.\n", done.Plan.Changes(),
		plural(done.Plan.Changes(), "change", "changes"), done.Connection.Name)
	return exitOK, nil
}

// writeClientSecret hands a new provider's client secret to the admin once: to
// --client-secret-out (mode 0600), never to the database or stdout.
func (o planOptions) writeClientSecret(secret string, e env) error {
	if o.clientSecretOut == "" {
		fmt.Fprintln(e.stderr, "wifwiz apply: the new provider's client secret was not written anywhere: give --client-secret-out FILE next time, or copy it from the provider's edit form in authentik.")
		return nil
	}
	if err := os.WriteFile(o.clientSecretOut, []byte(secret+"\n"), 0o600); err != nil {
		return fmt.Errorf("write the client secret to --client-secret-out %s: %w", o.clientSecretOut, err)
	}
	fmt.Fprintf(e.stderr, "wifwiz apply: the new provider's client secret is in %s (mode 0600); wifwiz does not keep it.\n", o.clientSecretOut)
	return nil
}

// planError: what the invocation or the credentials got wrong is exit 2; the rest exit 1.
func planError(err error) (int, error) {
	if wif.ErrorCode(err) == wif.EINVALID {
		return exitUsage, usagef("%s", actions.SecretDetail(err))
	}
	return exitFail, err
}

func (o planOptions) print(w io.Writer, plan wif.Plan) error {
	if o.json {
		enc := json.NewEncoder(w)
		enc.SetIndent("", "  ")
		return enc.Encode(plan)
	}
	_, err := io.WriteString(w, planText(plan))
	return err
}

// planText reads like a Terraform plan: + create, ~ update, = no change, field by field.
func planText(plan wif.Plan) string {
	var b strings.Builder
	marks := map[wif.PlanAction]string{wif.PlanCreate: "+", wif.PlanUpdate: "~", wif.PlanKeep: "="}
	for _, st := range plan.Steps {
		fmt.Fprintf(&b, "%s %s %s %q", marks[st.Action], st.Side, st.Object, printable(st.Name))
		if st.ID != "" {
			fmt.Fprintf(&b, " (%s)", printable(st.ID))
		}
		fmt.Fprintf(&b, ": %s\n", st.Action)
		for _, f := range st.Fields {
			switch st.Action {
			case wif.PlanCreate:
				fmt.Fprintf(&b, "    %s = %s\n", f.Name, printable(f.Wanted))
			default:
				fmt.Fprintf(&b, "    %s: %s → %s\n", f.Name, printable(f.Current), printable(f.Wanted))
			}
		}
		if st.Note != "" {
			fmt.Fprintf(&b, "    note: %s\n", printable(st.Note))
		}
	}
	n := plan.Changes()
	fmt.Fprintf(&b, "\nPlan for %q: %d to change, %d already as wanted.\n", printable(plan.Connection), n, len(plan.Steps)-n)
	return b.String()
}
