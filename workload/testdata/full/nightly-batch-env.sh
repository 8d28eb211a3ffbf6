# wifwiz: Anthropic workload identity federation, connection "nightly-batch".
# Issuer: https://authentik.company/application/o/nightly-batch/
# No secrets here: the authentik client secret stays with the token refresher.

# ANTHROPIC_API_KEY and ANTHROPIC_AUTH_TOKEN take precedence over federation, even when empty.
unset ANTHROPIC_API_KEY ANTHROPIC_AUTH_TOKEN
export ANTHROPIC_FEDERATION_RULE_ID='fdrl_01HNightlyRule'
export ANTHROPIC_ORGANIZATION_ID='6f1c2a3b-4d5e-4f60-8a7b-9c0d1e2f3a4b'
export ANTHROPIC_SERVICE_ACCOUNT_ID='svac_01HNightly'
# Re-read at every exchange, and each token in it can be exchanged only once: one refresher and
# one file per workload process, never one file shared by several processes (docs/refresh.md). A
# refresher keeps it fresh (see the token refresh setups).
export ANTHROPIC_IDENTITY_TOKEN_FILE='/var/run/secrets/anthropic/identity-token'
