package verify

import (
	"net/http"

	"github.com/wifwiz/wifwiz/redact"
)

// Redact is the report with every string passed through r — the checks' texts, the token's
// header and claims (names and values, at any depth) — so that a secret a request carried never
// reaches what the report is stored or shown as, whatever the issuer echoed. The engine itself
// removes token shapes; only its caller knows the secrets. r may be nil (token shapes only).
func (rep Report) Redact(r *redact.Redactor) Report {
	out := rep
	if rep.Connection != nil {
		name := r.String(*rep.Connection)
		out.Connection = &name
	}
	out.Issuer = r.String(rep.Issuer)
	out.Checks = make([]Check, len(rep.Checks))
	for i, c := range rep.Checks {
		c.Expected, c.Actual, c.Message, c.Fix = r.String(c.Expected), r.String(c.Actual), r.String(c.Message), r.String(c.Fix)
		out.Checks[i] = c
	}
	if rep.Token != nil {
		t := *rep.Token
		t.Header, _ = mapStrings(t.Header, r.String).(map[string]any)
		t.Claims, _ = mapStrings(t.Claims, r.String).(map[string]any)
		out.Token = &t
	}
	return out
}

// redacted is obs with its Redactor applied to everything an answer could echo a secret in:
// transport errors, the bodies of discovery, the JWKS and a refused token request, the
// exchange's error, the Console's key-source fetches and read errors, the provider read's
// error. A token response that succeeded is left whole (its tokens are checked as sent); what
// the report quotes of it passes through the redactor there.
func (obs Observation) redacted() Observation {
	r := obs.Redactor
	if r == nil {
		return obs
	}
	out := obs
	out.Discovery = redactFetch(r, obs.Discovery)
	out.JWKS = redactFetchRef(r, obs.JWKS)
	if obs.Token != nil {
		t := *obs.Token
		t.Err = r.String(t.Err)
		if t.Status != http.StatusOK {
			t.Body = []byte(r.String(string(t.Body)))
		}
		out.Token = &t
	}
	if obs.Exchange != nil {
		x := *obs.Exchange
		x.Err, x.ErrorType, x.Message = r.String(x.Err), r.String(x.ErrorType), r.String(x.Message)
		out.Exchange = &x
	}
	out.ResolveErr = r.String(obs.ResolveErr)
	if obs.Console != nil {
		out.Console = obs.Console.redacted(r)
	}
	if obs.Provider != nil {
		p := *obs.Provider
		p.Err = r.String(p.Err)
		out.Provider = &p
	}
	return out
}

// redacted is o with r applied to what the issuer's key source answered (fetched as Anthropic
// fetches it, from the same issuer that received the client secret) and to the errors of the reads.
func (o *ConsoleObservation) redacted(r *redact.Redactor) *ConsoleObservation {
	out := *o
	out.KeyDiscovery, out.KeyJWKS = redactFetchRef(r, o.KeyDiscovery), redactFetchRef(r, o.KeyJWKS)
	out.KeyWhy, out.RuleErr, out.IssuerErr = r.String(o.KeyWhy), r.String(o.RuleErr), r.String(o.IssuerErr)
	out.AccountErr, out.MembershipsErr = r.String(o.AccountErr), r.String(o.MembershipsErr)
	if o.Access != nil {
		a := *o.Access
		a.Message, a.Fix = r.String(a.Message), r.String(a.Fix)
		out.Access = &a
	}
	return &out
}

func redactFetch(r *redact.Redactor, f Fetch) Fetch {
	f.Err = r.String(f.Err)
	f.Body = []byte(r.String(string(f.Body)))
	return f
}

// redactFetchRef is redactFetch of a fetch that may not have been made (nil).
func redactFetchRef(r *redact.Redactor, f *Fetch) *Fetch {
	if f == nil {
		return nil
	}
	g := redactFetch(r, *f)
	return &g
}

// mapStrings copies a decoded JSON value with f applied to every string, names included.
func mapStrings(v any, f func(string) string) any {
	switch x := v.(type) {
	case string:
		return f(x)
	case map[string]any:
		if x == nil {
			return x
		}
		m := make(map[string]any, len(x))
		for k, e := range x {
			m[f(k)] = mapStrings(e, f)
		}
		return m
	case []any:
		s := make([]any, len(x))
		for i, e := range x {
			s[i] = mapStrings(e, f)
		}
		return s
	}
	return v
}
