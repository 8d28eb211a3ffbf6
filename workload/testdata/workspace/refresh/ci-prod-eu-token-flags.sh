#!/bin/sh
# wifwiz: Anthropic workload identity federation, connection "CI prod (eu)".
# Issuer: https://auth.example.org/application/o/ci-prod/
# wifwiz token keeps the identity token file fresh until stopped (add --once to refresh once),
# from flags only: no database needed. The client secret is read from a file (mode 0600), or
# from WIFWIZ_CLIENT_SECRET instead of --client-secret-file; never from a flag value.
# It rewrites the identity token file every 300 s at the latest, for a rule Token lifetime of 3600
# s and authentik tokens valid minutes=10: each SDK exchange needs a token never exchanged before
# (docs/refresh.md).
# One refresher and one file per workload process: never one file for several processes.
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
  --token-lifetime 3600 \
  --out /var/run/secrets/anthropic/identity-token
