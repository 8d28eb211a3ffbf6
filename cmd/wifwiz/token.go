package main

import (
	"context"
	"errors"
)

func runToken(ctx context.Context, args []string, e env) (int, error) {
	return exitUsage, errors.New("wifwiz token is not built yet")
}
