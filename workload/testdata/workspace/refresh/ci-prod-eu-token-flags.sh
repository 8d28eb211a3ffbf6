#!/bin/sh
# wifwiz: Anthropic workload identity federation, connection "CI prod (eu)".
# Issuer: https://auth.example.org/application/o/ci-prod/
# wifwiz token keeps the identity token file fresh until stopped (add --once to refresh once),
# from flags only: no database needed. The client secret is read from a file (mode 0600), or
# from WIFWIZ_CLIENT_SECRET instead of --client-secret-file; never from a flag value.
# Save the connection's extra CA certificate (public; in the hand-off checklist) as
# /etc/wifwiz/ci-prod-eu-ca.pem.
exec wifwiz token \
  --issuer https://auth.example.org/application/o/ci-prod/ \
  --discovery-base https://auth-internal.example.org/application/o/ci-prod \
  --token-url https://auth-internal.example.org/application/o/token/ \
  --client-id Xq3nightlyBatchClient \
  --client-secret-file /etc/wifwiz/client-secret \
  --scope openid \
  --token-field id_token \
  --ca-file /etc/wifwiz/ci-prod-eu-ca.pem \
  --out /var/run/secrets/anthropic/identity-token
