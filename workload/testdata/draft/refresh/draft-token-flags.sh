#!/bin/sh
# wifwiz: Anthropic workload identity federation, connection "draft".
# Issuer: https://authentik.company/application/o/draft/
# wifwiz token keeps the identity token file fresh until stopped (add --once to refresh once),
# from flags only: no database needed. The client secret is read from a file (mode 0600), or
# from WIFWIZ_CLIENT_SECRET instead of --client-secret-file; never from a flag value.
# TODO: the client ID is not recorded yet (wizard step 2): replace <client ID from authentik>.
exec wifwiz token \
  --issuer https://authentik.company/application/o/draft/ \
  --client-id '<client ID from authentik>' \
  --client-secret-file /etc/wifwiz/client-secret \
  --out /var/run/secrets/anthropic/identity-token
