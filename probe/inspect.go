package probe

import (
	"context"

	"github.com/wifwiz/wifwiz/authentik"
	"github.com/wifwiz/wifwiz/wif"
)

// InspectProvider reads the provider with q.ClientID through authentik's admin API, trusting the
// same CAs as a verification, and judges its settings. The API token is used for this request only.
func (r *Runner) InspectProvider(ctx context.Context, q wif.ProviderQuery) ([]wif.ChecklistItem, error) {
	client, err := r.authentikClient(q.CAPEM)
	if err != nil {
		return nil, err
	}
	p, err := client.ReadProvider(ctx, q.AuthentikURL, q.APIToken, q.ClientID)
	if err != nil {
		return nil, err
	}
	return authentik.ProviderChecklist(p, q.Expect), nil
}
