# wifwiz: Anthropic workload identity federation, connection "nightly-batch".
# Issuer: https://authentik.company/application/o/nightly-batch/
# No secrets here: the authentik client secret stays with the token refresher.

# ANTHROPIC_API_KEY and ANTHROPIC_AUTH_TOKEN take precedence over federation, even when empty.
unset ANTHROPIC_API_KEY ANTHROPIC_AUTH_TOKEN
export ANTHROPIC_FEDERATION_RULE_ID='fdrl_01HNightlyRule'
export ANTHROPIC_ORGANIZATION_ID='6f1c2a3b-4d5e-4f60-8a7b-9c0d1e2f3a4b'
export ANTHROPIC_SERVICE_ACCOUNT_ID='svac_01HNightly'
# ANTHROPIC_IDENTITY_TOKEN is not set here: the workload must set it itself from a fresh authentik
# token before each exchange (never a stored value): each token can be exchanged only once. Leave
# ANTHROPIC_IDENTITY_TOKEN_FILE unset: the file wins when both are set.
unset ANTHROPIC_IDENTITY_TOKEN_FILE
