package probe

import (
	"context"
	"strconv"
	"sync"

	"github.com/wifwiz/wifwiz/authentik"
	"github.com/wifwiz/wifwiz/verify"
	"github.com/wifwiz/wifwiz/wif"
)

// readProvider starts reading the connection's provider through authentik's admin API, for
// authentik.provider, while the rest of the verification runs; the result waits for it. Without
// an API token nothing is read and the result is nil.
func (r *Runner) readProvider(ctx context.Context, client *authentik.Client, req wif.ProbeRequest) func() *verify.ProviderRead {
	if req.AuthentikToken == "" {
		return func() *verify.ProviderRead { return nil }
	}
	c := req.Connection
	target := wif.AuthentikTarget{URL: wif.ExpectationsOf(c).AuthentikURL, CAPEM: c.CAPEM, APIToken: req.AuthentikToken}
	var (
		wg   sync.WaitGroup
		read verify.ProviderRead
	)
	wg.Go(func() {
		read = providerRead(ctx, client, target, wif.AuthentikLookup{ProviderPK: c.ProviderPK, ClientID: c.ClientID})
	})
	return func() *verify.ProviderRead {
		wg.Wait()
		return &read
	}
}

func providerRead(ctx context.Context, client *authentik.Client, t wif.AuthentikTarget, q wif.AuthentikLookup) verify.ProviderRead {
	out := verify.ProviderRead{URL: t.URL}
	if t.URL == "" {
		out.Err = "no authentik URL is recorded to read the provider from"
		return out
	}
	st, err := client.ReadState(ctx, t, q)
	out.Version = st.Version
	switch {
	case err != nil:
		out.Err = err.Error()
	case st.Provider == nil:
		out.Err = authentik.ErrProviderNotFound.Error() + " (client ID " + strconv.Quote(q.ClientID) + ")"
	default:
		out.Provider = st.Provider
	}
	return out
}
