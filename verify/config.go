package verify

import (
	"fmt"
	"time"

	"github.com/wifwiz/wifwiz/wif"
)

// ConfigFor maps a stored connection to the engine's Config. Empty values get the defaults the
// wizard and the Console use; requireIDs makes missing Console IDs fail.
func ConfigFor(c wif.Connection, requireIDs bool) (Config, error) {
	cfg := Config{
		Connection:               c.Name,
		IssuerURL:                c.IssuerURL,
		DiscoveryBase:            c.DiscoveryBase,
		ClientID:                 c.ClientID,
		TokenField:               orDefault(c.TokenField, wif.TokenFieldAuto),
		SubjectPrefix:            c.SubjectPrefix,
		Audience:                 c.Audience,
		MaxIdentityTokenLifetime: c.MaxIdentityTokenLifetime,
		TokenLifetime:            c.TokenLifetime,
		FederationRuleID:         c.FederationRuleID,
		OrganizationID:           c.OrganizationID,
		ServiceAccountID:         c.ServiceAccountID,
		WorkspaceID:              c.WorkspaceID,
		RequireIDs:               requireIDs,
		OAuthScope:               c.OAuthScope,
		Claims:                   c.Claims,
		Condition:                c.Condition,
		IssuerID:                 c.IssuerID,
		RuleName:                 c.RuleName,
		JWKSSource:               c.JWKSSource,
		TokenLifetimeDefaulted:   c.TokenLifetime == 0,
		MaxLifetimeDefaulted:     c.MaxIdentityTokenLifetime == 0,
	}
	cfg.IssuerURL = wif.EffectiveIssuerURL(c)
	want := wif.ExpectationsOf(c)
	cfg.AuthentikURL, cfg.AppSlug, cfg.SubjectMode, cfg.IssuerMode = want.AuthentikURL, want.AppSlug, want.SubjectMode, want.IssuerMode
	cfg.MaxIdentityTokenLifetime = orDefaultLifetime(cfg.MaxIdentityTokenLifetime)
	cfg.TokenLifetime = orDefaultLifetime(cfg.TokenLifetime)
	if err := recordedKeysAndValidity(&cfg, c); err != nil {
		return Config{}, err
	}
	return cfg, nil
}

// recordedKeysAndValidity adds what must be parsed or is present only for some JWKS sources.
func recordedKeysAndValidity(cfg *Config, c wif.Connection) error {
	if c.AccessTokenValidity != "" {
		v, err := wif.ParseValidity(c.AccessTokenValidity)
		if err != nil {
			return fmt.Errorf("connection %q: access token validity: %w", c.Name, err)
		}
		cfg.AccessTokenValidity = v
	}
	if c.JWKSSource == wif.JWKSInline {
		if c.InlineJWKS == "" {
			return fmt.Errorf("connection %q uses inline JWKS but none is recorded: paste the JWKS on the Console step", c.Name)
		}
		cfg.InlineJWKS = []byte(c.InlineJWKS)
	}
	return nil
}

func orDefaultLifetime(d time.Duration) time.Duration {
	if d == 0 {
		return wif.DefaultLifetime
	}
	return d
}

func orDefault(v, def string) string {
	if v == "" {
		return def
	}
	return v
}
