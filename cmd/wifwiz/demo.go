package main

import (
	"context"
	"fmt"
	"log/slog"

	"github.com/wifwiz/wifwiz/demo"
	"github.com/wifwiz/wifwiz/probe"
	"github.com/wifwiz/wifwiz/store"
	"github.com/wifwiz/wifwiz/web"
)

// startDemo starts the built-in authentik and Anthropic emulators, offers the demo connection,
// and points demo connections of earlier runs at them.
func startDemo(ctx context.Context, db *store.DB, cfg *web.Config, getenv func(string) string, log *slog.Logger) (stop func(), err error) {
	d, err := demo.Start()
	if err != nil {
		return nil, err
	}
	cfg.Demo = d
	cfg.Getenv = d.Getenv(getenv)
	cfg.Runner.ExtraCA = d.CAPEM()
	if err := rebindDemo(ctx, db, d, cfg.Runner); err != nil {
		d.Close()
		return nil, err
	}
	log.Info("demo issuer running", "authentik", d.Authentik.URL(), "anthropic", d.Anthropic.URL)
	return d.Close, nil
}

func rebindDemo(ctx context.Context, db *store.DB, d *demo.Demo, runner *probe.Runner) error {
	yes := true
	listed, err := db.ListConnections(ctx, store.ListFilter{Demo: &yes})
	if err != nil {
		return fmt.Errorf("list demo connections: %w", err)
	}
	jwks, err := runner.CurrentJWKS(ctx, d.Connection())
	if err != nil {
		return fmt.Errorf("read the demo issuer's keys: %w", err)
	}
	for _, l := range listed {
		c := d.Rebind(l.Connection, jwks)
		if err := db.UpdateConnection(ctx, &c, "demo restart"); err != nil {
			return fmt.Errorf("point demo connection %q at the restarted demo issuer: %w", c.Name, err)
		}
	}
	return nil
}
