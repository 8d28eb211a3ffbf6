package actions_test

import (
	"context"
	"strings"
	"testing"

	"github.com/wifwiz/wifwiz/actions"
	"github.com/wifwiz/wifwiz/probe"
	"github.com/wifwiz/wifwiz/testenv"
	"github.com/wifwiz/wifwiz/wif"
)

// TestEachSideUsesOnlyItsTokenReference: reading or planning one side resolves only that side's
// admin API token reference, so a reference of the other side that does not resolve here does
// not stand in the way (nor names the wrong token in its error).
func TestEachSideUsesOnlyItsTokenReference(t *testing.T) {
	ctx := context.Background()
	ak := testenv.Start(t)
	p := testenv.Provider(t, ak, "refs")
	anth := testenv.Anthropic(t)
	db, _ := testenv.OpenStore(t)
	env := map[string]string{"AK_TOKEN": ak.APIToken(), "CONSOLE_TOKEN": testenv.ConsoleToken(anth)}
	svc := testenv.Service(t, db, &probe.Runner{ExtraCA: ak.CAPEM(), AnthropicCA: anth.CertPEM()},
		testenv.ServiceOptions{Env: env, ResolveAnyRef: true})
	c := testenv.Connection(t, ak, p, "refs", "UNSET_SECRET")
	c.AnthropicBaseURL = anth.URL

	t.Run("Authentik", func(t *testing.T) {
		conn := c
		conn.Name, conn.AuthentikTokenRef, conn.ConsoleTokenRef = "refs-ak", "env:AK_TOKEN", "env:UNSET_CONSOLE_TOKEN"
		conn = testenv.Create(t, db, conn)
		got, err := svc.InspectProvider(ctx, actions.InspectRequest{Connection: conn})
		if err != nil || got.Provider.ClientID != p.ClientID {
			t.Errorf("inspect: %+v, %v; want the provider read with the authentik token reference", got.Provider, err)
		}
		plan, err := svc.Plan(ctx, actions.PlanRequest{Connection: conn, Side: wif.SideAuthentik})
		if err != nil || len(plan.Steps) != 2 {
			t.Errorf("plan: %+v, %v; want the authentik side planned with the authentik token reference", plan, err)
		}
	})
	t.Run("Console", func(t *testing.T) {
		conn := c
		conn.Name, conn.AuthentikTokenRef, conn.ConsoleTokenRef = "refs-console", "env:UNSET_AK_TOKEN", "env:CONSOLE_TOKEN"
		conn = testenv.Create(t, db, conn)
		if _, err := svc.ReadConsole(ctx, conn, actions.Credentials{}); err != nil {
			t.Errorf("read the Console: %v; want it read with the Console token reference", err)
		}
	})
}

// TestUnreadableNamedTheSameEachTime: a connection with several values the store could not read
// is refused before any request, naming the same one each time.
func TestUnreadableNamedTheSameEachTime(t *testing.T) {
	ak := testenv.Start(t)
	p := testenv.Provider(t, ak, "unreadable")
	db, _ := testenv.OpenStore(t)
	svc := testenv.Service(t, db, &probe.Runner{ExtraCA: ak.CAPEM()}, testenv.ServiceOptions{ResolveAnyRef: true})
	c := testenv.Connection(t, ak, p, "unreadable", "S")
	c.Unreadable = map[string]string{"z_field": "later", "a_field": "first", "m_field": "middle", "q_field": "other", "c_field": "another"}
	for range 20 {
		_, err := svc.VerifyAndRecord(context.Background(), actions.VerifyRequest{Connection: c, Secret: p.ClientSecret})
		if err == nil || !strings.Contains(err.Error(), "the stored a_field cannot be read: first") {
			t.Fatalf("err = %v, want the first unreadable field named", err)
		}
	}
}
