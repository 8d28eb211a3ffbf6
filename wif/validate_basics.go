package wif

import (
	"crypto/x509"
	"encoding/pem"
	"fmt"
	"regexp"
	"slices"
	"strings"
)

// maxNameLength bounds a connection's name (wifwiz's own limit, for lists and file names).
const maxNameLength = 100

// slugPattern: authentik application slugs are lowercase letters, digits, '-' and '_'.
var slugPattern = regexp.MustCompile(`^[a-z0-9_-]+$`)

// envNamePattern: the variable name of an env: secret reference.
var envNamePattern = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]*$`)

// subjectModes are authentik's sub_mode values (authentik.md).
var subjectModes = []string{SubHashedUserID, SubUserID, SubUserUUID, SubUsername, SubEmail, SubUPN}

// ValidateBasics checks wizard step 1: name, authentik URL, application slug, provider name.
func ValidateBasics(c Connection) FieldErrors {
	e := FieldErrors{}
	e.Add(FieldName, nameProblem(c.Name))
	if c.AuthentikURL == "" {
		e.Add(FieldAuthentikURL, required("authentik URL", "enter the address you open authentik at, e.g. https://authentik.company."))
	}
	e.Add(FieldAuthentikURL, authentikURLProblem(c.AuthentikURL))
	e.Add(FieldAppSlug, slugProblem(c.AppSlug))
	if c.ProviderName == "" {
		e.Add(FieldProviderName, required("Provider name", "enter the name of the OAuth2/OpenID provider exactly as in authentik (Applications → Providers)."))
	}
	e.Add(FieldProviderName, trimProblem("Provider name", c.ProviderName))
	return e
}

func nameProblem(v string) string {
	if strings.TrimSpace(v) == "" {
		return required("Name", "give the connection a name, e.g. \"ci-prod\".")
	}
	if p := trimProblem("Name", v); p != "" {
		return p
	}
	return lengthProblem("Name", v, maxNameLength)
}

func slugProblem(v string) string {
	const label = "Application slug"
	if v == "" {
		return required(label, "copy it from authentik → Applications → your application (the Slug field).")
	}
	if p := spaceProblem(label, v); p != "" {
		return p
	}
	if !slugPattern.MatchString(v) {
		return fmt.Sprintf("%s may contain only lowercase letters, digits, '-' and '_' — you entered %q; copy it from the application's Slug field.", label, v)
	}
	return ""
}

// ValidateProvider checks wizard step 2: client ID, access token validity and the optional
// provider details.
func ValidateProvider(c Connection) FieldErrors {
	e := FieldErrors{}
	if c.ClientID == "" {
		e.Add(FieldClientID, required("Client ID", "copy it from the provider's page in authentik (Applications → Providers)."))
	}
	e.Add(FieldClientID, spaceProblem("Client ID", c.ClientID))
	e.Add(FieldAccessTokenValidity, validityProblem(c.AccessTokenValidity))
	e.Add(FieldSubjectMode, choiceProblem("Subject mode", c.SubjectMode, subjectModes))
	e.Add(FieldTokenField, choiceProblem("Token field", c.TokenField, []string{TokenFieldAuto, TokenFieldIDToken, TokenFieldAccessToken}))
	e.Add(FieldScope, trimProblem("Scope", c.Scope))
	e.Add(FieldCAPEM, caProblem(c.CAPEM))
	e.Add(FieldSecretRef, secretRefProblem(c.SecretRef))
	return e
}

func validityProblem(v string) string {
	if _, err := ParseValidity(v); err != nil {
		return fmt.Sprintf("Access token validity: %v. Copy it from the provider's \"Access token validity\" field.", err)
	}
	return ""
}

// choiceProblem accepts an empty value (the default) or one of choices.
func choiceProblem(label, v string, choices []string) string {
	if v == "" || slices.Contains(choices, v) {
		return ""
	}
	return fmt.Sprintf("%s must be one of %s — you entered %q.", label, strings.Join(choices, ", "), v)
}

func caProblem(v string) string {
	if strings.TrimSpace(v) == "" {
		return ""
	}
	rest := []byte(v)
	for {
		var block *pem.Block
		block, rest = pem.Decode(rest)
		if block == nil {
			return "CA certificate must be PEM (-----BEGIN CERTIFICATE-----) with at least one certificate."
		}
		if block.Type != "CERTIFICATE" {
			continue
		}
		if _, err := x509.ParseCertificate(block.Bytes); err != nil {
			return fmt.Sprintf("CA certificate could not be read (%v) — paste the whole PEM of the CA that signed authentik's certificate.", err)
		}
		return ""
	}
}

// secretRefProblem never echoes the value: a secret pasted by mistake must not be shown again.
func secretRefProblem(v string) string {
	if v == "" {
		return ""
	}
	kind, ref, _ := strings.Cut(v, ":")
	switch {
	case kind == "env" && envNamePattern.MatchString(ref):
		return ""
	case kind == "file" && strings.HasPrefix(ref, "/"):
		return ""
	}
	return "Secret reference must be env:NAME (an environment variable) or file:/absolute/path — not the secret itself."
}
