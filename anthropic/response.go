package anthropic

import (
	"encoding/json"
	"net/http"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/wifwiz/wifwiz/verify"
)

// tokenPrefixLen is how much of an access token may be shown: "sk-ant-oat01" identifies the
// kind of token without being usable.
const tokenPrefixLen = 12

// bodyStartLen bounds how much of an unreadable error body is quoted back.
const bodyStartLen = 200

type tokenResponse struct {
	AccessToken string `json:"access_token"`
	TokenType   string `json:"token_type"`
	ExpiresIn   int    `json:"expires_in"`
	Scope       string `json:"scope"`
}

// apiError reads both error shapes: Anthropic's {"type":"error","error":{"type","message"}}
// and OAuth's {"error":"invalid_grant","error_description":…}.
type apiError struct {
	Error            json.RawMessage `json:"error"`
	ErrorDescription string          `json:"error_description"`
}

type apiErrorDetail struct {
	Type    string `json:"type"`
	Message string `json:"message"`
}

func readResponse(status int, body []byte, out *verify.Exchange) {
	if status == http.StatusOK {
		readSuccess(body, out)
		return
	}
	if t, msg, ok := parseError(body); ok {
		out.ErrorType, out.Message = t, msg
		return
	}
	out.ErrorType = ErrorBadResponse
	out.Message = "unrecognised error body: " + bodyStart(body)
}

func readSuccess(body []byte, out *verify.Exchange) {
	var t tokenResponse
	if err := json.Unmarshal(body, &t); err != nil {
		// The body may hold a token: say nothing of its content.
		out.ErrorType, out.Message = ErrorBadResponse, "200 response is not JSON"
		return
	}
	out.Scope, out.ExpiresIn = t.Scope, t.ExpiresIn
	out.TokenPrefix = TokenPrefix(t.AccessToken)
	switch {
	case t.AccessToken == "":
		out.ErrorType, out.Message = ErrorBadResponse, "200 response without access_token"
	case !strings.EqualFold(t.TokenType, "Bearer"):
		out.ErrorType, out.Message = ErrorBadResponse, "token_type is "+quote(t.TokenType)+", want Bearer"
	}
}

func parseError(body []byte) (errType, message string, ok bool) {
	var e apiError
	if json.Unmarshal(body, &e) != nil || len(e.Error) == 0 {
		return "", "", false
	}
	var detail apiErrorDetail
	if json.Unmarshal(e.Error, &detail) == nil && detail.Type != "" {
		return detail.Type, detail.Message, true
	}
	var code string
	if json.Unmarshal(e.Error, &code) == nil && code != "" {
		return code, e.ErrorDescription, true
	}
	return "", "", false
}

// TokenPrefix shows the start of an access token followed by "…": at most 12 characters and
// never more than half of it, so the whole token is never shown.
func TokenPrefix(token string) string {
	if token == "" {
		return ""
	}
	n := min(tokenPrefixLen, len(token)/2)
	return token[:n] + "…"
}

func bodyStart(body []byte) string {
	s := strings.ToValidUTF8(string(body), "�")
	if utf8.RuneCountInString(s) <= bodyStartLen {
		return quote(s)
	}
	return quote(string([]rune(s)[:bodyStartLen]) + "…")
}

func quote(s string) string { return strconv.Quote(s) }
