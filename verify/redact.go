package verify

import "github.com/wifwiz/wifwiz/redact"

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
// exchange's error. A token response that succeeded is left whole (its tokens are checked as
// sent); what the report quotes of it passes through the redactor there.
func (obs Observation) redacted() Observation {
	r := obs.Redactor
	if r == nil {
		return obs
	}
	out := obs
	out.Discovery = redactFetch(r, obs.Discovery)
	if obs.JWKS != nil {
		f := redactFetch(r, *obs.JWKS)
		out.JWKS = &f
	}
	if obs.Token != nil {
		t := *obs.Token
		t.Err = r.String(t.Err)
		if t.Status != 200 {
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
	return out
}

func redactFetch(r *redact.Redactor, f Fetch) Fetch {
	f.Err = r.String(f.Err)
	f.Body = []byte(r.String(string(f.Body)))
	return f
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
