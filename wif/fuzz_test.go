package wif

import (
	"bytes"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"maps"
	"math/big"
	"path/filepath"
	"strings"
	"testing"
	"time"
	"unicode/utf8"
)

// FuzzRecordedValue: whatever a form or a flag puts in any field, validation never panics, and a
// value it accepts is valid UTF-8, free of control and invisible characters (newlines allowed in
// documents), within the field's size: the text rule every export relies on.
func FuzzRecordedValue(f *testing.F) {
	for _, s := range []string{"", "nightly", "line\nbreak", "\xff\xfe", "a\u202eb", "$(id)", "`id`", "%41",
		"https://authentik.example/application/o/x/", "env:WIFWIZ_SECRET_X", "file:/etc/shadow", strings.Repeat("x", 3000)} {
		for i := range Fields {
			f.Add(uint8(i), s)
		}
	}
	f.Fuzz(func(t *testing.T, which uint8, v string) {
		field := Fields[int(which)%len(Fields)]
		c := Connection{}
		if !set(&c, field.Name, v) {
			return
		}
		fe := ValidateRecorded(c)
		StoredProblems(c)
		if fe.Has(field.Name) {
			return
		}
		got := field.Get(c)
		switch {
		case !utf8.ValidString(got):
			t.Fatalf("%s accepted invalid UTF-8 %q", field.Name, got)
		case documentFields[field.Name] && len(got) > maxDocumentBytes, !documentFields[field.Name] && len(got) > maxValueBytes:
			t.Fatalf("%s accepted %d bytes", field.Name, len(got))
		case strings.ContainsFunc(got, func(r rune) bool { return forbiddenRune(r, documentFields[field.Name]) }):
			t.Fatalf("%s accepted %q", field.Name, got)
		}
	})
}

// set writes v into the text field name; false for fields that are not plain text.
func set(c *Connection, name, v string) bool {
	targets := map[string]*string{
		FieldName: &c.Name, FieldAuthentikURL: &c.AuthentikURL, FieldAppSlug: &c.AppSlug, FieldProviderName: &c.ProviderName,
		FieldIssuerURL: &c.IssuerURL, FieldDiscoveryBase: &c.DiscoveryBase, FieldTokenURL: &c.TokenURL, FieldClientID: &c.ClientID,
		FieldAccessTokenValidity: &c.AccessTokenValidity, FieldSubjectMode: &c.SubjectMode, FieldScope: &c.Scope,
		FieldTokenField: &c.TokenField, FieldCAPEM: &c.CAPEM, FieldSecretRef: &c.SecretRef, FieldServiceAccountID: &c.ServiceAccountID,
		FieldIssuerName: &c.IssuerName, FieldJWKSSource: &c.JWKSSource, FieldInlineJWKS: &c.InlineJWKS, FieldRuleName: &c.RuleName,
		FieldSubjectPrefix: &c.SubjectPrefix, FieldAudience: &c.Audience, FieldOAuthScope: &c.OAuthScope,
		FieldFederationRuleID: &c.FederationRuleID, FieldOrganizationID: &c.OrganizationID, FieldWorkspaceID: &c.WorkspaceID,
		FieldAnthropicBaseURL: &c.AnthropicBaseURL, FieldCondition: &c.Condition, FieldIssuerID: &c.IssuerID,
		FieldConsoleTokenRef: &c.ConsoleTokenRef, FieldAuthentikTokenRef: &c.AuthentikTokenRef,
	}
	p, ok := targets[name]
	if ok {
		*p = v
	}
	return ok
}

// FuzzLifetimes: the wizard's duration inputs parse to a whole positive number of seconds that
// reads back as the same duration.
func FuzzLifetimes(f *testing.F) {
	for _, s := range []string{"3600", "1h", "hours=1;minutes=30", "0", "-5", "NaN", "1e300", "99999999999999999999", "hours=1;hours=2", "days=1", "1.5h"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		for name, parse := range map[string]func(string) (time.Duration, error){"lifetime": ParseLifetime, "validity": ParseValidity} {
			d, err := parse(s)
			if err != nil {
				continue
			}
			if d <= 0 || d%time.Second != 0 {
				t.Fatalf("%s %q = %v: not a positive whole number of seconds", name, s, d)
			}
			if back, err := parse(d.String()); err != nil || back != d {
				t.Fatalf("%s %q = %v, which reads back as %v, %v", name, s, d, back, err)
			}
		}
	})
}

// FuzzClaims: claims matchers written out read back as the same matchers.
func FuzzClaims(f *testing.F) {
	for _, s := range []string{"groups=admins", "azp=x\nsub=y", "a=b;c=d", "=x", "a=", "a.b/c:d=v=w", "x=\u202e"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		m, err := ParseClaims(s)
		if err != nil || claimsProblem(m) != "" {
			return
		}
		back, err := ParseClaims(FormatClaims(m))
		if err != nil || !maps.Equal(back, m) {
			t.Fatalf("%q → %v → %q → %v, %v", s, m, FormatClaims(m), back, err)
		}
	})
}

// FuzzSecretReference: a reference the operator's policy allows names only the allowed folder
// (no escape through .., //, or a symlink-looking path outside it) or the allowed prefix.
func FuzzSecretReference(f *testing.F) {
	for _, s := range []string{"env:WIFWIZ_SECRET_A", "env:WIFWIZ_SECRET_", "env:PATH", "file:/run/secrets/a", "file:/run/secrets/../../etc/shadow",
		"file:/run/secrets", "file:/run/secrets//a", "file:/run/secretsX/a", "file:relative", "env:", "file:", "eyJx.y.z", ""} {
		f.Add(s)
	}
	p := SecretPolicy{Dir: "/run/secrets", EnvPrefix: DefaultSecretEnvPrefix}
	f.Fuzz(func(t *testing.T, ref string) {
		if !p.Allows(ref) {
			return
		}
		if secretRefProblem(ref) != "" {
			t.Fatalf("%q allowed but malformed", ref)
		}
		kind, target, _ := strings.Cut(ref, ":")
		switch kind {
		case "env":
			if !strings.HasPrefix(target, p.EnvPrefix) || target == p.EnvPrefix {
				t.Fatalf("%q allowed outside the prefix", ref)
			}
		case "file":
			clean := filepath.Clean(target)
			if !strings.HasPrefix(clean, p.Dir+"/") {
				t.Fatalf("%q allowed outside %s (%s)", ref, p.Dir, clean)
			}
		default:
			t.Fatalf("%q allowed with kind %q", ref, kind)
		}
	})
}

// FuzzCAPEM: a bundle ParseCAPEM accepts holds only certificates and nothing after them; its
// certificates written back as PEM parse to the same certificates.
func FuzzCAPEM(f *testing.F) {
	f.Add([]byte(testCertPEM))
	f.Add([]byte(testCertPEM + testCertPEM))
	f.Add([]byte(testCertPEM + "junk"))
	f.Add([]byte("-----BEGIN PRIVATE KEY-----\nMC4CAQAwBQYDK2VwBCIEIBcmD0EzBquBuhR8XRsbXSIZQ0JKKYwNQDAjeMdMidZX\n-----END PRIVATE KEY-----\n"))
	f.Add([]byte("-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n"))
	f.Fuzz(func(t *testing.T, b []byte) {
		certs, err := ParseCAPEM(b)
		if err != nil {
			return
		}
		var out bytes.Buffer
		for _, c := range certs {
			_ = pem.Encode(&out, &pem.Block{Type: "CERTIFICATE", Bytes: c.Raw})
		}
		back, err := ParseCAPEM(out.Bytes())
		if err != nil || len(back) != len(certs) {
			t.Fatalf("re-encoded bundle: %v, %d certificates of %d", err, len(back), len(certs))
		}
		for i := range certs {
			if !bytes.Equal(back[i].Raw, certs[i].Raw) {
				t.Fatalf("certificate %d changed", i)
			}
		}
		for rest := b; ; {
			var block *pem.Block
			if block, rest = pem.Decode(rest); block == nil {
				if strings.TrimSpace(string(rest)) != "" {
					t.Fatalf("accepted with trailing data %q", rest)
				}
				break
			}
			if block.Type != "CERTIFICATE" {
				t.Fatalf("accepted a %s block", block.Type)
			}
		}
	})
}

// testCertPEM is a self-signed certificate made for the test binary.
var testCertPEM = func() string {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		panic(err)
	}
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "wifwiz fuzz CA"},
		NotBefore: time.Unix(0, 0), NotAfter: time.Unix(1<<32, 0), IsCA: true, BasicConstraintsValid: true}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		panic(err)
	}
	return string(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}))
}()
