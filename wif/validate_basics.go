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

// subjectModes are authentik's sub_mode values (docs/facts.md).
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
	e.Merge(textProblems(c, FieldName, FieldAuthentikURL, FieldAppSlug, FieldProviderName))
	return e
}

// ValidateName checks a new connection's name.
func ValidateName(name string) FieldErrors {
	e := FieldErrors{}
	e.Add(FieldName, nameProblem(name))
	e.Add(FieldName, textProblem(FieldName, "Name", name))
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
	if c.TokenURL != "" {
		e.Add(FieldTokenURL, urlProblem("Token URL", c.TokenURL))
	}
	e.Add(FieldCAPEM, caProblem(c.CAPEM))
	e.Add(FieldSecretRef, secretRefProblem(c.SecretRef))
	e.Add(FieldAuthentikTokenRef, secretRefProblem(c.AuthentikTokenRef))
	e.Merge(textProblems(c, FieldClientID, FieldAccessTokenValidity, FieldSubjectMode, FieldScope, FieldTokenField,
		FieldTokenURL, FieldCAPEM, FieldSecretRef, FieldAuthentikTokenRef))
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

// caProblem accepts only certificates: a private key pasted by mistake, or anything after the last
// certificate, is refused (and, the step being refused, never stored).
func caProblem(v string) string {
	if strings.TrimSpace(v) == "" {
		return ""
	}
	if _, err := ParseCAPEM([]byte(v)); err != nil {
		return "CA certificate: " + err.Error()
	}
	return ""
}

// ParseCAPEM reads a bundle of PEM certificates: only CERTIFICATE blocks, at least one, and
// nothing after the last. The errors say what to paste instead.
func ParseCAPEM(b []byte) ([]*x509.Certificate, error) {
	rest := b
	var certs []*x509.Certificate
	for {
		var block *pem.Block
		block, rest = pem.Decode(rest)
		if block == nil {
			break
		}
		n := len(certs) + 1
		if block.Type != "CERTIFICATE" {
			return nil, fmt.Errorf("block %d is a %q, not a CERTIFICATE — paste only the CA's certificate; never a private key (if you pasted one, replace that key)", n, block.Type)
		}
		cert, err := x509.ParseCertificate(block.Bytes)
		if err != nil {
			return nil, fmt.Errorf("certificate %d could not be read (%v) — paste the whole PEM of the CA that signed the server's certificate", n, err)
		}
		certs = append(certs, cert)
	}
	switch {
	case len(certs) == 0:
		return nil, fmt.Errorf("no PEM certificate found: expected -----BEGIN CERTIFICATE-----")
	case strings.TrimSpace(string(rest)) != "":
		return nil, fmt.Errorf("there is text after certificate %d — paste only PEM certificates", len(certs))
	}
	return certs, nil
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
