package main

import (
	"context"
	"errors"
)

func runExport(ctx context.Context, args []string, e env) (int, error) {
	return exitUsage, errors.New("wifwiz export is not built yet")
}
