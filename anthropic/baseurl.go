package anthropic

import (
	"fmt"
	"net/url"
	"strings"

	"github.com/wifwiz/wifwiz/wif"
)

// ParseBaseURL checks an Anthropic base URL the way the SDKs do: https, or http only for a
// loopback host. An empty value means DefaultBaseURL. A trailing slash is dropped.
func ParseBaseURL(raw string) (*url.URL, error) {
	raw = strings.TrimSpace(raw)
	if raw == "" {
		raw = DefaultBaseURL
	}
	u, err := url.Parse(raw)
	if err != nil {
		return nil, fmt.Errorf("anthropic base URL %q: %w", raw, err)
	}
	if u.Host == "" || u.User != nil || u.RawQuery != "" || u.Fragment != "" {
		return nil, fmt.Errorf("anthropic base URL %q: want scheme://host[:port][/path] without credentials, query or fragment", raw)
	}
	switch u.Scheme {
	case "https":
	case "http":
		if !wif.IsLoopbackHost(u.Hostname()) {
			return nil, fmt.Errorf("anthropic base URL %q: plain http is allowed only for a loopback host (127.0.0.1, ::1, localhost); use https", raw)
		}
	default:
		return nil, fmt.Errorf("anthropic base URL %q: scheme must be https", raw)
	}
	u.Path = strings.TrimRight(u.Path, "/")
	return u, nil
}
