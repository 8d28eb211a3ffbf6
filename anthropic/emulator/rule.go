package emulator

import (
	"errors"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"time"
)

// Facts from docs/facts.md ("IDs", "Rule and issuer settings", "What Anthropic checks").
const (
	defaultScope     = "workspace:developer"
	defaultLifetime  = 3600 * time.Second
	minMinted        = 60 * time.Second
	leeway           = 30 * time.Second
	defaultWorkspace = "default"
)

var (
	ruleIDPattern      = regexp.MustCompile(`^fdrl_[A-Za-z0-9_-]+$`)
	serviceAcctPattern = regexp.MustCompile(`^svac_[A-Za-z0-9_-]+$`)
	workspacePattern   = regexp.MustCompile(`^(wrkspc_[A-Za-z0-9_-]+|default)$`)
	uuidPattern        = regexp.MustCompile(`^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$`)
)

func (r Rule) check() error {
	switch {
	case !ruleIDPattern.MatchString(r.ID):
		return errors.New("ID must look like fdrl_…")
	case !uuidPattern.MatchString(r.OrganizationID):
		return errors.New("OrganizationID must be a UUID")
	case !serviceAcctPattern.MatchString(r.ServiceAccountID):
		return errors.New("ServiceAccountID must look like svac_…")
	case r.IssuerURL == "":
		return errors.New("IssuerURL is required")
	case r.SubjectPrefix == "*" || r.SubjectPrefix == "" && len(r.Claims) == 0 && r.Condition == "":
		return errors.New("SubjectPrefix must be a subject or a prefix ending with * (not * alone), unless Claims or Condition is set")
	case r.Audience == "":
		return errors.New("audience is required")
	}
	if r.Condition != "" {
		if _, err := compileCondition(r.Condition); err != nil {
			return fmt.Errorf("condition: %w", err)
		}
	}
	if n := r.keySources(); n != 1 {
		return fmt.Errorf("exactly one of JWKS, KeySet and JWKSURL must be set, got %d", n)
	}
	for _, w := range r.Workspaces {
		if !workspacePattern.MatchString(w) {
			return fmt.Errorf("workspace %q must look like wrkspc_… or be default", w)
		}
	}
	return nil
}

func (r Rule) keySources() int {
	n := 0
	for _, set := range []bool{r.JWKS != nil, r.KeySet != nil, r.JWKSURL != ""} {
		if set {
			n++
		}
	}
	return n
}

func (r Rule) withDefaults() Rule {
	if r.Scope == "" {
		r.Scope = defaultScope
	}
	if r.TokenLifetime <= 0 {
		r.TokenLifetime = defaultLifetime
	}
	if r.MaxIdentityTokenLifetime <= 0 {
		r.MaxIdentityTokenLifetime = defaultLifetime
	}
	if len(r.Workspaces) == 0 {
		r.Workspaces = []string{defaultWorkspace}
	}
	return r
}

// matchSubject applies the rule's subject prefix: exact, or a case-sensitive prefix when it
// ends with *. A rule without one does not match on the subject.
func (r Rule) matchSubject(sub string) bool {
	if r.SubjectPrefix == "" {
		return true
	}
	if p, ok := strings.CutSuffix(r.SubjectPrefix, "*"); ok {
		return strings.HasPrefix(sub, p)
	}
	return sub == r.SubjectPrefix
}

// workspace picks the workspace an exchange is for: the one asked, or the rule's only one.
func (r Rule) workspace(asked string) (string, error) {
	if asked != "" {
		if !slices.Contains(r.Workspaces, asked) {
			return "", fmt.Errorf("workspace %q is not enabled for the rule", asked)
		}
		return asked, nil
	}
	if len(r.Workspaces) > 1 {
		return "", fmt.Errorf("the rule is enabled for %d workspaces and no workspace_id was sent", len(r.Workspaces))
	}
	return r.Workspaces[0], nil
}

// minted is the access token lifetime Anthropic grants: max(60, min(rule, 2 × remaining)).
func (r Rule) minted(exp, now time.Time) time.Duration {
	return max(minMinted, min(r.TokenLifetime, 2*exp.Sub(now)))
}
