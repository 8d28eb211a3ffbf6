package web

import (
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

// providerPage is the step's page around typed values, with the version the form was rendered from.
func (s *Server) providerPage(c echo.Context, conn *wif.Connection, edited wif.Connection, values formValues) (views.ProviderModel, error) {
	last, err := s.lastReport(c.Request().Context(), conn.ID)
	if err != nil {
		return views.ProviderModel{}, err
	}
	f := frame(conn, stepProvider, last)
	f.Version = edited.Version
	return views.ProviderModel{StepModel: views.StepModel{Frame: f, Values: values, Errors: wif.FieldErrors{}},
		Downloads: providerDownloads(conn.ID), SecretPlaces: s.app.SecretPolicy().Describe()}, nil
}

func (s *Server) renderProvider(c echo.Context, status int, conn *wif.Connection, m views.StepModel) error {
	return render(c, status, views.ProviderStep(views.ProviderModel{StepModel: m, Downloads: providerDownloads(conn.ID),
		SecretPlaces: s.app.SecretPolicy().Describe()}))
}

// providerDownloads are the authentik-as-code exports.
func providerDownloads(id int64) []views.ExportLink {
	var out []views.ExportLink
	for _, f := range workload.AuthentikFormats() {
		out = append(out, views.ExportLink{Format: f, Label: exportLabels[f], Action: connectionPath(id) + "/export"})
	}
	return out
}

// apiProblem puts an admin API use case's EINVALID error on the page; other errors are the
// server's.
func apiProblem(pm *views.ProviderModel, err error) bool {
	if wif.ErrorCode(err) != wif.EINVALID {
		return false
	}
	pm.APIError = err.Error()
	for f, msg := range wif.ErrorFields(err) {
		pm.Errors[f] = msg
	}
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
	pm, err := s.providerPage(c, conn, edited, values)
	if err != nil {
		return err
	}
	ins, err := s.app.InspectProvider(c.Request().Context(), actions.InspectRequest{Connection: edited, APIToken: c.FormValue("api_token")})
	if err != nil {
		if !apiProblem(&pm, err) {
			return err
		}
		return render(c, http.StatusUnprocessableEntity, views.ProviderStep(pm))
	}
	pm.Read = &views.ProviderRead{Name: ins.Provider.Name, Version: ins.Version, Use: map[string]string{
		wif.FieldClientID: ins.Values.ClientID, wif.FieldProviderName: ins.Values.ProviderName,
		wif.FieldAccessTokenValidity: ins.Values.AccessTokenValidity, wif.FieldSubjectMode: ins.Values.SubjectMode,
		"issuer_mode": ins.Values.IssuerMode}}
	for _, it := range ins.Items {
		pm.Read.Results = append(pm.Read.Results, views.ChecklistResult{ID: it.ID, Label: it.Label, OK: it.OK, Advice: it.Advice, Actual: it.Actual, Fix: it.Fix})
	}
	return render(c, http.StatusOK, views.ProviderStep(pm))
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
	pm, err := s.providerPage(c, conn, edited, values)
	if err != nil {
		return err
	}
	pm.Filled = true
	return render(c, http.StatusOK, views.ProviderStep(pm))
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
		pm, perr := s.providerPage(c, conn, edited, values)
		if perr != nil {
			return perr
		}
		if !apiProblem(&pm, err) {
			return err
		}
		return render(c, http.StatusUnprocessableEntity, views.ProviderStep(pm))
	}
	last, err := s.lastReport(c.Request().Context(), conn.ID)
	if err != nil {
		return err
	}
	f := frame(conn, stepProvider, last)
	f.Version = edited.Version
	carry := map[string]string{"signing_key": values["signing_key"]}
	for _, k := range stepFields[stepProvider] {
		carry[k] = values[k]
	}
	return render(c, http.StatusOK, views.ProviderPlan(views.ProviderPlanModel{Frame: f, Steps: plan.Steps, Changes: plan.Changes(), Carry: carry}))
}

// handleProviderApply carries out the plan and shows the outcome. It answers the POST with the
// page rather than redirecting: a new provider's client secret is shown on this response only,
// since it is never stored and so could not be shown after a redirect.
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
	switch code := wif.ErrorCode(err); {
	case err == nil:
	case code == wif.EINVALID || code == wif.ECONFLICT:
		m.Error, status = err.Error(), http.StatusUnprocessableEntity
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
