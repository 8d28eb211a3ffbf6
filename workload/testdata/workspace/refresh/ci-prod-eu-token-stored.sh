#!/bin/sh
# wifwiz: Anthropic workload identity federation, connection "CI prod (eu)".
# Issuer: https://auth.example.org/application/o/ci-prod/
# wifwiz token keeps the identity token file fresh until stopped (add --once to refresh once),
# taking the connection's settings from wifwiz's database.
# It rewrites the identity token file every 300 s at the latest, for a rule Token lifetime of 3600
# s and authentik tokens valid minutes=10: each SDK exchange needs a token never exchanged before
# (docs/refresh.md).
# One refresher and one file per workload process: never one file for several processes.
# wifwiz reads the client secret through the connection's reference
# file:/etc/wifwiz/ci-prod.secret: make it available to this command.
exec wifwiz token \
  --connection 'CI prod (eu)' \
  --db /var/lib/wifwiz/wifwiz.db \
  --out /var/run/secrets/anthropic/identity-token
