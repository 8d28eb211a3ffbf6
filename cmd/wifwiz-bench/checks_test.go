package main

import (
	"context"
	"testing"
	"time"

	"github.com/wifwiz/wifwiz/authentik/emulator"
)

// TestCheckPaths: the harness's authentik-shaped connection takes the one-round-trip path (the
// emulator answers discovery, JWKS and token at once, one of each per check), and its generic
// issuer takes the two-round-trip one (discovery before the others) with a check that passes.
func TestCheckPaths(t *testing.T) {
	if testing.Short() {
		t.Skip("starts emulators and runs checks")
	}
	ctx := context.Background()
	const latency = 5 * time.Millisecond // long enough for the three requests to meet in the emulator
	t.Run("AuthentikShaped", func(t *testing.T) {
		f, err := measureCheck(ctx, checkSetup{Latency: latency, Signing: emulator.ES256}, 3)
		if err != nil {
			t.Fatal(err)
		}
		if f.MaxInFlight != 3 || f.Together == 0 {
			t.Errorf("at most %d in flight, all three together in %d of 3 checks: want discovery, JWKS and token together", f.MaxInFlight, f.Together)
		}
		wantOneEach(t, f)
	})
	t.Run("Generic", func(t *testing.T) {
		f, err := measureCheck(ctx, checkSetup{Latency: latency, Generic: true, Signing: emulator.ES256}, 3)
		if err != nil {
			t.Fatal(err)
		}
		if f.MaxInFlight > 2 || f.Together != 0 {
			t.Errorf("at most %d in flight, all three together in %d checks: a generic issuer's JWKS and token wait for discovery", f.MaxInFlight, f.Together)
		}
		wantOneEach(t, f)
	})
}

func wantOneEach(t *testing.T, f checkFigure) {
	t.Helper()
	for _, k := range []string{"discovery", "jwks", "token"} {
		if f.PerCheck[k] != 1 {
			t.Errorf("requests per check %s: want one %s each", countsText(f.PerCheck), k)
		}
	}
	if len(f.PerCheck) != 3 {
		t.Errorf("requests per check %s: want only discovery, jwks and token", countsText(f.PerCheck))
	}
}
