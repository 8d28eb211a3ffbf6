package authentik

import (
	"context"
	"net/http"
	"testing"
	"time"

	"github.com/wifwiz/wifwiz/authentik/emulator"
)

// BenchmarkObserve measures one full Observe (discovery, then JWKS and token together)
// against the emulator answering each request after 5 ms.
func BenchmarkObserve(b *testing.B) {
	e := startEmulator(b, emulator.WithLatency(5*time.Millisecond))
	p := addProvider(b, e, emulatorProvider())
	c := newClient(b, e.CAPEM())
	req := discoveryRequest(e, p)
	for b.Loop() {
		obs := c.Observe(context.Background(), req, nil)
		if obs.Token == nil || obs.Token.Status != http.StatusOK {
			b.Fatalf("token %+v", obs.Token)
		}
	}
}
