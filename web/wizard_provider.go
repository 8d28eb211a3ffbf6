package web

import (
	"errors"
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/wifwiz/wifwiz/actions"
	"github.com/wifwiz/wifwiz/views"
	"github.com/wifwiz/wifwiz/wif"
	"github.com/wifwiz/wifwiz/workload"
)

// The provider step's admin API actions: read the provider, fill the form from it, plan and
// apply its creation. Each uses the values typed on the step, saved or not; the API token is
// read from the request and never kept, logged or rendered.

func (s *Server) providerRoutes(e *echo.Echo) {
	e.POST("/connections/:id/wizard/2/inspect", s.handleProviderInspect)
	e.POST("/connections/:id/wizard/2/use", s.handleProviderUse)
	e.POST("/connections/:id/wizard/2/plan", s.handleProviderPlan)
	e.POST("/connections/:id/wizard/2/apply", s.handleProviderApply)
}

// typedProvider is conn with the provider step's typed values bound (the form's fields that were
// sent; the stored ones otherwise), and the form values to render again.
func typedProvider(c echo.Context, conn *wif.Connection) (wif.Connection, formValues) {
	values := providerValues(c, conn)
	values["signing_key"] = readForm(c, "signing_key")["signing_key"]
	edited := *conn
	if v := formVersion(c); v != 0 {
		edited.Version = v
	}
	bindStep(&edited, stepProvider, values)
	// A token reference is recorded only by saving the step, under the server's reference rules;
	// the admin API actions use the stored one.
	edited.AuthentikTokenRef, edited.AuthentikTokenRefOrigin = conn.AuthentikTokenRef, conn.AuthentikTokenRefOrigin
	values["issuer_url"] = edited.IssuerURL
	return edited, values
}

// providerValues are the provider step's form values: those sent, the stored ones for fields a
// client left out.
func providerValues(c echo.Context, conn *wif.Connection) formValues {
	values := stepValues(conn, stepProvider)
	form, _ := c.FormParams()
	for _, f := range stepFields[stepProvider] {
		if _, sent := form[f]; sent {
			values[f] = readForm(c, f)[f]
		}
	}
	return values
}

// providerModel is the step's model around m, with what every rendering of it shows.
func (s *Server) providerModel(conn *wif.Connection, m views.StepModel) views.ProviderModel {
	return views.ProviderModel{StepModel: m, Downloads: providerDownloads(conn.ID), SecretPlaces: s.app.SecretPolicy().Describe(),
		TokenStored: s.app.HasAuthentikToken(*conn)}
}

// providerPage is the step's page around typed values, with the version the form was rendered from.
func (s *Server) providerPage(c echo.Context, conn *wif.Connection, version int, values formValues) (views.ProviderModel, error) {
	last, err := s.lastReport(c.Request().Context(), conn.ID)
	if err != nil {
		return views.ProviderModel{}, err
	}
	f := frame(conn, stepProvider, last)
	f.Version = version
	return s.providerModel(conn, views.StepModel{Frame: f, Values: values, Errors: wif.FieldErrors{}}), nil
}

func (s *Server) renderProvider(c echo.Context, status int, conn *wif.Connection, m views.StepModel) error {
	pm := s.providerModel(conn, m)
	pm.OpenCA = c.QueryParam("ca") == "1"
	return render(c, status, views.ProviderStep(pm))
}

// providerResult is a page an admin API action of the provider step led to, held for the GET its
// POST redirects to. It holds the values typed on the step and what authentik returned — never
// the API token or a client secret.
type providerResult struct {
	values  formValues
	version int
	read    *views.ProviderRead
	filled  bool
	plan    *views.ProviderPlanModel
	applied *views.ProviderAppliedModel
}

// handleProviderHeld shows a held result of the provider step's admin API actions; an expired
// one shows the step as stored, saying so.
func (s *Server) handleProviderHeld(c echo.Context, conn *wif.Connection, key string) error {
	v, ok := s.held.get(conn.ID, actorOf(c), key, s.app.Now())
	r, _ := v.(providerResult)
	last, err := s.lastReport(c.Request().Context(), conn.ID)
	if err != nil {
		return err
	}
	f := frame(conn, stepProvider, last)
	switch {
	case !ok:
		pm := s.providerModel(conn, views.StepModel{Frame: f, Values: stepValues(conn, stepProvider)})
		pm.Expired = true
		return render(c, http.StatusOK, views.ProviderStep(pm))
	case r.plan != nil:
		m := *r.plan
		f.Version = r.version
		m.Frame = f
		return render(c, http.StatusOK, views.ProviderPlan(m))
	case r.applied != nil:
		m := *r.applied
		m.Frame = f
		return render(c, http.StatusOK, views.ProviderApplied(m))
	}
	f.Version, f.Unsaved = r.version, true
	pm := s.providerModel(conn, views.StepModel{Frame: f, Values: r.values, Errors: wif.FieldErrors{}})
	pm.Read, pm.Filled = r.read, r.filled
	return render(c, http.StatusOK, views.ProviderStep(pm))
}

// providerDownloads are the authentik-as-code exports.
func providerDownloads(id int64) []views.ExportLink {
	var out []views.ExportLink
	for _, f := range workload.AuthentikFormats() {
		out = append(out, views.ExportLink{Format: f, Label: exportLabels[f], Action: connectionPath(id) + "/export"})
	}
	return out
}

// apiProblem puts an admin API use case's EINVALID error on the page (an untrusted certificate
// with its fix: the CA field, opened); other errors are the server's.
func apiProblem(pm *views.ProviderModel, err error) bool {
	msg, ok := userError(err)
	if !ok {
		return false
	}
	pm.APIError = webWording(msg)
	if !untrustedCA(pm.APIError) {
		for f, msg := range wif.ErrorFields(err) {
			pm.Errors[f] = webWording(msg)
		}
		if se := (*actions.SecretError)(nil); errors.As(err, &se) {
			pm.Errors["api_token"] = se.Message
		}
		return true
	}
	// Not the token's fault: the certificate of the server it was sent to.
	pm.OpenCA = true
	pm.Diagnosis = &views.Diagnosis{Cause: "untrusted-ca", Title: "authentik's certificate is not trusted — paste its CA",
		Text: "authentik's admin API presents a certificate signed by an authority this server does not trust — a private CA. " +
			"Paste that CA's certificate (PEM) into Extra CA certificate below and try again; it is used unsaved, and recorded when you save the step.",
		Href: "#" + wif.FieldCAPEM, Link: "Paste the CA certificate", Focus: wif.FieldCAPEM}
	return true
}

// handleProviderInspect reads the provider through authentik's admin API with the typed values
// and shows each setting judged, with the values it found to fill the form.
func (s *Server) handleProviderInspect(c echo.Context) error {
	conn, err := s.connectionParam(c)
	if err != nil {
		return err
	}
	edited, values := typedProvider(c, conn)
	ins, err := s.app.InspectProvider(c.Request().Context(), actions.InspectRequest{Connection: edited, APIToken: c.FormValue("api_token")})
	if err != nil {
		return s.providerRefused(c, conn, edited, values, err)
	}
	read := &views.ProviderRead{Name: ins.Provider.Name, Version: ins.Version, Use: map[string]string{
		wif.FieldClientID: ins.Values.ClientID, wif.FieldProviderName: ins.Values.ProviderName,
		wif.FieldAccessTokenValidity: ins.Values.AccessTokenValidity, wif.FieldSubjectMode: ins.Values.SubjectMode,
		"issuer_mode": ins.Values.IssuerMode}}
	for _, it := range ins.Items {
		read.Results = append(read.Results, views.ChecklistResult{ID: it.ID, Label: it.Label, OK: it.OK, Advice: it.Advice, Actual: it.Actual, Fix: it.Fix})
	}
	return s.holdResult(c, conn, stepProvider, providerResult{values: values, version: edited.Version, read: read}, "#provider-read")
}

// providerRefused shows the step again with the typed values and why the admin API action could
// not be done.
func (s *Server) providerRefused(c echo.Context, conn *wif.Connection, edited wif.Connection, values formValues, err error) error {
	pm, perr := s.providerPage(c, conn, edited.Version, values)
	if perr != nil {
		return perr
	}
	if !apiProblem(&pm, err) {
		return err
	}
	pm.Frame.Unsaved = true
	return render(c, http.StatusUnprocessableEntity, views.ProviderStep(pm))
}

// handleProviderUse fills the form with the values read from authentik (sent back as use_*
// fields) over the typed ones. Nothing is saved until the admin saves the step.
func (s *Server) handleProviderUse(c echo.Context) error {
	conn, err := s.connectionParam(c)
	if err != nil {
		return err
	}
	edited, values := typedProvider(c, conn)
	for _, f := range []string{wif.FieldClientID, wif.FieldProviderName, wif.FieldAccessTokenValidity, wif.FieldSubjectMode, "issuer_mode"} {
		if v := readForm(c, "use_"+f)["use_"+f]; v != "" {
			values[f] = v
		}
	}
	bindStep(&edited, stepProvider, values)
	values["issuer_url"] = edited.IssuerURL
	return s.holdResult(c, conn, stepProvider, providerResult{values: values, version: edited.Version, filled: true}, "")
}

// planRequest is the authentik side's plan for the typed values; the subject mode typed is the
// admin's choice.
func planRequest(c echo.Context, edited wif.Connection) actions.PlanRequest {
	return actions.PlanRequest{Connection: edited, Side: wif.SideAuthentik,
		Credentials: actions.Credentials{AuthentikToken: c.FormValue("api_token")},
		Choices:     actions.PlanChoices{SubjectMode: edited.SubjectMode, SigningKey: readForm(c, "signing_key")["signing_key"]}}
}

// handleProviderPlan shows what "Create it for me" would do in authentik, changing nothing.
func (s *Server) handleProviderPlan(c echo.Context) error {
	conn, err := s.connectionParam(c)
	if err != nil {
		return err
	}
	edited, values := typedProvider(c, conn)
	plan, err := s.app.Plan(c.Request().Context(), planRequest(c, edited))
	if err != nil {
		return s.providerRefused(c, conn, edited, values, err)
	}
	carry := map[string]string{"signing_key": values["signing_key"]}
	for _, k := range stepFields[stepProvider] {
		carry[k] = values[k]
	}
	m := &views.ProviderPlanModel{Steps: plan.Steps, Changes: plan.Changes(), Carry: carry}
	return s.holdResult(c, conn, stepProvider, providerResult{values: values, version: edited.Version, plan: m}, "")
}

// handleProviderApply carries out the plan and shows the outcome. When authentik made a new
// client secret it answers the POST with the page (no-store) rather than redirecting: the secret
// is shown on this response only, since it is never stored or held. Otherwise it redirects.
func (s *Server) handleProviderApply(c echo.Context) error {
	conn, err := s.connectionParam(c)
	if err != nil {
		return err
	}
	edited, _ := typedProvider(c, conn)
	done, err := s.app.Apply(c.Request().Context(), planRequest(c, edited), actorOf(c))
	status := http.StatusOK
	m := views.ProviderAppliedModel{Steps: done.Plan.Steps, ClientSecret: done.ClientSecret}
	shown := *conn
	if done.Connection.ID != 0 && err == nil {
		shown = done.Connection
	}
	if done.ClientSecret != "" {
		m.ClientID = done.Connection.ClientID
	}
	msg, isUserErr := userError(err)
	switch {
	case err == nil && done.ClientSecret == "":
		return s.holdResult(c, conn, stepProvider, providerResult{applied: &m}, "")
	case err == nil:
	case isUserErr:
		m.Error, status = webWording(msg), http.StatusUnprocessableEntity
	case done.ClientSecret != "":
		s.log.Error("apply the authentik side", "connection", conn.ID, "err", err)
		m.Error, status = "authentik has the new provider, but recording it on the connection failed (internal error): copy the secret now and apply again.", http.StatusInternalServerError
	default:
		return err
	}
	last, lerr := s.lastReport(c.Request().Context(), conn.ID)
	if lerr != nil {
		return lerr
	}
	m.Frame = frame(&shown, stepProvider, last)
	c.Response().Header().Set("Cache-Control", "no-store")
	return render(c, status, views.ProviderApplied(m))
}
