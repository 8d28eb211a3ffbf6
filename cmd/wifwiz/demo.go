package main

import (
	"errors"
	"log/slog"

	"github.com/wifwiz/wifwiz/web"
)

// startDemo starts the built-in authentik emulator and offers its demo connection.
func startDemo(cfg *web.Config, log *slog.Logger) (stop func(), err error) {
	return nil, errors.New("the demo issuer is not built yet")
}
