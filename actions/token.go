package actions

import (
	"context"

	"github.com/wifwiz/wifwiz/redact"
	"github.com/wifwiz/wifwiz/wif"
)

// TokenSource fetches identity tokens for one connection, as `wifwiz token` keeps its file fresh.
// It holds the client secret in memory, for the life of the process, and never anywhere else.
type TokenSource struct {
	fetch  IdentityTokenFetcher
	conn   wif.Connection
	secret string
}

// TokenSource is the identity-token source of c: with secret, or else with c's secret reference.
func (s *Service) TokenSource(c wif.Connection, secret string) (*TokenSource, error) {
	if secret == "" {
		var err error
		if secret, err = s.storedSecret(c); err != nil {
			return nil, err
		}
	}
	return &TokenSource{fetch: s.tokens, conn: c, secret: secret}, nil
}

// Connection is the connection the source fetches tokens for.
func (t *TokenSource) Connection() wif.Connection { return t.conn }

// IdentityToken fetches one identity token: the raw compact JWT the connection's token field
// selects. Its error never holds the secret, in any encoding, whatever the issuer echoed.
func (t *TokenSource) IdentityToken(ctx context.Context) (string, error) {
	raw, err := t.fetch.FetchIdentityToken(ctx, t.conn, t.secret)
	return raw, t.Redactor().Error(err)
}

// Redactor removes the source's secret from text, for whatever logs the source's failures.
func (t *TokenSource) Redactor() *redact.Redactor {
	return redactorFor(t.conn, t.secret)
}
