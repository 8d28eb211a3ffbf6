#!/bin/sh
# wifwiz: Anthropic workload identity federation, connection "draft".
# Issuer: https://authentik.company/application/o/draft/
# wifwiz token keeps the identity token file fresh until stopped (add --once to refresh once),
# taking the connection's settings from wifwiz's database.
# It rewrites the identity token file every 1800 s at the latest, for a rule Token lifetime of
# 3600 s (the Console's default: not recorded) and authentik tokens valid hours=1 (authentik's
# default: not recorded): each SDK exchange needs a token never exchanged before
# (docs/refresh.md).
# One refresher and one file per workload process: never one file for several processes.
# No usable reference to the client secret is recorded, so it is read from a file (mode 0600).
exec wifwiz token \
  --connection draft \
  --db /var/lib/wifwiz/wifwiz.db \
  --client-secret-file /etc/wifwiz/client-secret \
  --out /var/run/secrets/anthropic/identity-token
