#!/bin/sh
# wifwiz: Anthropic workload identity federation, connection "nightly-batch".
# Issuer: https://authentik.company/application/o/nightly-batch/
# wifwiz token keeps the identity token file fresh until stopped (add --once to refresh once),
# from flags only: no database needed. The client secret is read from a file (mode 0600), or
# from WIFWIZ_CLIENT_SECRET instead of --client-secret-file; never from a flag value.
exec wifwiz token \
  --issuer https://authentik.company/application/o/nightly-batch/ \
  --client-id Xq3nightlyBatchClient \
  --client-secret-file /etc/wifwiz/client-secret \
  --out /var/run/secrets/anthropic/identity-token
