#!/bin/sh
# wifwiz: Anthropic workload identity federation, connection "nightly-batch".
# Issuer: https://authentik.company/application/o/nightly-batch/
# wifwiz token keeps the identity token file fresh until stopped (add --once to refresh once),
# taking the connection's settings from wifwiz's database.
# wifwiz reads the client secret through the connection's reference env:AK_SECRET: make it
# available to this command.
exec wifwiz token \
  --connection nightly-batch \
  --db /var/lib/wifwiz/wifwiz.db \
  --out /var/run/secrets/anthropic/identity-token
