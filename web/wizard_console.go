package web

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"slices"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/wifwiz/wifwiz/verify"
	"github.com/wifwiz/wifwiz/views"
	"github.com/wifwiz/wifwiz/wif"
)

func (s *Server) renderConsole(c echo.Context, status int, conn *wif.Connection, m views.StepModel, last lastRun) error {
	return s.renderConsoleWith(c, status, conn, m, last, nil)
}

// renderConsoleWith renders the Console step; edit adds what a Console API request found.
func (s *Server) renderConsoleWith(c echo.Context, status int, conn *wif.Connection, m views.StepModel, last lastRun, edit func(*views.ConsoleModel)) error {
	ctx, rep := c.Request().Context(), last.rep
	cm := views.ConsoleModel{StepModel: m, TokenStored: s.app.HasConsoleToken(*conn), Mismatches: mismatchesOf(conn, last),
		HasSecret: s.app.HasUsableSecret(*conn)}
	consoleNotes(c, &cm)
	if rep != nil && rep.Token != nil {
		cm.SampleSub = display(rep.Token.Claims["sub"])
		if m.Values[wif.FieldSubjectPrefix] == "" {
			m.Values[wif.FieldSubjectPrefix] = cm.SampleSub
		}
	}
	cm.NotPublic = notPublicReason(rep)
	if cm.NotPublic != "" || conn.JWKSSource == wif.JWKSInline {
		s.suggestInlineJWKS(ctx, conn, &cm)
	}
	if edit != nil {
		edit(&cm)
	}
	return render(c, status, views.ConsoleStep(cm))
}

// notPublicReason is why Anthropic cannot fetch the issuer itself, from the last run's checks.
func notPublicReason(rep *verify.Report) string {
	if rep == nil {
		return ""
	}
	for _, ch := range rep.Checks {
		if (ch.ID == verify.CheckIssuerURL || ch.ID == verify.CheckIssuerPublic) && (ch.Status == verify.Fail || ch.Status == verify.Warn) {
			return ch.Message
		}
	}
	return ""
}

// suggestInlineJWKS fills the inline JWKS with authentik's current keys when none are recorded,
// names the current keys when they differ from the recorded ones (a rotation), and pre-selects
// inline keys when the Console cannot use discovery and nothing was chosen yet.
func (s *Server) suggestInlineJWKS(ctx context.Context, conn *wif.Connection, cm *views.ConsoleModel) {
	jwks, err := s.app.CurrentJWKS(ctx, *conn)
	if err != nil {
		msg := webWording(err.Error())
		cm.JWKSFetchNote = "wifwiz could not read authentik's current keys to paste: " + msg
		if untrustedCA(msg) {
			cm.CAHref = caFieldPath(conn.ID)
		}
		return
	}
	if conn.JWKSSource == "" && cm.NotPublic != "" {
		cm.Values[wif.FieldJWKSSource] = wif.JWKSInline
	}
	switch recorded := cm.Values[wif.FieldInlineJWKS]; {
	case recorded == "":
		cm.Values[wif.FieldInlineJWKS] = jwks
	case !sameKeys(recorded, jwks):
		cm.JWKSJSON = jwks
	}
}

// sameKeys says two JWKS documents hold the same keys, by their kid (or, unreadable, by their
// compact JSON).
func sameKeys(a, b string) bool {
	ka, errA := kidsOf(a)
	kb, errB := kidsOf(b)
	if errA != nil || errB != nil {
		var ca, cb bytes.Buffer
		return json.Compact(&ca, []byte(a)) == nil && json.Compact(&cb, []byte(b)) == nil && ca.String() == cb.String()
	}
	return slices.Equal(ka, kb)
}

func kidsOf(doc string) ([]string, error) {
	var set struct {
		Keys []struct {
			Kid string `json:"kid"`
		} `json:"keys"`
	}
	if err := json.Unmarshal([]byte(doc), &set); err != nil {
		return nil, err
	}
	kids := make([]string, 0, len(set.Keys))
	for _, k := range set.Keys {
		kids = append(kids, k.Kid)
	}
	slices.Sort(kids)
	return kids, nil
}

// afterConsoleSave verifies the Console step just saved — "Save and verify" — with the client
// secret typed beside the button (for this run only) or the recorded reference, so that the
// report judges exactly these settings. "Save without verifying" goes to the report, which asks
// to verify; without a secret, the step asks for it, its settings saved.
func (s *Server) afterConsoleSave(c echo.Context, conn *wif.Connection) error {
	if c.FormValue("verify") == "0" {
		return c.Redirect(http.StatusSeeOther, wizardPath(conn.ID, stepReport))
	}
	secret := strings.TrimSpace(c.FormValue("client_secret"))
	refused := func(field, msg string) error {
		return s.consolePage(c, http.StatusUnprocessableEntity, conn, nil, func(m *views.ConsoleModel) {
			if field == "client_secret" && !m.HasSecret {
				m.Errors = wif.FieldErrors{field: msg}
				return
			}
			m.VerifyError = msg
		})
	}
	if secret == "" && !s.app.HasUsableSecret(*conn) {
		return refused("client_secret", "Saved. Now enter the client secret to verify these settings: it is used for this run only, never stored.")
	}
	return s.verifyAndShow(c, conn, verifyForm{secret: secret}, refused)
}
