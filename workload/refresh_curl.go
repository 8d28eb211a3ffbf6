package workload

import (
	"fmt"
	"time"

	"github.com/wifwiz/wifwiz/wif"
)

func curlFile(c wif.Connection) string { return slug(c.Name) + "-token-refresh.sh" }

func curlScript(c wif.Connection, o Options) string {
	file := curlFile(c)
	var t text
	t.line("#!/usr/bin/env bash")
	t.comment(header(c)...)
	t.comment(curlInstructions(c, file)...)
	t.comment(missingSettings(c)...)
	t.line("set -euo pipefail")
	t.line("")
	curlSettings(&t, c, o)
	t.line("")
	t.line(curlBody)
	return t.String()
}

func curlInstructions(c wif.Connection, file string) []string {
	minutes, ok := cronMinutes(c)
	lines := []string{
		"Keeps the identity token file fresh without wifwiz, with curl and jq. Run it from cron, as the " +
			"workload's user (the file is mode 0600):",
		fmt.Sprintf("  */%d * * * * /usr/local/bin/%s", minutes, file),
		scheduleNote(c, "This line"), perProcess,
	}
	if plan, err := schedulePlan(c); err == nil && !ok {
		lines = append(lines, fmt.Sprintf("WARNING: cron cannot run it every %d s: use wifwiz token instead.", secs(plan.Interval)))
	}
	return append(lines,
		"The client secret is read from a file (mode 0600) and sent to curl on its standard input, never "+
			"on a command line. The token is written to a temporary file and moved into place.",
		caNote(c, caFileFor(c)),
	)
}

// curlSettings writes the script's variables.
func curlSettings(t *text, c wif.Connection, o Options) {
	base := c.DiscoveryBase
	if base == "" && c.IssuerURL != "" {
		base = wif.DiscoveryBaseFor(c.IssuerURL)
	}
	t.line("discovery_base=" + shellQuote(redactTokens(or(base, placeholderIssuer))))
	t.comment("Empty: the token_endpoint of " + "$discovery_base" + wif.DiscoveryPath + ".")
	t.line("token_url=" + shellQuote(redactTokens(c.TokenURL)))
	t.line("client_id=" + shellQuote(redactTokens(or(c.ClientID, placeholderClientID))))
	t.line("scope=" + shellQuote(c.RequestScope()))
	t.line("secret_file=" + shellQuote(o.ClientSecretFile))
	t.line("out=" + shellQuote(o.TokenFile))
	t.line("field=" + shellQuote(jqField(c.TokenField)))
	curlOpts := "curl_opts=(-fsS --max-time 10"
	if c.CAPEM != "" {
		curlOpts += " --cacert " + shellQuote(caFileFor(c))
	}
	t.line(curlOpts + ")")
}

// jqField picks the token from authentik's response like --token-field does.
func jqField(field string) string {
	switch field {
	case wif.TokenFieldIDToken:
		return ".id_token"
	case wif.TokenFieldAccessToken:
		return ".access_token"
	}
	return ".id_token // .access_token"
}

// curlBody fetches a token and replaces the file atomically. The request body is built on a pipe:
// the secret never appears in a process's arguments.
const curlBody = `if [ -z "$token_url" ]; then
  token_url=$(curl "${curl_opts[@]}" "$discovery_base/.well-known/openid-configuration" | jq -er '.token_endpoint')
fi

tmp=$(mktemp "$(dirname "$out")/.identity-token.XXXXXX")
trap 'rm -f "$tmp"' EXIT
chmod 600 "$tmp"
{
  printf 'grant_type=client_credentials&client_id=%s&scope=%s&client_secret=' \
    "$(jq -rn --arg v "$client_id" '$v | @uri')" "$(jq -rn --arg v "$scope" '$v | @uri')"
  tr -d '\r\n' <"$secret_file" | jq -sRj '@uri'
} | curl "${curl_opts[@]}" --data-binary @- "$token_url" | jq -er "$field" >"$tmp"
[ -s "$tmp" ] || { echo "no token in the response of $token_url" >&2; exit 1; }
mv -f "$tmp" "$out"`

// validity is authentik's access token validity, or its default (hours=1) when not recorded.
func validity(c wif.Connection) time.Duration {
	d, err := wif.ParseValidity(c.AccessTokenValidity)
	if err != nil {
		return wif.DefaultLifetime
	}
	return d
}
