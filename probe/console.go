package probe

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"sync"

	"github.com/wifwiz/wifwiz/anthropic/console"
	"github.com/wifwiz/wifwiz/tlsconf"
	"github.com/wifwiz/wifwiz/verify"
	"github.com/wifwiz/wifwiz/wif"
)

// ConsoleClient opens the Console's management API with one token, at the connection's
// Anthropic base URL (or the runner's default), trusting the runner's extra Anthropic CA.
func (r *Runner) ConsoleClient(token, baseURL string) (*console.Client, error) {
	if baseURL == "" {
		baseURL = r.AnthropicBaseURL
	}
	return console.New(token, console.Options{BaseURL: baseURL, CAPEM: r.AnthropicCA})
}

// readConsole reads the connection's rule (by ID, else by name), its issuer, the issuer for the
// connection's issuer URL, its service account with its memberships, and its workspaces. The
// token is used for these requests only. Key sources are fetched later, by consoleKeys.
func (r *Runner) readConsole(ctx context.Context, req wif.ProbeRequest) *verify.ConsoleObservation {
	c := req.Connection
	client, err := r.ConsoleClient(req.ConsoleToken, c.AnthropicBaseURL)
	if err != nil {
		return &verify.ConsoleObservation{Access: accessError(err)}
	}
	o := &verify.ConsoleObservation{}
	org, err := client.Organization(ctx)
	switch {
	case err == nil:
		o.Organization = &org
	case isAccessError(err):
		return &verify.ConsoleObservation{Access: accessError(err)}
	}
	rule, err := findRule(ctx, client, c, o)
	if isAccessError(err) {
		return &verify.ConsoleObservation{Access: accessError(err)}
	}
	if rule == nil {
		return o
	}
	o.Rule = rule
	readAround(ctx, client, wif.EffectiveIssuerURL(c), o)
	return o
}

// findRule reads the rule by the recorded ID, else finds the live rule with the recorded name.
func findRule(ctx context.Context, client *console.Client, c wif.Connection, o *verify.ConsoleObservation) (*wif.ConsoleRule, error) {
	switch {
	case c.FederationRuleID != "":
		rule, err := client.Rule(ctx, c.FederationRuleID)
		if err != nil {
			o.RuleErr = notRead("federation rule "+c.FederationRuleID, err)
			return nil, err
		}
		return &rule, nil
	case c.RuleName != "":
		rule, ok, err := client.RuleByName(ctx, c.RuleName)
		switch {
		case err != nil:
			o.RuleErr = notRead("the rules", err)
			return nil, err
		case !ok:
			o.RuleErr = fmt.Sprintf("No live federation rule is named %q in this organization", c.RuleName)
			return nil, nil
		}
		o.RuleByName = true
		return &rule, nil
	}
	return nil, nil
}

// readAround reads what the rule names, side by side.
func readAround(ctx context.Context, client *console.Client, issuerURL string, o *verify.ConsoleObservation) {
	rule := o.Rule
	var wg sync.WaitGroup
	wg.Go(func() {
		iss, err := client.Issuer(ctx, rule.IssuerID)
		if err != nil {
			o.IssuerErr = notRead("issuer "+rule.IssuerID, err)
			return
		}
		o.Issuer = &iss
	})
	wg.Go(func() {
		if iss, ok, err := client.IssuerByURL(ctx, issuerURL); err == nil && ok {
			o.IssuerForURL = &iss
		}
	})
	wg.Go(func() {
		a, err := client.ServiceAccount(ctx, rule.Target.ServiceAccountID)
		if err != nil {
			o.AccountErr = notRead("service account "+rule.Target.ServiceAccountID, err)
			return
		}
		o.Account = &a
	})
	wg.Go(func() {
		ms, err := client.Memberships(ctx, rule.Target.ServiceAccountID)
		if err != nil {
			o.MembershipsErr = notRead("the memberships", err)
			return
		}
		o.Memberships = ms
	})
	wg.Go(func() {
		if ws, err := client.RuleWorkspaces(ctx, rule.ID); err == nil {
			o.RuleWorkspaces = ws
		}
	})
	wg.Wait()
}

// consoleKeys fetches the issuer's key source as Anthropic would, reusing what the verification
// already fetched when the Console's discovery document is the connection's.
func (r *Runner) consoleKeys(ctx context.Context, c wif.Connection, o *verify.ConsoleObservation, seen verify.Observation) {
	iss := o.Issuer
	if iss == nil || o.Access != nil {
		return
	}
	switch iss.JWKS.Type {
	case wif.JWKSInline:
		return
	case wif.JWKSExplicitURL:
		f, err := r.fetchPublic(ctx, c, iss, iss.JWKS.URL)
		o.KeyJWKS, o.KeyWhy = f, err
		return
	}
	base := iss.JWKS.DiscoveryBase
	if base == "" {
		base = iss.IssuerURL
	}
	u := wif.DiscoveryURLFor(base)
	if u == seen.Discovery.URL {
		d := seen.Discovery
		o.KeyDiscovery, o.KeyJWKS = &d, seen.JWKS
		if seen.JWKS == nil {
			o.KeyWhy = "discovery named no JWKS wifwiz may fetch"
		}
		return
	}
	d, why := r.fetchPublic(ctx, c, iss, u)
	o.KeyDiscovery, o.KeyWhy = d, why
	if d == nil || d.Status != http.StatusOK {
		return
	}
	doc, err := verify.ParseDiscovery(d.Body)
	if err != nil || doc.JWKSURL == "" {
		o.KeyWhy = "discovery at " + u + " names no jwks_uri"
		return
	}
	if !wif.TrustedEndpoint(iss.IssuerURL, base, doc.JWKSURL) {
		o.KeyWhy = "discovery names a jwks_uri on another origin (" + wif.Origin(doc.JWKSURL) + "), which wifwiz does not follow"
		return
	}
	o.KeyJWKS, o.KeyWhy = r.fetchPublic(ctx, c, iss, doc.JWKSURL)
}

// fetchPublic GETs a public document the Console's issuer names, trusting the connection's CA,
// the runner's and the issuer's own ca_cert_pem.
func (r *Runner) fetchPublic(ctx context.Context, c wif.Connection, iss *wif.ConsoleIssuer, u string) (*verify.Fetch, string) {
	client, err := r.authentikClient(string(tlsconf.Join([]byte(c.CAPEM), []byte(iss.JWKS.CACertPEM))))
	if err != nil {
		return nil, "the issuer's CA certificate is unusable: " + err.Error()
	}
	f := client.Get(ctx, u)
	return &f, ""
}

// isAccessError: the token itself, or reaching the API, is the problem.
func isAccessError(err error) bool {
	if err == nil {
		return false
	}
	var ce *console.Error
	if !errors.As(err, &ce) {
		return true // no answer at all
	}
	switch ce.Kind {
	case console.KindNoToken, console.KindAdminKey, console.KindAPIKey, console.KindMalformedToken, console.KindUnauthorized, console.KindForbidden:
		return true
	}
	return false
}

// accessError explains why the management API could not be used; it never holds the token.
func accessError(err error) *verify.ConsoleAccessError {
	var ce *console.Error
	if !errors.As(err, &ce) {
		return &verify.ConsoleAccessError{Kind: verify.ConsoleNoAnswer, Message: "The Console's management API did not answer: " + err.Error() + ".",
			Fix: "Check the Anthropic API base URL and this machine's access to it, then verify again."}
	}
	msg := ce.Explanation()
	if ce.Message != "" {
		msg += fmt.Sprintf(" The API said: %q.", ce.Message)
	}
	return &verify.ConsoleAccessError{Status: ce.Status, Kind: string(ce.Kind), Message: msg, Fix: ce.Fix}
}

// notRead says why an object could not be read.
func notRead(what string, err error) string {
	var ce *console.Error
	if errors.As(err, &ce) && ce.Kind == console.KindNotFound {
		return fmt.Sprintf("No %s in this organization (HTTP 404): the ID is wrong, or the token belongs to another organization", what)
	}
	return fmt.Sprintf("%s could not be read: %v", what, err)
}
