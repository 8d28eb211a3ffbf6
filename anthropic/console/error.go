package console

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"regexp"
	"strings"

	"github.com/wifwiz/wifwiz/redact"
	"github.com/wifwiz/wifwiz/wif"
)

// Kind classifies a refusal by what the person has to do about it.
type Kind string

const (
	KindNoToken        Kind = "no_token"        // refused locally: no token given
	KindAdminKey       Kind = "admin_key"       // refused locally: an Admin API key, sk-ant-admin…
	KindAPIKey         Kind = "api_key"         // refused locally: an API key, sk-ant-api…
	KindMalformedToken Kind = "malformed_token" // refused locally: whitespace inside the token
	KindUnauthorized   Kind = "unauthorized"    // 401: expired or invalid token
	KindForbidden      Kind = "forbidden"       // 403: the token lacks org:admin
	KindConsoleSession Kind = "console_session" // 403: a rule scope only a Console session may touch
	KindInteractive    Kind = "interactive"     // 403: an admin service account needs a person's credential
	KindInvalid        Kind = "invalid"         // 400: Field says which field
	KindNotFound       Kind = "not_found"       // 404
	KindConflict       Kind = "conflict"        // 409: Name is taken
	KindServer         Kind = "server"          // anything else
)

// Sentinels for errors.Is; an *Error matches the one of its Kind.
var (
	ErrNoToken        = errors.New("no Console token")
	ErrAdminKey       = errors.New("an Admin API key is not accepted")
	ErrAPIKey         = errors.New("an API key is not accepted")
	ErrMalformedToken = errors.New("malformed Console token")
	ErrUnauthorized   = errors.New("the Console token expired or is invalid")
	ErrForbidden      = errors.New("the Console token lacks the org:admin scope")
	ErrConsoleSession = errors.New("needs a Console session")
	ErrInteractive    = errors.New("needs an interactive credential")
	ErrInvalid        = errors.New("refused as invalid")
	ErrNotFound       = errors.New("not found")
	ErrConflict       = errors.New("name already taken")
	ErrServer         = errors.New("unexpected answer")
)

var sentinels = map[Kind]error{
	KindNoToken: ErrNoToken, KindAdminKey: ErrAdminKey, KindAPIKey: ErrAPIKey, KindMalformedToken: ErrMalformedToken,
	KindUnauthorized: ErrUnauthorized, KindForbidden: ErrForbidden, KindConsoleSession: ErrConsoleSession, KindInteractive: ErrInteractive,
	KindInvalid: ErrInvalid, KindNotFound: ErrNotFound, KindConflict: ErrConflict, KindServer: ErrServer,
}

const fixLogin = "Print an OAuth access token with the org:admin scope: `ant auth login --scope \"org:admin\"` (as an organization admin or owner), then `ant auth print-credentials --access-token`."

// Error is a refusal by the management API (or by New, before sending), explained for a person.
// It never holds the token.
type Error struct {
	Kind      Kind
	Status    int    // HTTP status; 0 when refused locally
	Type      string // the API's error type, e.g. permission_error
	Message   string // the API's message
	Field     string // 400/409: the field the message names
	Name      string // 409: the name that is taken
	RequestID string
	Method    string
	Path      string
	Fix       string // what to do
}

func (e *Error) Is(target error) bool { return sentinels[e.Kind] == target }

func (e *Error) Error() string {
	var b strings.Builder
	if e.Method != "" {
		fmt.Fprintf(&b, "%s %s: ", e.Method, e.Path)
	}
	b.WriteString(e.explain())
	if e.Status != 0 {
		fmt.Fprintf(&b, " (HTTP %d", e.Status)
		if e.Type != "" {
			b.WriteString(" " + e.Type)
		}
		if e.Message != "" {
			fmt.Fprintf(&b, ": %q", e.Message)
		}
		if e.RequestID != "" {
			b.WriteString("; request-id " + e.RequestID)
		}
		b.WriteString(")")
	}
	if e.Fix != "" {
		b.WriteString(" " + e.Fix)
	}
	return b.String()
}

// Explanation is what went wrong, for a person, without the request line, the status or the fix.
func (e *Error) Explanation() string { return e.explain() }

func (e *Error) explain() string {
	switch e.Kind {
	case KindNoToken:
		return "No Console token was given."
	case KindAdminKey:
		return "An Admin API key (sk-ant-admin…) is not accepted by the WIF management API: it takes only an OAuth access token with the org:admin scope."
	case KindAPIKey:
		return "An API key (sk-ant-api…) is not a Console token: the WIF management API takes only an OAuth access token with the org:admin scope."
	case KindMalformedToken:
		return "The Console token contains whitespace."
	case KindUnauthorized:
		return "The Console token was refused: it has expired or is not valid."
	case KindForbidden:
		return "The Console token lacks the org:admin scope."
	case KindConsoleSession:
		return "Only a Console session may change this: rules granting a scope other than workspace:developer or workspace:inference (and the issuers behind them) cannot be changed with an OAuth token."
	case KindInteractive:
		return "A workload's (federated) token may not create or promote an admin service account: that needs a person's credential."
	case KindInvalid:
		if e.Field != "" {
			return fmt.Sprintf("The Console refused the field %s.", e.Field)
		}
		return "The Console refused the request."
	case KindNotFound:
		return "Not found in this organization: the ID is wrong, or the token belongs to another organization."
	case KindConflict:
		if e.Name != "" {
			return fmt.Sprintf("The name %q is already taken (%s).", e.Name, e.Field)
		}
		return fmt.Sprintf("The value of %s is already taken.", e.Field)
	}
	return "The Console answered unexpectedly."
}

// fieldPattern reads the field an API message starts with: "match.condition: …".
var fieldPattern = regexp.MustCompile(`^([a-z_][a-z0-9_.\-]*): `)

func (c *Client) apiError(r request, resp *http.Response, data []byte) *Error {
	var env struct {
		Error struct {
			Type    string `json:"type"`
			Message string `json:"message"`
		} `json:"error"`
		RequestID string `json:"request_id"`
	}
	_ = json.Unmarshal(data, &env)
	red := redact.New(c.token)
	e := &Error{
		Status: resp.StatusCode, Type: red.String(env.Error.Type), Method: r.method, Path: orgPath + r.path,
		Message: red.String(env.Error.Message), RequestID: red.String(resp.Header.Get("request-id")),
	}
	if e.RequestID == "" {
		e.RequestID = red.String(env.RequestID)
	}
	if m := fieldPattern.FindStringSubmatch(e.Message); m != nil {
		e.Field = m[1]
	}
	e.classify(r)
	return e
}

func (e *Error) classify(r request) {
	switch e.Status {
	case http.StatusUnauthorized:
		e.Kind, e.Fix = KindUnauthorized, "Print a fresh one: `ant auth print-credentials --access-token` (it refreshes the token)."
	case http.StatusForbidden:
		e.classifyForbidden(r)
	case http.StatusBadRequest:
		e.Kind, e.Fix = KindInvalid, "Change what the message names and try again."
	case http.StatusNotFound:
		e.Kind, e.Fix = KindNotFound, "Check the ID (copy it from the Console), and that the token is for the organization that holds it."
	case http.StatusConflict:
		e.Kind, e.Name = KindConflict, r.name
		if e.Field == "" {
			e.Field = "name"
		}
		e.Fix = "Use the existing object (look it up by name, or by issuer URL for an issuer), or choose another name."
	default:
		e.Kind, e.Fix = KindServer, "Try again later; if it persists, give Anthropic the request ID."
	}
}

func (e *Error) classifyForbidden(r request) {
	msg := strings.ToLower(e.Message)
	if strings.Contains(msg, "interactive") {
		e.Kind, e.Fix = KindInteractive, "Use your own token (`ant auth print-credentials --access-token`) or the Console, or keep the developer role."
		return
	}
	if strings.Contains(msg, "console session") || r.scope != "" && !wif.OAuthCallerMayWrite(r.scope) {
		e.Kind, e.Fix = KindConsoleSession, "Make that change in the Console (Settings → Workload identity), or use a rule with the workspace:developer or workspace:inference scope; give an org:admin bootstrap rule its own issuer."
		return
	}
	e.Kind, e.Fix = KindForbidden, fixLogin
}
