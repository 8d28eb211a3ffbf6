package rule

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
)

// FuzzCondition: any condition on any claim set compiles or is refused, and evaluates without a
// panic, within the cost limit, to a verdict that is consistent with itself.
func FuzzCondition(f *testing.F) {
	f.Add(`claims.sub.startsWith("ak-") && claims.env in ["prod"]`, `{"sub":"ak-x","env":"dev"}`)
	f.Add(`claims.n > 5 || claims.ctx.repo == "a"`, `{"n":3,"ctx":{"repo":"b"}}`)
	f.Add(`claims.groups.exists(g, g == "x")`, `{"groups":["x"]}`)
	f.Add(`claims.missing == "x"`, `{}`)
	f.Add(`!(claims.a == 1) ? claims.b : false`, `{"a":1,"b":true}`)
	f.Add(`claims.s.matches("^(a+)+$")`, `{"s":"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaab"}`)
	f.Fuzz(func(t *testing.T, src, claimsJSON string) {
		var claims map[string]any
		if json.Unmarshal([]byte(claimsJSON), &claims) != nil {
			claims = map[string]any{}
		}
		r := CheckCondition(context.Background(), src, claims)
		switch {
		case r.OK:
			if r.Err != nil || !r.Value || r.Reason != "" {
				t.Fatalf("OK with %+v", r)
			}
		case r.Reason != ReasonCondition || r.Message == "" || r.Fix == "":
			t.Fatalf("a denial without reason, message or fix: %+v", r)
		case r.Err == nil && r.Actual != "false":
			t.Fatalf("denied without an error and not false: %+v", r)
		}
		if r.Err == nil && r.Cost > MaxCost {
			t.Fatalf("cost %d above the limit %d", r.Cost, MaxCost)
		}
		for _, l := range r.False {
			if l.Expr == "" || strings.Contains(l.String(), "(expression ") {
				t.Fatalf("a false leaf not rendered: %+v", l)
			}
		}
	})
}
