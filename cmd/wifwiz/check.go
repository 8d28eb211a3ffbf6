package main

import (
	"context"
	"errors"
)

func runCheck(ctx context.Context, args []string, e env) (int, error) {
	return exitUsage, errors.New("wifwiz check is not built yet")
}
