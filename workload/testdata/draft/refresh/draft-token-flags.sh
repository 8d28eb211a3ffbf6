#!/bin/sh
# wifwiz: Anthropic workload identity federation, connection "draft".
# Issuer: https://authentik.company/application/o/draft/
# wifwiz token keeps the identity token file fresh until stopped (add --once to refresh once),
# from flags only: no database needed. The client secret is read from a file (mode 0600), or
# from WIFWIZ_CLIENT_SECRET instead of --client-secret-file; never from a flag value.
# It rewrites the identity token file every 1800 s at the latest, for a rule Token lifetime of
# 3600 s (the Console's default: not recorded) and authentik tokens valid hours=1 (authentik's
# default: not recorded): each SDK exchange needs a token never exchanged before
# (docs/refresh.md).
# One refresher and one file per workload process: never one file for several processes.
# TODO: the client ID is not recorded yet (wizard step 2): replace <client ID from authentik>.
exec wifwiz token \
  --issuer https://authentik.company/application/o/draft/ \
  --client-id '<client ID from authentik>' \
  --client-secret-file /etc/wifwiz/client-secret \
  --out /var/run/secrets/anthropic/identity-token
