package actions

import (
	"context"
	"fmt"

	"github.com/wifwiz/wifwiz/wif"
)

// RebindDemo points the demo connections of an earlier run at this run's demo issuer, which
// listens on new ports with new keys: rebind gets each stored demo connection and the issuer's
// current JWKS and returns the connection to store. fresh is a new demo connection.
func (s *Service) RebindDemo(ctx context.Context, fresh wif.Connection, rebind func(wif.Connection, string) wif.Connection) error {
	yes := true
	conns, err := s.store.ListConnections(ctx, wif.ListFilter{Demo: &yes})
	if err != nil || len(conns) == 0 {
		return err
	}
	jwks, err := s.CurrentJWKS(ctx, fresh)
	if err != nil {
		return fmt.Errorf("read the demo issuer's keys: %w", err)
	}
	for _, old := range conns {
		c := rebind(old, jwks)
		if c.SecretRef == fresh.SecretRef {
			c.SecretRefOrigin = wif.SecretOrigin(c) // the demo's own secret, bound to its new port
		}
		if err := s.store.UpdateConnection(ctx, &c, "demo restart"); err != nil {
			return fmt.Errorf("point demo connection %q at the restarted demo issuer: %w", c.Name, err)
		}
	}
	return nil
}
