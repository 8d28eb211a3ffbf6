#!/bin/sh
# wifwiz: Anthropic workload identity federation, connection "nightly-batch".
# Issuer: https://authentik.company/application/o/nightly-batch/
# wifwiz token keeps the identity token file fresh until stopped (add --once to refresh once),
# from flags only: no database needed. The client secret is read from a file (mode 0600), or
# from WIFWIZ_CLIENT_SECRET instead of --client-secret-file; never from a flag value.
# It rewrites the identity token file every 1800 s at the latest, for a rule Token lifetime of
# 3600 s and authentik tokens valid hours=1: each SDK exchange needs a token never exchanged
# before (docs/refresh.md).
# One refresher and one file per workload process: never one file for several processes.
exec wifwiz token \
  --issuer https://authentik.company/application/o/nightly-batch/ \
  --client-id Xq3nightlyBatchClient \
  --client-secret-file /etc/wifwiz/client-secret \
  --token-lifetime 3600 \
  --out /var/run/secrets/anthropic/identity-token
