package wif

import (
	"strings"
	"testing"
	"time"
)

// validConnection has every wizard field filled in correctly.
func validConnection() Connection {
	return Connection{
		Name:                     "ci-prod",
		AuthentikURL:             "https://authentik.company",
		AppSlug:                  "claude-ci",
		ProviderName:             "Claude CI",
		IssuerURL:                "https://authentik.company/application/o/claude-ci/",
		ClientID:                 "Xk3mLq9Vt2",
		AccessTokenValidity:      "hours=1",
		SubjectMode:              SubUsername,
		TokenField:               TokenFieldAuto,
		ServiceAccountID:         "svac_01AbC",
		JWKSSource:               JWKSDiscovery,
		RuleName:                 "authentik-ci",
		SubjectPrefix:            "ak-Claude CI-client_credentials",
		Audience:                 "Xk3mLq9Vt2",
		OAuthScope:               "workspace:developer",
		TokenLifetime:            time.Hour,
		MaxIdentityTokenLifetime: time.Hour,
		FederationRuleID:         "fdrl_01XyZ",
		OrganizationID:           "0d3b1c2a-4e5f-4a6b-8c7d-9e0f1a2b3c4d",
		WorkspaceID:              "default",
	}
}

// fieldCase changes one field and expects a message on field containing want ("" = valid).
type fieldCase struct {
	name   string
	change func(*Connection)
	field  string
	want   string
}

func runFieldCases(t *testing.T, validate func(Connection) FieldErrors, cases []fieldCase) {
	t.Helper()
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c := validConnection()
			tc.change(&c)
			errs := validate(c)
			if tc.want == "" {
				if len(errs) != 0 {
					t.Fatalf("want no errors, got %v", errs)
				}
				return
			}
			msg, ok := errs[tc.field]
			if !ok {
				t.Fatalf("want an error on %s, got %v", tc.field, errs)
			}
			if !strings.Contains(msg, tc.want) {
				t.Errorf("%s: message %q does not contain %q", tc.field, msg, tc.want)
			}
		})
	}
}

func TestValidateBasics(t *testing.T) {
	runFieldCases(t, ValidateBasics, []fieldCase{
		{"OK", func(c *Connection) {}, "", ""},
		{"OKSubpath", func(c *Connection) { c.AuthentikURL = "https://company.example/authentik" }, "", ""},
		{"ErrNameRequired", func(c *Connection) { c.Name = "  " }, FieldName, "Name is required"},
		{"ErrNameSpaces", func(c *Connection) { c.Name = " ci " }, FieldName, "spaces around it"},
		{"ErrNameTooLong", func(c *Connection) { c.Name = strings.Repeat("n", 101) }, FieldName, "at most 100"},
		{"ErrAuthentikURLRequired", func(c *Connection) { c.AuthentikURL = "" }, FieldAuthentikURL, "authentik URL is required"},
		{"ErrAuthentikURLRelative", func(c *Connection) { c.AuthentikURL = "authentik.company" }, FieldAuthentikURL, "absolute URL"},
		{"ErrAuthentikURLScheme", func(c *Connection) { c.AuthentikURL = "ftp://authentik.company" }, FieldAuthentikURL, "https://"},
		{"ErrAuthentikURLQuery", func(c *Connection) { c.AuthentikURL = "https://authentik.company/?next=x" }, FieldAuthentikURL, `"?next=x"`},
		{"ErrAuthentikURLUserinfo", func(c *Connection) { c.AuthentikURL = "https://admin:pw@authentik.company" }, FieldAuthentikURL, "user name or password"},
		{"ErrAuthentikURLAdminPage", func(c *Connection) { c.AuthentikURL = "https://authentik.company/if/admin/" }, FieldAuthentikURL, `enter "https://authentik.company"`},
		{"ErrAuthentikURLIssuer", func(c *Connection) { c.AuthentikURL = "https://authentik.company/application/o/x/" }, FieldAuthentikURL, `enter "https://authentik.company"`},
		{"ErrAuthentikURLSpace", func(c *Connection) { c.AuthentikURL = "https://authentik.company " }, FieldAuthentikURL, "spaces around it"},
		{"ErrSlugRequired", func(c *Connection) { c.AppSlug = "" }, FieldAppSlug, "Slug field"},
		{"ErrSlugUpper", func(c *Connection) { c.AppSlug = "Claude-CI" }, FieldAppSlug, "lowercase"},
		{"ErrSlugInnerSpace", func(c *Connection) { c.AppSlug = "claude ci" }, FieldAppSlug, "must not contain spaces"},
		{"ErrProviderNameRequired", func(c *Connection) { c.ProviderName = "" }, FieldProviderName, "Provider name is required"},
		{"ErrProviderNameSpaces", func(c *Connection) { c.ProviderName = "Claude CI " }, FieldProviderName, "spaces around it"},
	})
}

func TestValidateProvider(t *testing.T) {
	runFieldCases(t, ValidateProvider, []fieldCase{
		{"OK", func(c *Connection) {}, "", ""},
		{"OKGoDuration", func(c *Connection) { c.AccessTokenValidity = "1h30m" }, "", ""},
		{"OKSecretRefFile", func(c *Connection) { c.SecretRef = "file:/run/secrets/ak" }, "", ""},
		{"OKSecretRefEnv", func(c *Connection) { c.SecretRef = "env:AK_SECRET" }, "", ""},
		{"ErrClientIDRequired", func(c *Connection) { c.ClientID = "" }, FieldClientID, "Client ID is required"},
		{"ErrClientIDSpace", func(c *Connection) { c.ClientID = "abc def" }, FieldClientID, "must not contain spaces"},
		{"ErrClientIDPaddedTab", func(c *Connection) { c.ClientID = "abc\t" }, FieldClientID, "spaces around it"},
		{"ErrValidityRequired", func(c *Connection) { c.AccessTokenValidity = "" }, FieldAccessTokenValidity, "Access token validity"},
		{"ErrValidityUnknownKey", func(c *Connection) { c.AccessTokenValidity = "hour=1" }, FieldAccessTokenValidity, "microseconds"},
		{"ErrSubjectMode", func(c *Connection) { c.SubjectMode = "hashed" }, FieldSubjectMode, "hashed_user_id"},
		{"ErrTokenField", func(c *Connection) { c.TokenField = "jwt" }, FieldTokenField, "id_token"},
		{"ErrCAPEMNotPEM", func(c *Connection) { c.CAPEM = "not a cert" }, FieldCAPEM, "PEM"},
		{"ErrCAPEMBadCert", func(c *Connection) {
			c.CAPEM = "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n"
		}, FieldCAPEM, "could not be read"},
		{"ErrSecretRefIsSecret", func(c *Connection) { c.SecretRef = "hunter2-secret" }, FieldSecretRef, "env:NAME"},
	})
}

func TestValidateProviderNeverEchoesSecretRef(t *testing.T) {
	c := validConnection()
	c.SecretRef = "s3cr3t-value"
	if msg := ValidateProvider(c)[FieldSecretRef]; strings.Contains(msg, "s3cr3t-value") {
		t.Fatalf("message echoes the value: %q", msg)
	}
}

func TestValidateConsole(t *testing.T) {
	runFieldCases(t, ValidateConsole, []fieldCase{
		{"OK", func(c *Connection) {}, "", ""},
		{"OKNoWorkspace", func(c *Connection) { c.WorkspaceID = "" }, "", ""},
		{"OKWildcardPrefix", func(c *Connection) { c.SubjectPrefix = "ak-Claude CI-*" }, "", ""},
		{"OKInlineJWKS", func(c *Connection) {
			c.JWKSSource = JWKSInline
			c.InlineJWKS = `{"keys":[{"kty":"RSA","kid":"k1","n":"AQAB","e":"AQAB"}]}`
		}, "", ""},
		{"ErrServiceAccountWrongType", func(c *Connection) { c.ServiceAccountID = "fdrl_abc" },
			FieldServiceAccountID, `Service account ID must start with "svac_" — you entered a federation rule ID, "fdrl_abc"; copy it from Console → Service accounts.`},
		{"ErrServiceAccountRequired", func(c *Connection) { c.ServiceAccountID = "" }, FieldServiceAccountID, "Service accounts"},
		{"ErrServiceAccountSpaces", func(c *Connection) { c.ServiceAccountID = " svac_1" }, FieldServiceAccountID, "spaces around it"},
		{"ErrIssuerURLNoSlash", func(c *Connection) { c.IssuerURL = "https://authentik.company/application/o/claude-ci" },
			FieldIssuerURL, `enter "https://authentik.company/application/o/claude-ci/"`},
		{"OKGenericIssuerNoSlash", func(c *Connection) { c.IssuerURL = "https://id.example.com/dex" }, "", ""},
		{"ErrIssuerURLRequired", func(c *Connection) { c.IssuerURL = "" }, FieldIssuerURL, "Issuer URL is required"},
		{"ErrJWKSSource", func(c *Connection) { c.JWKSSource = "url" }, FieldJWKSSource, "discovery, inline"},
		{"ErrInlineJWKSMissing", func(c *Connection) { c.JWKSSource = JWKSInline }, FieldInlineJWKS, "Inline JWKS is required"},
		{"ErrInlineJWKSEmpty", func(c *Connection) { c.JWKSSource = JWKSInline; c.InlineJWKS = "{}" }, FieldInlineJWKS, "Signing Key"},
		{"ErrInlineJWKSNotJSON", func(c *Connection) { c.JWKSSource = JWKSInline; c.InlineJWKS = "keys" }, FieldInlineJWKS, "must be JSON"},
		{"ErrInlineJWKSPrivate", func(c *Connection) {
			c.JWKSSource = JWKSInline
			c.InlineJWKS = `{"keys":[{"kty":"RSA","n":"AQAB","e":"AQAB","d":"AQAB"}]}`
		}, FieldInlineJWKS, "private key"},
		{"ErrDiscoveryBase", func(c *Connection) { c.DiscoveryBase = "authentik" }, FieldDiscoveryBase, "absolute URL"},
		{"ErrRuleNameUpper", func(c *Connection) { c.RuleName = "Authentik-CI" }, FieldRuleName, `use "authentik-ci"`},
		{"ErrRuleNameUnderscore", func(c *Connection) { c.RuleName = "authentik_ci" }, FieldRuleName, "only lowercase letters, digits and '-'"},
		{"ErrRuleNameTooLong", func(c *Connection) { c.RuleName = strings.Repeat("a", 256) }, FieldRuleName, "at most 255"},
		{"ErrRuleNameRequired", func(c *Connection) { c.RuleName = "" }, FieldRuleName, "Rule name is required"},
		{"ErrSubjectPrefixStar", func(c *Connection) { c.SubjectPrefix = "*" }, FieldSubjectPrefix, "'*' alone"},
		{"ErrSubjectPrefixInnerStar", func(c *Connection) { c.SubjectPrefix = "ak-*-client" }, FieldSubjectPrefix, "only at the end"},
		{"ErrSubjectPrefixRequired", func(c *Connection) { c.SubjectPrefix = "" }, FieldSubjectPrefix, "sub"},
		{"ErrSubjectPrefixSpaces", func(c *Connection) { c.SubjectPrefix = "abc " }, FieldSubjectPrefix, "spaces around it"},
		{"ErrAudienceNotClientID", func(c *Connection) { c.Audience = "claude-ci" }, FieldAudience, `Client ID "Xk3mLq9Vt2"`},
		{"ErrAudienceRequired", func(c *Connection) { c.Audience = "" }, FieldAudience, `"Xk3mLq9Vt2"`},
		{"OKGenericIssuerAudience", func(c *Connection) {
			c.IssuerURL, c.Audience = "https://id.example.com/dex", "https://api.example.com/"
		}, "", ""},
		{"ErrOAuthScope", func(c *Connection) { c.OAuthScope = "workspace:admin" }, FieldOAuthScope, "workspace:inference"},
		{"ErrTokenLifetimeShort", func(c *Connection) { c.TokenLifetime = 30 * time.Second }, FieldTokenLifetime, "between 60 and 86400 seconds — you entered 30 s"},
		{"ErrTokenLifetimeLong", func(c *Connection) { c.TokenLifetime = 86401 * time.Second }, FieldTokenLifetime, "you entered 86401 s"},
		{"ErrTokenLifetimeFraction", func(c *Connection) { c.TokenLifetime = 150500 * time.Millisecond }, FieldTokenLifetime, "whole seconds"},
		{"ErrTokenLifetimeRequired", func(c *Connection) { c.TokenLifetime = 0 }, FieldTokenLifetime, "default 3600"},
		{"ErrMaxLifetimeLong", func(c *Connection) { c.MaxIdentityTokenLifetime = 176401 * time.Second }, FieldMaxIdentityTokenLifetime, "between 1 and 176400"},
		{"ErrRuleIDWrongType", func(c *Connection) { c.FederationRuleID = "fdis_abc" }, FieldFederationRuleID, "an issuer ID"},
		{"ErrRuleIDRequired", func(c *Connection) { c.FederationRuleID = "" }, FieldFederationRuleID, "Federation rule ID is required"},
		{"ErrRuleIDBadSuffix", func(c *Connection) { c.FederationRuleID = "fdrl_" }, FieldFederationRuleID, "followed by letters and digits"},
		{"ErrOrganizationNotUUID", func(c *Connection) { c.OrganizationID = "org-123" }, FieldOrganizationID, "must be a UUID"},
		{"ErrOrganizationIsAPIKey", func(c *Connection) { c.OrganizationID = "sk-ant-api03-secretstuff" }, FieldOrganizationID, "API key"},
		{"ErrWorkspace", func(c *Connection) { c.WorkspaceID = "ws_1" }, FieldWorkspaceID, `start with "wrkspc_"`},
		{"ErrAnthropicHTTP", func(c *Connection) { c.AnthropicBaseURL = "http://api.example.com" }, FieldAnthropicBaseURL, "https://"},
		{"OKAnthropicLoopback", func(c *Connection) { c.AnthropicBaseURL = "http://127.0.0.1:9999" }, "", ""},
	})
}

func TestIDProblemNeverEchoesAPIKey(t *testing.T) {
	const key = "sk-ant-api03-verysecret"
	for _, check := range []func(string) string{FederationRuleIDProblem, ServiceAccountIDProblem, OrganizationIDProblem, WorkspaceIDProblem} {
		if msg := check(key); msg == "" || strings.Contains(msg, "verysecret") {
			t.Errorf("message %q: want a problem without the key", msg)
		}
	}
}

func TestIDProblems(t *testing.T) {
	tests := []struct {
		name  string
		check func(string) string
		in    string
		ok    bool
	}{
		{"OKRule", FederationRuleIDProblem, "fdrl_01H8x", true},
		{"OKEmptyRule", FederationRuleIDProblem, "", true},
		{"ErrRuleInnerSpace", FederationRuleIDProblem, "fdrl_01 H8x", false},
		{"OKServiceAccount", ServiceAccountIDProblem, "svac_abc", true},
		{"OKOrganizationUpper", OrganizationIDProblem, "0D3B1C2A-4E5F-4A6B-8C7D-9E0F1A2B3C4D", true},
		{"ErrOrganizationBraces", OrganizationIDProblem, "{0d3b1c2a-4e5f-4a6b-8c7d-9e0f1a2b3c4d}", false},
		{"OKWorkspaceDefault", WorkspaceIDProblem, "default", true},
		{"OKWorkspace", WorkspaceIDProblem, "wrkspc_01x", true},
		{"ErrWorkspaceDefaultUpper", WorkspaceIDProblem, "Default", false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := tc.check(tc.in); (got == "") != tc.ok {
				t.Errorf("problem(%q) = %q, want ok=%v", tc.in, got, tc.ok)
			}
		})
	}
}

func TestFieldErrors(t *testing.T) {
	t.Run("OK", func(t *testing.T) {
		e := FieldErrors{}
		e.Add("a", "")
		if e.Has("a") || e.Err() != nil {
			t.Fatalf("empty message must not be recorded: %v", e)
		}
	})
	t.Run("ErrFirstMessageWins", func(t *testing.T) {
		e := FieldErrors{}
		e.Add("b", "first")
		e.Add("b", "second")
		e.Merge(FieldErrors{"a": "other", "b": "third"})
		if e["b"] != "first" || e["a"] != "other" {
			t.Fatalf("got %v", e)
		}
		if got := e.Err().Error(); got != "a: other\nb: first" {
			t.Fatalf("Err() = %q", got)
		}
	})
}
