#!/usr/bin/env bash
# wifwiz: Anthropic workload identity federation, connection "nightly-batch".
# Issuer: https://authentik.company/application/o/nightly-batch/
# Keeps the identity token file fresh without wifwiz, with curl and jq. Run it from cron, as the
# workload's user (the file is mode 0600):
#   */30 * * * * /usr/local/bin/nightly-batch-token-refresh.sh
# This line rewrites the identity token file every 1800 s at the latest, for a rule Token lifetime
# of 3600 s and authentik tokens valid hours=1: each SDK exchange needs a token never exchanged
# before (docs/refresh.md).
# One refresher and one file per workload process: never one file for several processes.
# The client secret is read from a file (mode 0600) and sent to curl on its standard input, never
# on a command line. The token is written to a temporary file and moved into place.
set -euo pipefail

discovery_base='https://authentik.company/application/o/nightly-batch'
# Empty: the token_endpoint of $discovery_base/.well-known/openid-configuration.
token_url=''
client_id='Xq3nightlyBatchClient'
scope='openid profile'
secret_file='/etc/wifwiz/client-secret'
out='/var/run/secrets/anthropic/identity-token'
field='.id_token // .access_token'
curl_opts=(-fsS --max-time 10)

if [ -z "$token_url" ]; then
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
mv -f "$tmp" "$out"
