package authentik

import (
	"context"

	"github.com/wifwiz/wifwiz/wif"
)

// Admin is authentik's admin API as the use cases call it: each call goes through the client
// that trusts its target's CA.
type Admin struct {
	// ClientFor is the client trusting caPEM (besides the system's and the process's extra CAs).
	ClientFor func(caPEM string) (*Client, error)
}

func (a Admin) client(t wif.AuthentikTarget) (*Client, error) { return a.ClientFor(t.CAPEM) }

// ReadAuthentik reads what q asks (see Client.ReadState).
func (a Admin) ReadAuthentik(ctx context.Context, t wif.AuthentikTarget, q wif.AuthentikLookup) (wif.AuthentikState, error) {
	c, err := a.client(t)
	if err != nil {
		return wif.AuthentikState{}, err
	}
	return c.ReadState(ctx, t, q)
}

// CreateProvider creates a provider; the client secret is returned once.
func (a Admin) CreateProvider(ctx context.Context, t wif.AuthentikTarget, s wif.ProviderSpec) (wif.AuthentikProvider, string, error) {
	c, err := a.client(t)
	if err != nil {
		return wif.AuthentikProvider{}, "", err
	}
	return c.CreateProvider(ctx, t, s)
}

// UpdateProvider changes the fields s sets.
func (a Admin) UpdateProvider(ctx context.Context, t wif.AuthentikTarget, pk int64, s wif.ProviderSpec) (wif.AuthentikProvider, error) {
	c, err := a.client(t)
	if err != nil {
		return wif.AuthentikProvider{}, err
	}
	return c.UpdateProvider(ctx, t, pk, s)
}

// CreateApplication creates an application bound to its provider.
func (a Admin) CreateApplication(ctx context.Context, t wif.AuthentikTarget, s wif.ApplicationSpec) (wif.AuthentikApplication, error) {
	c, err := a.client(t)
	if err != nil {
		return wif.AuthentikApplication{}, err
	}
	return c.CreateApplication(ctx, t, s)
}

// BindApplication makes provider pk the application's provider.
func (a Admin) BindApplication(ctx context.Context, t wif.AuthentikTarget, slug string, pk int64) (wif.AuthentikApplication, error) {
	c, err := a.client(t)
	if err != nil {
		return wif.AuthentikApplication{}, err
	}
	return c.BindApplication(ctx, t, slug, pk)
}
