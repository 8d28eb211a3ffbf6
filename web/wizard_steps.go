package web

import (
	"net/http"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/wifwiz/wifwiz/views"
	"github.com/wifwiz/wifwiz/wif"
)

// handleWizardStep renders a step from what is stored.
func (s *Server) handleWizardStep(c echo.Context) error {
	step, err := stepParam(c)
	if err != nil {
		return err
	}
	conn, err := s.connectionParam(c)
	if err != nil {
		return err
	}
	switch key := c.QueryParam("held"); {
	case step == stepConsole && key != "":
		return s.handleConsoleHeld(c, conn, key)
	case step == stepConsole:
		return s.consolePage(c, http.StatusOK, conn, nil, nil)
	case step == stepProvider && key != "":
		return s.handleProviderHeld(c, conn, key)
	}
	return s.renderStep(c, http.StatusOK, conn, step, stepValues(conn, step), nil, "")
}

// handleWizardSave binds the step's form, validates it and saves, then redirects to the next step.
func (s *Server) handleWizardSave(c echo.Context) error {
	step, err := stepParam(c)
	if err != nil {
		return err
	}
	conn, err := s.connectionParam(c)
	if err != nil {
		return err
	}
	switch step {
	case stepSample:
		return s.handleSampleToken(c, conn)
	case stepReport:
		return s.handleReportRerun(c, conn)
	case stepWorkload:
		return s.handleWizardFinish(c)
	}
	stored := *conn
	edited := *conn
	edited.Version = formVersion(c)
	values := readForm(c, stepFields[step]...)
	if step == stepProvider {
		values = providerValues(c, conn)
	}
	saved, err := s.saveStep(c, &stored, &edited, step, bindStep(&edited, step, values))
	switch {
	case err != nil:
		return err
	case saved.Conflict != "":
		return s.renderStep(c, http.StatusConflict, &stored, step, values, nil, saved.Conflict)
	case len(saved.Fields) > 0:
		stored.Version = formVersion(c)
		return s.renderStep(c, http.StatusUnprocessableEntity, &stored, step, values, saved.Fields, "")
	}
	if step == stepConsole {
		return s.afterConsoleSave(c, &saved.Connection)
	}
	return c.Redirect(http.StatusSeeOther, wizardPath(conn.ID, min(step+1, stepCount)))
}

// stepFields are the inputs each saving step reads.
var stepFields = map[int][]string{
	stepBasics: {wif.FieldName, wif.FieldAuthentikURL, wif.FieldAppSlug, wif.FieldProviderName, "issuer_mode"},
	stepProvider: {wif.FieldClientID, wif.FieldProviderName, wif.FieldAccessTokenValidity, wif.FieldSubjectMode, "issuer_mode", wif.FieldCAPEM,
		wif.FieldAuthentikTokenRef},
	stepConsole: {wif.FieldServiceAccountID, wif.FieldIssuerName, wif.FieldIssuerURL, wif.FieldJWKSSource, wif.FieldInlineJWKS,
		wif.FieldDiscoveryBase, wif.FieldRuleName, wif.FieldSubjectPrefix, wif.FieldAudience, wif.FieldOAuthScope,
		wif.FieldTokenLifetime, wif.FieldMaxIdentityTokenLifetime, wif.FieldFederationRuleID, wif.FieldOrganizationID,
		wif.FieldWorkspaceID, wif.FieldAnthropicBaseURL, wif.FieldClaims, wif.FieldCondition, wif.FieldIssuerID},
}

// bindStep puts a step's form values on conn; the errors are the values that could not be read
// at all (a lifetime that is no number). The step's validation is the use case's.
func bindStep(conn *wif.Connection, step int, v formValues) wif.FieldErrors {
	switch step {
	case stepBasics:
		bindBasics(conn, v)
	case stepProvider:
		bindProvider(conn, v)
	case stepConsole:
		return bindConsole(conn, v)
	}
	return nil
}

func bindBasics(conn *wif.Connection, v formValues) {
	conn.Name, conn.AuthentikURL, conn.AppSlug, conn.ProviderName = v[wif.FieldName], strings.TrimRight(v[wif.FieldAuthentikURL], "/"), v[wif.FieldAppSlug], v[wif.FieldProviderName]
	if len(wif.ValidateBasics(*conn)) > 0 {
		return // the issuer is derived from valid values only
	}
	conn.IssuerURL, conn.DiscoveryBase = wif.IssuerFor(conn.AuthentikURL, conn.AppSlug, v["issuer_mode"])
	if conn.IssuerName == "" {
		conn.IssuerName = "authentik " + conn.AppSlug
	}
}

func bindProvider(conn *wif.Connection, v formValues) {
	conn.ClientID, conn.AccessTokenValidity, conn.SubjectMode = v[wif.FieldClientID], v[wif.FieldAccessTokenValidity], v[wif.FieldSubjectMode]
	conn.ProviderName, conn.CAPEM, conn.AuthentikTokenRef = v[wif.FieldProviderName], v[wif.FieldCAPEM], v[wif.FieldAuthentikTokenRef]
	// A changed issuer mode derives the issuer URL anew; an unchanged one keeps what is recorded.
	if mode := v["issuer_mode"]; mode != "" && mode != wif.IssuerModeOf(*conn) && conn.AuthentikURL != "" && conn.AppSlug != "" {
		conn.IssuerURL, conn.DiscoveryBase = wif.IssuerFor(conn.AuthentikURL, conn.AppSlug, mode)
	}
}

func bindConsole(conn *wif.Connection, v formValues) wif.FieldErrors {
	fe := wif.FieldErrors{}
	conn.ServiceAccountID, conn.IssuerName, conn.IssuerURL = v[wif.FieldServiceAccountID], v[wif.FieldIssuerName], v[wif.FieldIssuerURL]
	conn.JWKSSource, conn.InlineJWKS, conn.DiscoveryBase = v[wif.FieldJWKSSource], v[wif.FieldInlineJWKS], v[wif.FieldDiscoveryBase]
	conn.RuleName, conn.SubjectPrefix, conn.Audience, conn.OAuthScope = v[wif.FieldRuleName], v[wif.FieldSubjectPrefix], v[wif.FieldAudience], v[wif.FieldOAuthScope]
	conn.TokenLifetime = parseSeconds(fe, wif.FieldTokenLifetime, "Token lifetime", v[wif.FieldTokenLifetime])
	conn.MaxIdentityTokenLifetime = parseSeconds(fe, wif.FieldMaxIdentityTokenLifetime, "Maximum identity token lifetime", v[wif.FieldMaxIdentityTokenLifetime])
	conn.FederationRuleID, conn.OrganizationID, conn.WorkspaceID = v[wif.FieldFederationRuleID], v[wif.FieldOrganizationID], v[wif.FieldWorkspaceID]
	conn.AnthropicBaseURL, conn.Condition, conn.IssuerID = v[wif.FieldAnthropicBaseURL], v[wif.FieldCondition], v[wif.FieldIssuerID]
	claims, err := wif.ParseClaims(v[wif.FieldClaims])
	if err != nil {
		fe.Add(wif.FieldClaims, "Claims matchers, "+err.Error()+" — write one NAME=VALUE per line.")
	}
	conn.Claims = claims
	if conn.JWKSSource != wif.JWKSInline {
		conn.InlineJWKS = ""
	}
	return fe
}

// stepValues are a step's form values as stored, with the Console defaults filled in.
func stepValues(conn *wif.Connection, step int) formValues {
	v := formValues{}
	for _, f := range wif.Fields {
		v[f.Name] = f.Get(*conn)
	}
	v[wif.FieldTokenLifetime] = secondsValue(conn.TokenLifetime)
	v[wif.FieldMaxIdentityTokenLifetime] = secondsValue(conn.MaxIdentityTokenLifetime)
	v["issuer_mode"] = wif.IssuerModeOf(*conn)
	if step == stepConsole {
		consoleDefaults(conn, v)
	}
	return v
}

func consoleDefaults(conn *wif.Connection, v formValues) {
	defaults := map[string]string{
		wif.FieldJWKSSource:               wif.JWKSDiscovery,
		wif.FieldAudience:                 conn.ClientID,
		wif.FieldOAuthScope:               wif.DefaultOAuthScope,
		wif.FieldTokenLifetime:            secondsValue(wif.DefaultLifetime),
		wif.FieldMaxIdentityTokenLifetime: secondsValue(wif.DefaultLifetime),
		wif.FieldRuleName:                 ruleNameFor(conn.Name),
	}
	for k, d := range defaults {
		if v[k] == "" {
			v[k] = d
		}
	}
}

// ruleNameFor suggests a rule name that fits the Console's pattern (lowercase, digits, '-').
func ruleNameFor(name string) string {
	var b strings.Builder
	for _, r := range strings.ToLower(name) {
		switch {
		case r >= 'a' && r <= 'z', r >= '0' && r <= '9':
			b.WriteRune(r)
		default:
			b.WriteByte('-')
		}
	}
	return strings.Trim(b.String(), "-")
}

func (s *Server) renderStep(c echo.Context, status int, conn *wif.Connection, step int, v formValues, fe wif.FieldErrors, conflict string) error {
	last, err := s.lastReport(c.Request().Context(), conn.ID)
	if err != nil {
		return err
	}
	f := s.frame(conn, step, last)
	f.Conflict = conflict
	f.Unsaved = conflict != "" || unsavedFields(fe)
	m := views.StepModel{Frame: f, Values: v, Errors: fe}
	switch step {
	case stepBasics:
		return render(c, status, views.BasicsStep(m))
	case stepProvider:
		return s.renderProvider(c, status, conn, m)
	case stepSample:
		return s.renderSample(c, status, conn, m, last)
	case stepConsole:
		return s.renderConsole(c, status, conn, m, last)
	case stepWorkload:
		return s.renderWorkload(c, status, conn, m, last)
	case stepReport:
		return s.renderReport(c, status, conn, m, last)
	}
	return echo.ErrNotFound
}

// unsavedFields says a refused form shows typed values that are not saved: any field error other
// than the client secret's (a secret is never saved, and step 3 saves its settings before asking
// for it).
func unsavedFields(fe wif.FieldErrors) bool {
	for field := range fe {
		if field != "client_secret" {
			return true
		}
	}
	return false
}
