#!/bin/sh
# wifwiz: Anthropic workload identity federation, connection "draft".
# Issuer: https://authentik.company/application/o/draft/
# wifwiz token keeps the identity token file fresh until stopped (add --once to refresh once),
# taking the connection's settings from wifwiz's database.
# No usable reference to the client secret is recorded, so it is read from a file (mode 0600).
exec wifwiz token \
  --connection draft \
  --db /var/lib/wifwiz/wifwiz.db \
  --client-secret-file /etc/wifwiz/client-secret \
  --out /var/run/secrets/anthropic/identity-token
