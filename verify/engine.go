package verify

import (
	"time"

	"github.com/go-jose/go-jose/v4"
)

// run carries what earlier checks found to later ones. A nil value always comes with the reason
// in its *Why field, which later checks report as their skip reason.
type run struct {
	cfg    Config
	obs    Observation
	now    time.Time
	checks []Check
	glance glance // the issuer's kind and the issuers it names, read before the checks

	recorded Config       // cfg as given, before the Console's values replaced some of it
	console  *consoleRead // nil when the Console was not read

	disc    *discoveryDoc
	discWhy string

	keys       *keySet // the keys Anthropic uses: the inline JWKS, else the fetched one
	keysWhy    string
	remoteKeys *keySet // the fetched JWKS, also when the Console uses inline keys

	tok    *pickedToken
	tokWhy string

	jwt    *decodedJWT // a readable compact JWS
	jwtWhy string

	key    *jose.JSONWebKey // the key the kid names
	keyWhy string

	minted time.Duration // the lifetime Anthropic will mint; 0 when unknown
}

// checkFuncs runs in CheckIDs order; each sees what the earlier ones recorded.
var checkFuncs = map[string]func(*run) Check{
	CheckConsoleIDs:        (*run).checkIDs,
	CheckConsoleAccess:     (*run).checkConsoleAccess,
	CheckConsoleIssuer:     (*run).checkConsoleIssuer,
	CheckConsoleRule:       (*run).checkConsoleRule,
	CheckConsoleAccount:    (*run).checkConsoleAccount,
	CheckAuthentikProvider: (*run).checkAuthentikProvider,
	CheckIssuerURL:         (*run).checkIssuerURL,
	CheckIssuerPublic:      (*run).checkIssuerPublic,
	CheckDiscovery:         (*run).checkDiscovery,
	CheckDiscoveryIssuer:   (*run).checkDiscoveryIssuer,
	CheckJWKS:              (*run).checkJWKS,
	CheckTokenRequest:      (*run).checkTokenRequest,
	CheckTokenFormat:       (*run).checkTokenFormat,
	CheckHeaderAlg:         (*run).checkHeaderAlg,
	CheckHeaderKid:         (*run).checkHeaderKid,
	CheckSignature:         (*run).checkSignature,
	CheckClaimIss:          (*run).checkClaimIss,
	CheckClaimSub:          (*run).checkClaimSub,
	CheckClaimAud:          (*run).checkClaimAud,
	CheckRuleClaims:        (*run).checkRuleClaims,
	CheckRuleCondition:     (*run).checkRuleCondition,
	CheckClaimExp:          (*run).checkClaimExp,
	CheckClaimIat:          (*run).checkClaimIat,
	CheckClaimNbf:          (*run).checkClaimNbf,
	CheckLifetime:          (*run).checkLifetime,
	CheckRuleLifetime:      (*run).checkRuleLifetime,
	CheckExchange:          (*run).checkExchange,
}

// Run performs every check of docs/verification.md on what was configured and observed, at time now. It
// does no I/O and reads no clock; DurationMS is left for the caller, who timed the fetches.
func Run(cfg Config, obs Observation, now time.Time) Report {
	r := &run{cfg: cfg, obs: obs.redacted(), now: now}
	r.takeGlance()
	r.readConsole()
	for _, id := range CheckIDs {
		c := checkFuncs[id](r)
		c.ID = id
		r.checks = append(r.checks, c)
	}
	return r.report()
}

func (r *run) report() Report {
	rep := Report{Issuer: r.cfg.IssuerURL, StartedAt: r.now, Checks: r.checks, Token: r.tokenSummary(), Console: r.consoleState()}
	if r.cfg.Connection != "" {
		name := r.cfg.Connection
		rep.Connection = &name
	}
	for _, c := range r.checks {
		rep.Summary.add(c.Status)
	}
	rep.OK = rep.Summary.Fail == 0
	return rep
}

func (s *Summary) add(st Status) {
	switch st {
	case Pass:
		s.Pass++
	case Warn:
		s.Warn++
	case Fail:
		s.Fail++
	case Skip:
		s.Skip++
	}
}

func pass(expected, actual, message string) Check {
	return Check{Status: Pass, Expected: expected, Actual: actual, Message: message}
}

func warn(expected, actual, message, fix string) Check {
	return Check{Status: Warn, Expected: expected, Actual: actual, Message: message, Fix: fix}
}

func fail(expected, actual, message, fix string) Check {
	return Check{Status: Fail, Expected: expected, Actual: actual, Message: message, Fix: fix}
}

// skip says why a check did not run; the reason is never empty.
func skip(expected, reason string) Check {
	return Check{Status: Skip, Expected: expected, Message: reason}
}
