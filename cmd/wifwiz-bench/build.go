package main

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"time"
)

// builtBinary is wifwiz built the way `make build` builds it.
type builtBinary struct {
	Path  string
	Size  int64
	Build time.Duration
}

// buildBinary builds ./cmd/wifwiz into dir with the Makefile's flags (trimmed paths, no symbol
// table or DWARF), so that size and start-up are those of a release build.
func buildBinary(ctx context.Context, dir string) (builtBinary, error) {
	b := builtBinary{Path: filepath.Join(dir, "wifwiz")}
	start := time.Now()
	cmd := exec.CommandContext(ctx, "go", "build", "-trimpath", "-ldflags", "-s -w -X main.version=bench", "-o", b.Path, "./cmd/wifwiz")
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Run(); err != nil {
		return b, fmt.Errorf("go build ./cmd/wifwiz: %v\n%s", err, stderr.String())
	}
	b.Build = time.Since(start)
	st, err := os.Stat(b.Path)
	if err != nil {
		return b, err
	}
	b.Size = st.Size()
	return b, nil
}
