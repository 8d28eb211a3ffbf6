package web

import (
	"context"

	"github.com/labstack/echo/v4"

	"github.com/wifwiz/wifwiz/actions"
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
	cm := views.ConsoleModel{StepModel: m, TokenStored: s.app.HasConsoleToken(*conn), Mismatches: mismatchesOf(conn, last)}
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

// suggestInlineJWKS shows the current keys to paste and pre-selects inline keys when the
// Console cannot use discovery and nothing was chosen yet.
func (s *Server) suggestInlineJWKS(ctx context.Context, conn *wif.Connection, cm *views.ConsoleModel) {
	jwks, err := s.app.CurrentJWKS(ctx, *conn)
	if err != nil {
		cm.JWKSFetchNote = "wifwiz could not read the current keys to paste: " + err.Error()
		return
	}
	cm.JWKSJSON = jwks
	if conn.JWKSSource == "" && cm.NotPublic != "" {
		cm.Values[wif.FieldJWKSSource] = wif.JWKSInline
	}
	if cm.Values[wif.FieldJWKSSource] == wif.JWKSInline && cm.Values[wif.FieldInlineJWKS] == "" {
		cm.Values[wif.FieldInlineJWKS] = jwks
	}
}

// afterConsoleSave verifies right away when the secret is at hand, so that the report reflects
// the Console values just saved; otherwise the report page asks for the secret.
func (s *Server) afterConsoleSave(c echo.Context, conn *wif.Connection) error {
	if !s.app.HasUsableSecret(*conn) {
		return nil
	}
	_, err := s.app.VerifyAndRecord(c.Request().Context(), actions.VerifyRequest{Connection: *conn, UseStoredSecret: true, Actor: actorOf(c)})
	if wif.ErrorCode(err) == wif.EINVALID {
		return nil // the report page shows why it cannot be verified
	}
	return err
}
