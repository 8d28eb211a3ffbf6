package verify

import (
	"strings"
	"testing"
	"time"

	"github.com/wifwiz/wifwiz/wif"
)

func goodExpectations() wif.ProviderExpectations {
	return wif.ProviderExpectations{
		AuthentikURL: "https://auth.example.com", AppSlug: "claude-ci", IssuerURL: testIssuer,
		SubjectMode: wif.SubUsername, IssuerMode: wif.IssuerModePerProvider, MaxIdentityTokenLifetime: time.Hour,
	}
}

func TestProviderChecklistAllGood(t *testing.T) {
	p := goodProvider()
	p.GrantTypes = []string{"client_credentials"}
	var ids []string
	for _, it := range ProviderChecklist(*p, goodExpectations()) {
		ids = append(ids, it.ID)
		if !it.OK || it.Fix != "" || it.Label == "" || it.Actual == "" {
			t.Errorf("%s: %+v, want OK with a label, an actual value and no fix", it.ID, it)
		}
	}
	if got := strings.Join(ids, ","); got != "client_type,redirect_uris,signing_key,encryption_key,access_token_validity,sub_mode,issuer_mode,application,grant_types,include_claims" {
		t.Errorf("items %s", got)
	}
}

// providerCase changes a good provider or the expectations so that exactly one item is flagged.
type providerCase struct {
	name     string
	change   func(*wif.AuthentikProvider, *wif.ProviderExpectations)
	id       string
	inFix    string
	inActual string
	advice   bool
}

var providerCases = []providerCase{
	{"Public", func(p *wif.AuthentikProvider, _ *wif.ProviderExpectations) { p.ClientType = "public" }, "client_type", "Client type to Confidential", "public", false},
	{"RedirectURIs", func(p *wif.AuthentikProvider, _ *wif.ProviderExpectations) { p.RedirectURIs = []string{"https://x/cb"} }, "redirect_uris", "Redirect URIs/Origins", "https://x/cb", true},
	{"NoSigningKey", func(p *wif.AuthentikProvider, _ *wif.ProviderExpectations) { p.SigningKey = wif.AuthentikKeyRef{} }, "signing_key", "Signing Key: select", "HS256", false},
	{"Ed25519SigningKey", func(p *wif.AuthentikProvider, _ *wif.ProviderExpectations) {
		p.SigningKey = wif.AuthentikKeyRef{PK: "k", Name: "edge", KeyType: "ed25519", HasPrivateKey: true}
	}, "signing_key", "does not sign JWTs with a ed25519 key", "ed25519", false},
	{"CertificateOnly", func(p *wif.AuthentikProvider, _ *wif.ProviderExpectations) { p.SigningKey.HasPrivateKey = false }, "signing_key", "no private key", "rsa", false},
	{"EncryptionKey", func(p *wif.AuthentikProvider, _ *wif.ProviderExpectations) {
		p.EncryptionKey = wif.AuthentikKeyRef{PK: "e", Name: "enc", KeyType: "rsa", HasPrivateKey: true}
	}, "encryption_key", "Encryption Key: clear it", "JWE", false},
	{"ValidityOverConsoleMax", func(p *wif.AuthentikProvider, _ *wif.ProviderExpectations) {
		p.AccessTokenValidity = "hours=1;minutes=30"
	}, "access_token_validity", "Access token validity: set at most hours=1", "5400 s", false},
	{"ValidityOverAnthropicMax", func(p *wif.AuthentikProvider, w *wif.ProviderExpectations) {
		p.AccessTokenValidity = "days=3"
		w.MaxIdentityTokenLifetime = 0
	}, "access_token_validity", "176400", "259200 s", false},
	{"ValidityUnreadable", func(p *wif.AuthentikProvider, _ *wif.ProviderExpectations) { p.AccessTokenValidity = "fortnights=1" }, "access_token_validity", "hours=1", "fortnights", false},
	{"EmailSubject", func(p *wif.AuthentikProvider, w *wif.ProviderExpectations) {
		p.SubMode, w.SubjectMode = wif.SubEmail, ""
	}, "sub_mode", "Based on the User's username", "empty", false},
	{"RecordedSubjectModeDiffers", func(p *wif.AuthentikProvider, _ *wif.ProviderExpectations) { p.SubMode = wif.SubHashedUserID }, "sub_mode", "Subject mode: choose \"Based on the User's username\"", "hash", false},
	{"HashedSubjectUsernameRule", func(p *wif.AuthentikProvider, w *wif.ProviderExpectations) {
		p.SubMode, w.SubjectMode, w.SubjectPrefix = wif.SubHashedUserID, "", testSub
	}, "sub_mode", "sample token", "hash", false},
	{"UsernameSubjectOtherRule", func(_ *wif.AuthentikProvider, w *wif.ProviderExpectations) {
		w.SubjectPrefix = "ak-claude-client_credentials"
	}, "sub_mode", testSub, testSub, false},
	{"IssuerWithoutSlash", func(_ *wif.AuthentikProvider, w *wif.ProviderExpectations) {
		w.IssuerURL = strings.TrimSuffix(testIssuer, "/")
	}, "issuer_mode", testIssuer + " exactly", "per_provider", false},
	{"GlobalIssuer", func(p *wif.AuthentikProvider, _ *wif.ProviderExpectations) { p.IssuerMode = wif.IssuerModeGlobal }, "issuer_mode", "Issuer mode: choose \"Each provider has a different issuer", "global", false},
	{"Unbound", func(p *wif.AuthentikProvider, _ *wif.ProviderExpectations) { p.ApplicationSlug = "" }, "application", "Applications", "no application", false},
	{"OtherApplication", func(p *wif.AuthentikProvider, w *wif.ProviderExpectations) { p.ApplicationSlug = "other" }, "application", `"other"`, "other", false},
	{"NoClientCredentials", func(p *wif.AuthentikProvider, _ *wif.ProviderExpectations) {
		p.GrantTypes = []string{"authorization_code"}
	}, "grant_types", "Grant types: select Client credentials", "authorization_code", false},
}

func TestProviderChecklistFlags(t *testing.T) {
	for _, tc := range providerCases {
		t.Run(tc.name, func(t *testing.T) {
			p, w := goodProvider(), goodExpectations()
			p.GrantTypes = []string{"client_credentials"}
			tc.change(p, &w)
			flagged := 0
			for _, it := range ProviderChecklist(*p, w) {
				if it.ID != tc.id {
					if !it.OK {
						t.Errorf("%s also flagged: %+v", it.ID, it)
					}
					continue
				}
				flagged++
				if it.OK || it.Advice != tc.advice || !strings.Contains(it.Fix, tc.inFix) || !strings.Contains(it.Actual, tc.inActual) {
					t.Errorf("%s: %+v, want flagged (advice %v), fix with %q, actual with %q", it.ID, it, tc.advice, tc.inFix, tc.inActual)
				}
			}
			if flagged != 1 {
				t.Errorf("item %s not in the checklist", tc.id)
			}
		})
	}
}

func TestProviderChecklistSlugNotInIssuer(t *testing.T) {
	p, w := goodProvider(), goodExpectations()
	p.ApplicationSlug, w.AppSlug = "other", ""
	for _, it := range ProviderChecklist(*p, w) {
		if it.ID == "application" && (it.OK || !strings.Contains(it.Fix, "does not name the slug other")) {
			t.Errorf("%+v, want the slug missing from the issuer URL named", it)
		}
	}
}

func TestProviderChecklistSubjectPasses(t *testing.T) {
	p, w := goodProvider(), goodExpectations()
	for _, prefix := range []string{testSub, "ak-Claude CI-*"} {
		w.SubjectPrefix = prefix
		for _, it := range ProviderChecklist(*p, w) {
			if it.ID == "sub_mode" && (!it.OK || !strings.Contains(it.Actual, testSub)) {
				t.Errorf("prefix %q: %+v, want OK showing the username", prefix, it)
			}
		}
	}
}

func TestProviderChecklistUnknownKeyTypePasses(t *testing.T) {
	p := goodProvider()
	p.SigningKey.KeyType = "" // authentik before 2025.12 without private_key_type
	for _, it := range ProviderChecklist(*p, goodExpectations()) {
		if it.ID == "signing_key" && (!it.OK || !strings.Contains(it.Actual, "header.alg")) {
			t.Errorf("%+v, want OK saying header.alg tells", it)
		}
	}
}

// TestAuthentikProviderCheck: the engine's verdict follows the checklist: fail for any failing
// item, warn for advice only, pass otherwise, skip without an API token.
func TestAuthentikProviderCheck(t *testing.T) {
	f := newFixture()
	c := checkOf(t, f.report(t), CheckAuthentikProvider)
	if c.Status != Pass || !strings.Contains(c.Actual, `sub_mode="user_username"`) || !strings.Contains(c.Message, "2026.2.2") {
		t.Fatalf("good provider: %+v", c)
	}
	for _, tc := range providerCases {
		t.Run(tc.name, func(t *testing.T) {
			f := newFixture()
			f.cfg.SubjectPrefix = ""
			p := goodProvider()
			p.GrantTypes = []string{"client_credentials"}
			w := f.providerWant()
			tc.change(p, &w)
			f.applyWant(w)
			f.obs.Provider.Provider = p
			c := checkOf(t, f.report(t), CheckAuthentikProvider)
			want := Fail
			if tc.advice {
				want = Warn
			}
			if c.Status != want || !strings.Contains(c.Fix, tc.inFix) {
				t.Errorf("%s: %s %q fix %q, want %s with %q", tc.name, c.Status, c.Message, c.Fix, want, tc.inFix)
			}
		})
	}
	t.Run("NoToken", func(t *testing.T) {
		f := newFixture()
		f.obs.Provider = nil
		c := checkOf(t, f.report(t), CheckAuthentikProvider)
		if c.Status != Skip || !strings.Contains(c.Message, "--authentik-token-file") {
			t.Errorf("%+v", c)
		}
	})
	t.Run("ReadFailed", func(t *testing.T) {
		f := newFixture()
		f.obs.Provider = &ProviderRead{URL: "https://auth.example.com", Err: "authentik refused the API token: HTTP 403"}
		c := checkOf(t, f.report(t), CheckAuthentikProvider)
		if c.Status != Fail || !strings.Contains(c.Message, "403") || !strings.Contains(c.Fix, "API token") {
			t.Errorf("%+v", c)
		}
	})
}

func (f *fixture) providerWant() wif.ProviderExpectations {
	return wif.ProviderExpectations{AuthentikURL: f.cfg.AuthentikURL, AppSlug: f.cfg.AppSlug, IssuerURL: f.cfg.IssuerURL,
		SubjectPrefix: f.cfg.SubjectPrefix, SubjectMode: f.cfg.SubjectMode, IssuerMode: f.cfg.IssuerMode,
		MaxIdentityTokenLifetime: f.cfg.MaxIdentityTokenLifetime}
}

func (f *fixture) applyWant(w wif.ProviderExpectations) {
	f.cfg.AuthentikURL, f.cfg.AppSlug, f.cfg.IssuerURL, f.cfg.SubjectPrefix = w.AuthentikURL, w.AppSlug, w.IssuerURL, w.SubjectPrefix
	f.cfg.SubjectMode, f.cfg.IssuerMode, f.cfg.MaxIdentityTokenLifetime = w.SubjectMode, w.IssuerMode, w.MaxIdentityTokenLifetime
	if f.cfg.MaxIdentityTokenLifetime == 0 {
		f.cfg.MaxIdentityTokenLifetime = wif.MaxMaxIdentityTokenLifetime * 2 // beyond the Console's range: the checklist falls back to it
	}
}

func TestProviderFactsRoundTrip(t *testing.T) {
	p := goodProvider()
	p.GrantTypes = []string{"client_credentials", "password"}
	p.SigningKey.Name = `quote " and ; semicolon`
	got := parseFacts(providerFacts(*p))
	if got[factSigningKey] != p.SigningKey.Name || got[factGrantTypes] != "client_credentials,password" || got[factApplication] != "claude-ci" {
		t.Errorf("facts %v", got)
	}
	if parseFacts("not facts") != nil {
		t.Error("free text parsed as facts")
	}
}

func TestModeContradictions(t *testing.T) {
	conn := wif.Connection{AuthentikURL: "https://auth.example.com", AppSlug: "claude-ci", IssuerURL: testIssuer, SubjectMode: wif.SubUsername}
	tok := func(sub, iss string) *Token { return &Token{Claims: map[string]any{"sub": sub, "iss": iss}} }
	for _, tc := range []struct {
		name     string
		conn     func(*wif.Connection)
		tok      *Token
		settings string
	}{
		{"Agree", nil, tok(testSub, testIssuer), ""},
		{"HashedSubRecordedUsername", nil, tok(testHash, testIssuer), "Subject mode"},
		{"UsernameSubRecordedHashed", func(c *wif.Connection) { c.SubjectMode = wif.SubHashedUserID }, tok(testSub, testIssuer), "Subject mode"},
		{"UPNGivesHash", func(c *wif.Connection) { c.SubjectMode = wif.SubUPN }, tok(testHash, testIssuer), ""},
		{"NotRecorded", func(c *wif.Connection) { c.SubjectMode = "" }, tok(testHash, testIssuer), ""},
		{"GlobalIss", nil, tok(testSub, "https://auth.example.com/"), "Issuer mode"},
		{"PerProviderIssRecordedGlobal", func(c *wif.Connection) { c.IssuerURL = "https://auth.example.com/" }, tok(testSub, testIssuer), "Issuer mode"},
		{"Both", nil, tok(testHash, "https://auth.example.com/"), "Subject mode,Issuer mode"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := conn
			if tc.conn != nil {
				tc.conn(&c)
			}
			var got []string
			for _, d := range ModeContradictions(c, tc.tok) {
				got = append(got, d.Setting)
				if d.Message == "" || !strings.Contains(d.Fix, "Advanced protocol settings") {
					t.Errorf("%+v: want a message and a fix naming authentik's setting", d)
				}
			}
			if strings.Join(got, ",") != tc.settings {
				t.Errorf("contradictions %v, want %q", got, tc.settings)
			}
		})
	}
}

// TestModeContradictionQuotesShort: the sub and iss a contradiction names come from the token
// and are quoted cut short, as every value from the network in a report is.
func TestModeContradictionQuotesShort(t *testing.T) {
	long := wif.ServiceAccountUsername(strings.Repeat("p", 3*shortRunes))
	conn := wif.Connection{AuthentikURL: "https://auth.example.com", AppSlug: "claude-ci", IssuerURL: testIssuer, SubjectMode: wif.SubHashedUserID}
	got := ModeContradictions(conn, &Token{Claims: map[string]any{"sub": long, "iss": testIssuer}})
	if len(got) != 1 || got[0].Setting != "Subject mode" {
		t.Fatalf("contradictions %+v, want the subject mode's", got)
	}
	if msg := got[0].Message; strings.Contains(msg, long) || !strings.Contains(msg, quote(short(long))) {
		t.Errorf("message quotes the %d-byte sub whole, or not cut short: %s", len(long), msg)
	}
}
