package actions

import (
	"context"
	"errors"
	"time"

	"github.com/wifwiz/wifwiz/verify"
	"github.com/wifwiz/wifwiz/wif"
)

// ConsoleAPI is the Console's WIF management API opened with one token, for one read, plan or
// apply; anthropic/console implements it. Lists hold live objects only.
type ConsoleAPI interface {
	Organization(ctx context.Context) (wif.Organization, error)
	Issuers(ctx context.Context) ([]wif.ConsoleIssuer, error)
	Issuer(ctx context.Context, id string) (wif.ConsoleIssuer, error)
	Rules(ctx context.Context, issuerID string) ([]wif.ConsoleRule, error)
	Rule(ctx context.Context, id string) (wif.ConsoleRule, error)
	RuleWorkspaces(ctx context.Context, ruleID string) ([]wif.RuleWorkspace, error)
	ServiceAccounts(ctx context.Context) ([]wif.ServiceAccount, error)
	ServiceAccount(ctx context.Context, id string) (wif.ServiceAccount, error)
	Memberships(ctx context.Context, serviceAccountID string) ([]wif.Membership, error)

	CreateIssuer(ctx context.Context, i wif.ConsoleIssuer) (wif.ConsoleIssuer, error)
	// UpdateIssuer sets the issuer's issuer_url, key source and maximum JWT lifetime to i's.
	UpdateIssuer(ctx context.Context, id string, i wif.ConsoleIssuer) (wif.ConsoleIssuer, error)
	CreateServiceAccount(ctx context.Context, a wif.ServiceAccount) (wif.ServiceAccount, error)
	AddMembership(ctx context.Context, m wif.Membership) (wif.Membership, error)
	// CreateRule creates r, enabled in r.WorkspaceID.
	CreateRule(ctx context.Context, r wif.ConsoleRule) (wif.ConsoleRule, error)
	// UpdateRule sets the rule's match, target, scope and token lifetime to r's.
	UpdateRule(ctx context.Context, id string, r wif.ConsoleRule) (wif.ConsoleRule, error)
	EnableRuleInWorkspace(ctx context.Context, ruleID, workspaceID string) error
}

// ConsoleOpener opens the management API at baseURL ("" for Anthropic's) with a token.
type ConsoleOpener func(token, baseURL string) (ConsoleAPI, error)

// consoleAPI opens the Console for a connection with the token given, else the one its
// reference points to.
func (s *Service) consoleAPI(c wif.Connection, given Credentials) (ConsoleAPI, error) {
	if s.console == nil {
		return nil, errors.New("no Console client is wired")
	}
	token, err := s.givenOrStored(given.ConsoleToken, c, consoleSlot)
	if err != nil {
		return nil, err
	}
	if token == "" {
		return nil, wif.Errorf(wif.EINVALID, "Give an Anthropic OAuth access token with the org:admin scope (`ant auth print-credentials --access-token`): the Console is read and changed through its management API.")
	}
	api, err := s.console(token, c.AnthropicBaseURL)
	if err != nil {
		return nil, consoleError(err)
	}
	return api, nil
}

// consoleError makes a refusal the management API explained (an expired token, a missing scope,
// a field it refused) an error the person can act on; anything else stays internal.
func consoleError(err error) error {
	var explained interface{ Explanation() string }
	if err == nil || !errors.As(err, &explained) {
		return err
	}
	return &wif.Error{Code: wif.EINVALID, Message: err.Error()}
}

// ConsoleCatalog is what the Console holds for a connection's issuer URL: the organization, and
// the live issuers whose issuer_url is exactly that URL, each with its live rules.
type ConsoleCatalog struct {
	Organization wif.Organization
	Issuers      []CatalogIssuer
	IssuerURL    string
	Others       int // live issuers for other URLs
}

// CatalogIssuer is one issuer and its rules.
type CatalogIssuer struct {
	Issuer wif.ConsoleIssuer
	Rules  []wif.ConsoleRule
}

// ReadConsole lists the Console's issuers for the connection's issuer URL and their rules, so
// the admin can pick the rule the connection uses. The token is used for these requests only.
func (s *Service) ReadConsole(ctx context.Context, c wif.Connection, creds Credentials) (ConsoleCatalog, error) {
	api, err := s.consoleAPI(c, creds)
	if err != nil {
		return ConsoleCatalog{}, err
	}
	out := ConsoleCatalog{IssuerURL: wif.EffectiveIssuerURL(c)}
	if out.Organization, err = api.Organization(ctx); err != nil {
		return out, consoleError(err)
	}
	issuers, err := api.Issuers(ctx)
	if err != nil {
		return out, consoleError(err)
	}
	for _, iss := range issuers {
		if iss.IssuerURL != out.IssuerURL {
			out.Others++
			continue
		}
		rules, err := api.Rules(ctx, iss.ID)
		if err != nil {
			return out, consoleError(err)
		}
		out.Issuers = append(out.Issuers, CatalogIssuer{Issuer: iss, Rules: rules})
	}
	return out, nil
}

// TakeConsoleValues records on the connection the Console's values its last report read — the
// wizard's "Take the Console's values" — and saves them under the Console step's validation.
func (s *Service) TakeConsoleValues(ctx context.Context, c wif.Connection, actor string) (StepSaved, error) {
	last, err := s.LastRun(ctx, c.ID)
	if err != nil {
		return StepSaved{}, err
	}
	if last == nil || last.Report.Console == nil {
		return StepSaved{}, wif.Errorf(wif.EINVALID, "The last verification did not read the Console: verify with a Console token first.")
	}
	st := last.Report.Console
	edited := c
	edited.TakeConsole(st.OrganizationID, st.Issuer, st.Rule)
	if fe := wif.ValidateConsole(edited); len(fe) > 0 {
		return StepSaved{Fields: fe}, nil
	}
	edited.Step = max(edited.Step, StepConsole)
	return s.update(ctx, edited, actor, nil)
}

// ConsolePrefill are the Console step's values observed in the last run: the sample token's sub,
// and lifetimes that fit the token (zero when there is no token).
type ConsolePrefill struct {
	SubjectPrefix string
	MaxLifetime   time.Duration
	TokenLifetime time.Duration
}

// PrefillFrom reads what the Console step can take from a report of connection c.
func PrefillFrom(c wif.Connection, rep *verify.Report) ConsolePrefill {
	var p ConsolePrefill
	if rep == nil || rep.Token == nil {
		return p
	}
	p.SubjectPrefix, _ = rep.Token.Claims["sub"].(string)
	life, ok := rep.Token.Lifetime()
	if !ok || life <= 0 {
		return p
	}
	validity, _ := wif.ParseValidity(c.AccessTokenValidity)
	p.MaxLifetime, p.TokenLifetime = wif.SuggestedLifetimes(life, validity)
	return p
}

func secondsOf(d time.Duration) int { return int(d / time.Second) }
