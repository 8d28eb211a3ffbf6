#!/bin/sh
# wifwiz: Anthropic workload identity federation, connection "CI prod (eu)".
# Issuer: https://auth.example.org/application/o/ci-prod/
# wifwiz token keeps the identity token file fresh until stopped (add --once to refresh once),
# taking the connection's settings from wifwiz's database.
# wifwiz reads the client secret through the connection's reference
# file:/etc/wifwiz/ci-prod.secret: make it available to this command.
exec wifwiz token \
  --connection 'CI prod (eu)' \
  --db /var/lib/wifwiz/wifwiz.db \
  --out /var/run/secrets/anthropic/identity-token
