package web

import (
	"strings"

	"github.com/wifwiz/wifwiz/verify"
	"github.com/wifwiz/wifwiz/views"
	"github.com/wifwiz/wifwiz/wif"
)

// A diagnosis names the one cause a failed request to authentik points to when the checks
// narrow it down, with the fix where it is made on these pages. The checks' own texts serve the
// command line too; here they are refined for the web.

// untrustedCA says a request failed because authentik's certificate chains to an authority this
// server does not trust: a private CA whose certificate has not been given.
func untrustedCA(msg string) bool {
	return strings.Contains(msg, "unknown authority")
}

// webHints rewrite the command line's advice in a message for the web, where a field takes the
// place of a flag.
var webHints = strings.NewReplacer(
	"give its PEM (--ca-file)", "paste its certificate (PEM) as the Extra CA certificate on the authentik provider step",
	" (--ca-file)", "",
)

// webWording is msg as a web page says it.
func webWording(msg string) string { return webHints.Replace(msg) }

// caFieldPath is the provider step with its Extra CA certificate field opened and focused.
func caFieldPath(connID int64) string {
	return wizardPath(connID, stepProvider) + "?ca=1#" + wif.FieldCAPEM
}

// caDiagnosis is the fix for an untrusted certificate: paste the CA on the provider step.
func caDiagnosis(conn wif.Connection) *diagnosis {
	where := wif.Origin(conn.AuthentikURL)
	if where == "" {
		where = wif.Origin(conn.IssuerURL)
	}
	fix := "Paste authentik's CA certificate (PEM) as the Extra CA certificate on the authentik provider step, save, and try again."
	return &diagnosis{
		view: views.Diagnosis{Cause: "untrusted-ca", Title: "authentik's certificate is not trusted — paste its CA",
			Text: where + " presents a certificate from a private CA, which this server does not trust. Record that CA's certificate with the connection; nothing else needs to change.",
			Href: caFieldPath(conn.ID), Link: "Paste the CA certificate"},
		fix: fix, fixHref: caFieldPath(conn.ID), fixLink: "Open the Extra CA certificate field",
		rows: map[string]bool{verify.CheckDiscovery: true, verify.CheckJWKS: true, verify.CheckTokenRequest: true},
	}
}

// diagnosis is a cause with its fix, and the rows whose fix it replaces.
type diagnosis struct {
	view             views.Diagnosis
	fix              string
	fixHref, fixLink string
	// note replaces replaced in the message of those rows (is appended when replaced is not there).
	note, replaced string
	rows           map[string]bool
}

// refine puts the diagnosis's fix on the rows it explains (failed ones only).
func (d *diagnosis) refine(rows []views.CheckRow) []views.CheckRow {
	if d == nil {
		return rows
	}
	for i := range rows {
		if r := &rows[i]; d.rows[r.ID] && r.Status == string(verify.Fail) {
			r.Fix, r.FixHref, r.FixLink = d.fix, d.fixHref, d.fixLink
			switch {
			case d.note == "":
			case d.replaced != "" && strings.Contains(r.Message, d.replaced):
				r.Message = strings.Replace(r.Message, d.replaced, d.note, 1)
			default:
				r.Message += " " + d.note
			}
		}
	}
	return rows
}

// diagnose finds the one cause of a failed request to authentik in a report of conn: an untrusted
// certificate, or — discovery at the application slug having answered, so the provider is
// attached to the application — a wrong client secret. nil when the checks do not narrow it down.
func diagnose(conn wif.Connection, rep verify.Report) *diagnosis {
	byID := make(map[string]verify.Check, len(rep.Checks))
	for _, ch := range rep.Checks {
		byID[ch.ID] = ch
	}
	for _, id := range []string{verify.CheckDiscovery, verify.CheckJWKS, verify.CheckTokenRequest} {
		if ch := byID[id]; ch.Status == verify.Fail && untrustedCA(ch.Actual+" "+ch.Message) {
			return caDiagnosis(conn)
		}
	}
	tok, disc := byID[verify.CheckTokenRequest], byID[verify.CheckDiscovery]
	if tok.Status == verify.Fail && strings.Contains(tok.Actual, `error "invalid_grant"`) && disc.Status == verify.Pass && conn.AppSlug != "" {
		return secretDiagnosis(conn)
	}
	return nil
}

// secretDiagnosis: authentik refused the secret (invalid_grant) although discovery answered at
// the application slug, which it does only for an application with a provider attached.
func secretDiagnosis(conn wif.Connection) *diagnosis {
	return &diagnosis{
		view: views.Diagnosis{Cause: "wrong-secret", Title: "The client secret is wrong",
			Text: "authentik knows the client ID and answered discovery for the application " + conn.AppSlug +
				", so the provider is attached to it: what it refused (invalid_grant) is the client secret. " +
				"Copy it again from the provider's edit form in authentik (Applications → Providers → Edit) and request the token again.",
			Href: "#client_secret", Link: "Enter the client secret again", Focus: "client_secret",
			Aside: "Refused again with the secret just copied? Then a policy bound to the application denies its ak-…-client_credentials service account."},
		fix:      "Copy the client secret again from the provider's edit form in authentik (Applications → Providers → Edit) and request the token again.",
		note:     "Discovery answered at the application slug, so the provider is attached to the application: the client secret is wrong.",
		replaced: invalidGrantMeaning(),
		rows:     map[string]bool{verify.CheckTokenRequest: true},
	}
}

// invalidGrantMeaning is the sentence in which the token.request check lists every cause of
// authentik's invalid_grant; the diagnosis replaces it with the one left.
func invalidGrantMeaning() string {
	m := wif.AuthentikError{Code: "invalid_grant"}.Meaning(wif.IssuerAuthentik)
	if m == "" {
		return ""
	}
	return strings.ToUpper(m[:1]) + m[1:] + "."
}
