package main

import (
	"log/slog"

	"github.com/wifwiz/wifwiz/demo"
	"github.com/wifwiz/wifwiz/probe"
	"github.com/wifwiz/wifwiz/web"
)

// startDemo starts the built-in authentik and Anthropic emulators and offers the demo connection.
func startDemo(cfg *web.Config, getenv func(string) string, log *slog.Logger) (stop func(), err error) {
	d, err := demo.Start()
	if err != nil {
		return nil, err
	}
	cfg.Demo = d
	cfg.Getenv = d.Getenv(getenv)
	cfg.Runner = &probe.Runner{ExtraCA: d.CAPEM()}
	log.Info("demo issuer running", "authentik", d.Authentik.URL(), "anthropic", d.Anthropic.URL)
	return d.Close, nil
}
