package authentik

import (
	"strings"
	"testing"
	"time"
)

func goodProvider() Provider {
	return Provider{
		Name: "Claude", ClientType: "confidential", ClientID: "cid", AccessTokenValidity: "hours=1",
		IncludeClaimsInIDToken: true, SigningKey: "3f1c0b8e-0000-4000-8000-000000000001",
		SubMode: "hashed_user_id", IssuerMode: "per_provider", AssignedApplicationSlug: "claude",
	}
}

func goodExpectations() Expectations {
	return Expectations{
		AuthentikURL: "https://authentik.company", AppSlug: "claude",
		IssuerURL: "https://authentik.company/application/o/claude/", MaxIdentityTokenLifetime: time.Hour,
	}
}

func TestProviderChecklistAllGood(t *testing.T) {
	items := ProviderChecklist(goodProvider(), goodExpectations())
	var ids []string
	for _, it := range items {
		ids = append(ids, it.ID)
		if !it.OK || it.Fix != "" || it.Label == "" || it.Actual == "" {
			t.Errorf("%s: %+v, want OK with a label, an actual value and no fix", it.ID, it)
		}
	}
	if got := strings.Join(ids, ","); got != "client_type,redirect_uris,signing_key,encryption_key,access_token_validity,sub_mode,issuer_mode,application,include_claims" {
		t.Errorf("items %s", got)
	}
}

func TestProviderChecklistFlags(t *testing.T) {
	for _, tc := range []struct {
		name     string
		change   func(*Provider, *Expectations)
		id       string
		inFix    string
		inActual string
	}{
		{"Public", func(p *Provider, _ *Expectations) { p.ClientType = "public" }, "client_type", "Confidential", "public"},
		{"RedirectURIs", func(p *Provider, _ *Expectations) { p.RedirectURIs = RedirectURIs{{URL: "https://x/cb"}} }, "redirect_uris", "Remove", "https://x/cb"},
		{"NoSigningKey", func(p *Provider, _ *Expectations) { p.SigningKey = "" }, "signing_key", "Signing Key", "HS256"},
		{"EncryptionKey", func(p *Provider, _ *Expectations) { p.EncryptionKey = "k" }, "encryption_key", "clear Encryption Key", "JWE"},
		{"ValidityOverConsoleMax", func(p *Provider, _ *Expectations) { p.AccessTokenValidity = "hours=1;minutes=30" }, "access_token_validity", "hours=1", "5400 s"},
		{"ValidityOverAnthropicMax", func(p *Provider, w *Expectations) { p.AccessTokenValidity = "days=3"; w.MaxIdentityTokenLifetime = 0 }, "access_token_validity", "176400", "259200 s"},
		{"ValidityUnreadable", func(p *Provider, _ *Expectations) { p.AccessTokenValidity = "fortnights=1" }, "access_token_validity", "hours=1", "fortnights"},
		{"EmailSubject", func(p *Provider, _ *Expectations) { p.SubMode = "user_email" }, "sub_mode", "username", "empty"},
		{"HashedSubjectUsernameRule", func(_ *Provider, w *Expectations) { w.SubjectPrefix = "ak-Claude-client_credentials" }, "sub_mode", "sample token", "hash"},
		{"UsernameSubjectOtherRule", func(p *Provider, w *Expectations) {
			p.SubMode = "user_username"
			w.SubjectPrefix = "ak-claude-client_credentials"
		}, "sub_mode", "ak-Claude-client_credentials", "ak-Claude-client_credentials"},
		{"IssuerWithoutSlash", func(_ *Provider, w *Expectations) { w.IssuerURL = "https://authentik.company/application/o/claude" }, "issuer_mode", "https://authentik.company/application/o/claude/ exactly", "per_provider"},
		{"GlobalIssuer", func(p *Provider, _ *Expectations) { p.IssuerMode = "global" }, "issuer_mode", "https://authentik.company/ exactly", "global"},
		{"Unattached", func(p *Provider, _ *Expectations) { p.AssignedApplicationSlug = "" }, "application", "Applications", "no application"},
		{"OtherApplication", func(p *Provider, _ *Expectations) { p.AssignedApplicationSlug = "other" }, "application", `"other"`, "other"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p, w := goodProvider(), goodExpectations()
			tc.change(&p, &w)
			for _, it := range ProviderChecklist(p, w) {
				if it.ID != tc.id {
					if !it.OK {
						t.Errorf("%s also flagged: %+v", it.ID, it)
					}
					continue
				}
				if it.OK || !strings.Contains(it.Fix, tc.inFix) || !strings.Contains(it.Actual, tc.inActual) {
					t.Errorf("%s: %+v, want flagged, fix with %q, actual with %q", it.ID, it, tc.inFix, tc.inActual)
				}
			}
		})
	}
}

func TestProviderChecklistSubjectPasses(t *testing.T) {
	p, w := goodProvider(), goodExpectations()
	p.SubMode = "user_username"
	for _, prefix := range []string{"ak-Claude-client_credentials", "ak-Claude-*"} {
		w.SubjectPrefix = prefix
		for _, it := range ProviderChecklist(p, w) {
			if it.ID == "sub_mode" && (!it.OK || !strings.Contains(it.Actual, "ak-Claude-client_credentials")) {
				t.Errorf("prefix %q: %+v, want OK showing the username", prefix, it)
			}
		}
	}
}
