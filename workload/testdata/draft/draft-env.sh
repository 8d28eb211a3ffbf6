# wifwiz: Anthropic workload identity federation, connection "draft".
# Issuer: https://authentik.company/application/o/draft/
# No secrets here: the authentik client secret stays with the token refresher.

# ANTHROPIC_API_KEY and ANTHROPIC_AUTH_TOKEN take precedence over federation, even when empty.
unset ANTHROPIC_API_KEY ANTHROPIC_AUTH_TOKEN
# TODO: federation rule ID — copy it from the federation rule's page in the Console after saving
# the rule.
export ANTHROPIC_FEDERATION_RULE_ID='fdrl_…'
# TODO: organization ID (a UUID) — copy it from Console → Settings → Organization.
export ANTHROPIC_ORGANIZATION_ID='xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx'
# TODO: service account ID — copy it from Console → Service accounts.
export ANTHROPIC_SERVICE_ACCOUNT_ID='svac_…'
# Re-read at every exchange, and each token in it can be exchanged only once: one refresher and
# one file per workload process, never one file shared by several processes (docs/refresh.md). A
# refresher keeps it fresh (see the token refresh setups).
export ANTHROPIC_IDENTITY_TOKEN_FILE='/var/run/secrets/anthropic/identity-token'
