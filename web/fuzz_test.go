package web_test

import (
	"context"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"

	"github.com/wifwiz/wifwiz/wif"
)

// formFields are the inputs of the wizard's saving steps (1, 2, 3's stored settings, 4).
var formFields = map[int][]string{
	1: {"name", "authentik_url", "app_slug", "provider_name", "issuer_mode"},
	2: {"client_id", "access_token_validity", "subject_mode"},
	4: {"service_account_id", "issuer_name", "issuer_url", "jwks_source", "inline_jwks", "discovery_base", "rule_name",
		"subject_prefix", "audience", "oauth_scope", "token_lifetime", "max_identity_token_lifetime",
		"federation_rule_id", "organization_id", "workspace_id", "anthropic_base_url", "claims", "condition"},
}

// FuzzWizardForms posts any value in any field of a saving step through the real server: it
// never answers 500, and what it saves passes the text rule every export relies on.
func FuzzWizardForms(f *testing.F) {
	for step, fields := range formFields {
		for i := range fields {
			for _, v := range []string{"", "x", "\xff\xfe", "a\nb", "$(id)", "3600", "-1", "1e300", "%41", "<script>", strings.Repeat("y", 5000)} {
				f.Add(uint8(step), uint8(i), v)
			}
		}
	}
	a, _ := newDemoApp(f)
	base := startDemoConnection(f, a)
	id, _ := strconv.ParseInt(strings.Split(base, "/")[2], 10, 64)
	f.Fuzz(func(t *testing.T, step, field uint8, v string) {
		steps := []int{1, 2, 4}
		s := steps[int(step)%len(steps)]
		fields := formFields[s]
		name := fields[int(field)%len(fields)]
		a.t = t
		p := a.submit(base+strconv.Itoa(s), url.Values{name: {v}})
		if p.status >= http.StatusInternalServerError {
			t.Fatalf("step %d %s=%q: %d %s", s, name, v, p.status, p.text("main"))
		}
		if p.status != http.StatusSeeOther {
			return
		}
		c, err := a.db.GetConnection(context.Background(), id)
		if err != nil {
			t.Fatal(err)
		}
		if fe := wif.StoredProblems(*c); len(fe) > 0 {
			t.Fatalf("step %d saved %s=%q, which the text rule refuses: %v", s, name, v, fe)
		}
	})
}
