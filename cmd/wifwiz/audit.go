package main

import (
	"context"
	"errors"
)

func runAudit(ctx context.Context, args []string, e env) (int, error) {
	return exitUsage, errors.New("wifwiz audit is not built yet")
}
