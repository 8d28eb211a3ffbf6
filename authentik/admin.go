package authentik

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"maps"
	"net/http"
	"slices"
	"strings"

	"github.com/wifwiz/wifwiz/redact"
	"github.com/wifwiz/wifwiz/wif"
)

// Errors of the admin API calls, for callers that explain them differently.
var (
	ErrAPITokenRefused  = wif.ErrAuthentikTokenRefused
	ErrWriteRefused     = wif.ErrAuthentikWriteRefused
	ErrProviderNotFound = errors.New("authentik has no such OAuth2 provider")
)

// APIError is an admin API answer other than success: DRF's detail, or its field errors.
type APIError struct {
	Method, Path string
	Status       int
	Detail       string              // {"detail": …}
	Fields       map[string][]string // a 400's field → messages
}

func (e *APIError) Error() string {
	s := fmt.Sprintf("%s %s: HTTP %d", e.Method, e.Path, e.Status)
	if e.Detail != "" {
		s += fmt.Sprintf(" (authentik said %q)", e.Detail)
	}
	for _, f := range slices.Sorted(maps.Keys(e.Fields)) {
		s += fmt.Sprintf("; %s: %s", f, strings.Join(e.Fields[f], " "))
	}
	return s
}

// api sends one admin API request with t's token and decodes a JSON answer into out (nil: none).
// The token never appears in an error; a 403 on a write is ErrWriteRefused, on a read
// ErrAPITokenRefused.
func (c *Client) api(ctx context.Context, t wif.AuthentikTarget, method, path string, in, out any) error {
	u := strings.TrimRight(t.URL, "/") + "/api/v3/" + path
	var body io.Reader
	if in != nil {
		b, err := json.Marshal(in)
		if err != nil {
			return fmt.Errorf("encode %s %s: %w", method, path, err)
		}
		body = bytes.NewReader(b)
	}
	req, err := newRequest(ctx, method, u, body)
	if err != nil {
		return fmt.Errorf("authentik URL: %w", err)
	}
	if msg := plainHTTPProblem(u, "an API token"); msg != "" {
		return fmt.Errorf("%s %s: %s", method, u, msg)
	}
	req.Header.Set("Authorization", "Bearer "+t.APIToken)
	if in != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	status, raw, msg := c.do(req)
	if msg != "" {
		return fmt.Errorf("%s %s: %s", method, u, redact.New(t.APIToken).String(msg))
	}
	if status < 200 || status > 299 {
		return statusError(method, "/api/v3/"+path, status, raw, t.APIToken)
	}
	if out == nil || status == http.StatusNoContent {
		return nil
	}
	if err := json.Unmarshal(raw, out); err != nil {
		return fmt.Errorf("%s %s: not the JSON authentik answers: %w", method, u, err)
	}
	return nil
}

func statusError(method, path string, status int, body []byte, apiToken string) error {
	e := &APIError{Method: method, Path: path, Status: status}
	red := redact.New(apiToken)
	var detail struct {
		Detail string `json:"detail"`
	}
	if json.Unmarshal(body, &detail) == nil && detail.Detail != "" {
		e.Detail = red.String(detail.Detail)
	} else if status == http.StatusBadRequest {
		e.Fields = fieldErrors(body, red)
	}
	switch {
	case status == http.StatusUnauthorized || status == http.StatusForbidden && method == http.MethodGet:
		return fmt.Errorf("%w: %w; use an API token (intent API) of a user allowed to view OAuth2 providers and applications", ErrAPITokenRefused, e)
	case status == http.StatusForbidden:
		return fmt.Errorf("%w: %w", ErrWriteRefused, e)
	}
	return e
}

// fieldErrors flattens DRF's 400 body: field → messages, nested lists and objects joined; every
// name and message redacted, as an echo of the request could carry the token anywhere.
func fieldErrors(body []byte, red *redact.Redactor) map[string][]string {
	var raw map[string]any
	if json.Unmarshal(body, &raw) != nil {
		return nil
	}
	out := map[string][]string{}
	for k, v := range raw {
		out[red.String(k)] = flatten(v, red)
	}
	return out
}

func flatten(v any, red *redact.Redactor) []string {
	switch x := v.(type) {
	case string:
		return []string{red.String(x)}
	case []any:
		var out []string
		for _, e := range x {
			out = append(out, flatten(e, red)...)
		}
		return out
	case map[string]any:
		var out []string
		for k, e := range x {
			for _, m := range flatten(e, red) {
				out = append(out, red.String(k)+": "+m)
			}
		}
		slices.Sort(out)
		return out
	}
	return []string{fmt.Sprint(v)}
}
