package main

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"time"

	"github.com/wifwiz/wifwiz/probe"
	"github.com/wifwiz/wifwiz/store"
	"github.com/wifwiz/wifwiz/web"
)

func runServe(ctx context.Context, args []string, e env) (int, error) {
	fs := newFlagSet("serve", "serve [--addr 127.0.0.1:8080] [--db PATH] [--demo]", e)
	addr := fs.String("addr", "127.0.0.1:8080", "listen address; anything but loopback requires an access token")
	dbPath := fs.String("db", defaultDBPath(e), "SQLite database file")
	demo := fs.Bool("demo", false, "also start the built-in authentik emulator and offer a demo connection")
	if err := parseFlags(fs, args, e); err != nil {
		return helpOrUsage(err)
	}
	log := slog.New(slog.NewTextHandler(e.stderr, nil))
	db, err := openDB(ctx, *dbPath)
	if err != nil {
		return exitUsage, err
	}
	defer db.Close()

	// The live exchange goes to ANTHROPIC_BASE_URL, as Anthropic's SDKs do, unless a connection has its own.
	cfg := web.Config{Store: db, Logger: log, Version: version, Runner: &probe.Runner{AnthropicBaseURL: e.getenv("ANTHROPIC_BASE_URL")}}
	if !isLoopback(*addr) {
		if cfg.AccessToken, err = accessToken(e); err != nil {
			return exitFail, err
		}
	}
	if *demo {
		stopDemo, err := startDemo(ctx, db, &cfg, e.getenv, log)
		if err != nil {
			return exitFail, fmt.Errorf("start the demo issuer: %w", err)
		}
		defer stopDemo()
	}
	return serve(ctx, *addr, web.New(cfg), cfg.AccessToken, e, log)
}

func helpOrUsage(err error) (int, error) {
	if errors.Is(err, errHelp) {
		return exitOK, nil
	}
	return exitUsage, err
}

func serve(ctx context.Context, addr string, h http.Handler, token string, e env, log *slog.Logger) (int, error) {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return exitUsage, usagef("cannot listen on %s: %v (choose another --addr)", addr, err)
	}
	srv := &http.Server{Handler: h, ReadHeaderTimeout: 10 * time.Second, IdleTimeout: 2 * time.Minute}
	url := "http://" + ln.Addr().String() + "/"
	if token != "" {
		url += "?token=" + token
	}
	fmt.Fprintf(e.stdout, "wifwiz %s is serving on %s\n", version, url)
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	select {
	case err := <-errc:
		return exitFail, err
	case <-ctx.Done():
	}
	log.Info("shutting down")
	shutdownCtx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := srv.Shutdown(shutdownCtx); err != nil {
		return exitFail, fmt.Errorf("shut down: %w", err)
	}
	return exitOK, nil
}

// isLoopback reports whether addr listens only on a loopback address.
func isLoopback(addr string) bool {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return false
	}
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

func accessToken(e env) (string, error) {
	if t := e.getenv("WIFWIZ_ACCESS_TOKEN"); t != "" {
		return t, nil
	}
	b := make([]byte, 24)
	if _, err := rand.Read(b); err != nil {
		return "", fmt.Errorf("generate access token: %w", err)
	}
	return hex.EncodeToString(b), nil
}

// defaultDBPath is $XDG_DATA_HOME/wifwiz/wifwiz.db, else ~/.local/share/wifwiz/wifwiz.db.
func defaultDBPath(e env) string {
	dir := e.getenv("XDG_DATA_HOME")
	if dir == "" {
		home, err := os.UserHomeDir()
		if err != nil {
			return "wifwiz.db"
		}
		dir = filepath.Join(home, ".local", "share")
	}
	return filepath.Join(dir, "wifwiz", "wifwiz.db")
}

func openDB(ctx context.Context, path string) (*store.DB, error) {
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return nil, usagef("cannot create the folder for --db %s: %v", path, err)
	}
	db, err := store.Open(ctx, path)
	if err != nil {
		return nil, usagef("cannot open --db %s: %v", path, err)
	}
	return db, nil
}
