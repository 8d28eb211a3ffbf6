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

	"github.com/wifwiz/wifwiz/actions"
	"github.com/wifwiz/wifwiz/demo"
	"github.com/wifwiz/wifwiz/probe"
	"github.com/wifwiz/wifwiz/redact"
	"github.com/wifwiz/wifwiz/store"
	"github.com/wifwiz/wifwiz/web"
	"github.com/wifwiz/wifwiz/wif"
)

// shutdownGrace bounds how long serve waits for requests and background jobs to end.
const shutdownGrace = 10 * time.Second

type serveOptions struct {
	addr, dbPath, secretsDir, secretEnvPrefix string
	demo                                      bool
}

func runServe(ctx context.Context, args []string, e env) (int, error) {
	fs := newFlagSet("serve", "serve [--addr 127.0.0.1:8080] [--db PATH] [--demo] [--secrets-dir DIR]", e)
	var o serveOptions
	fs.StringVar(&o.addr, "addr", "127.0.0.1:8080", "listen address; anything but loopback requires an access token")
	fs.StringVar(&o.dbPath, "db", defaultDBPath(e), "SQLite database file")
	fs.BoolVar(&o.demo, "demo", false, "also start the built-in authentik emulator and offer a demo connection")
	fs.StringVar(&o.secretsDir, "secrets-dir", "", "the only folder whose files web users may name as secret references (file:DIR/NAME); none when empty")
	fs.StringVar(&o.secretEnvPrefix, "secret-env-prefix", wif.DefaultSecretEnvPrefix, "the only environment-variable prefix web users may name as secret references (env:PREFIXNAME)")
	if err := parseFlags(fs, args, e); err != nil {
		return helpOrUsage(err)
	}
	policy, err := o.policy()
	if err != nil {
		return exitUsage, err
	}
	log := slog.New(redact.Handler(slog.NewTextHandler(e.stderr, nil), nil))
	db, err := openDB(ctx, o.dbPath)
	if err != nil {
		return exitUsage, err
	}
	defer db.Close()
	if n, err := db.InterruptRunningAuditJobs(ctx); err != nil {
		return exitFail, err
	} else if n > 0 {
		log.Warn("audits interrupted by the last stop are marked so", "count", n)
	}
	return o.run(ctx, db, policy, e, log)
}

func (o serveOptions) policy() (wif.SecretPolicy, error) {
	p := wif.SecretPolicy{EnvPrefix: o.secretEnvPrefix}
	if p.EnvPrefix == "" {
		return p, usagef("--secret-env-prefix must not be empty: it would let web users name any environment variable")
	}
	if o.secretsDir != "" {
		dir, err := filepath.Abs(o.secretsDir)
		if err != nil {
			return p, usagef("--secrets-dir %s: %v", o.secretsDir, err)
		}
		if st, err := os.Stat(dir); err != nil || !st.IsDir() {
			return p, usagef("--secrets-dir %s is not a folder", o.secretsDir)
		}
		p.Dir = filepath.Clean(dir)
	}
	return p, nil
}

func (o serveOptions) run(ctx context.Context, db *store.DB, policy wif.SecretPolicy, e env, log *slog.Logger) (int, error) {
	// The live exchange goes to ANTHROPIC_BASE_URL, as Anthropic's SDKs do, unless a connection has its own.
	runner := &probe.Runner{AnthropicBaseURL: e.getenv("ANTHROPIC_BASE_URL")}
	jobs := actions.NewJobs(actions.JobLimits{})
	opts := appOptions{policy: policy, server: true, jobs: jobs}
	cfg := web.Config{Logger: log, Version: version}
	if !isLoopback(o.addr) {
		var err error
		if cfg.AccessToken, err = accessToken(e); err != nil {
			return exitFail, err
		}
	}
	var dm *demo.Demo
	if o.demo {
		d, err := demo.Start()
		if err != nil {
			return exitFail, fmt.Errorf("start the demo issuer: %w", err)
		}
		defer d.Close()
		dm = d
		cfg.Demo, opts.demoRunning, opts.getenv, runner.ExtraCA = d, true, d.Getenv(e.getenv), d.CAPEM()
		log.Info("demo issuer running", "authentik", d.Authentik.URL(), "anthropic", d.Anthropic.URL)
	}
	cfg.App = newApp(db, runner, e, opts)
	if dm != nil {
		if err := cfg.App.RebindDemo(ctx, dm.Connection(), dm.Rebind); err != nil {
			return exitFail, err
		}
	}
	code, err := serve(ctx, o.addr, web.New(cfg), cfg.AccessToken, e, log)
	// Background jobs write the database: they end before it is closed.
	shutdownCtx, cancel := context.WithTimeout(context.Background(), shutdownGrace)
	defer cancel()
	if jerr := jobs.Shutdown(shutdownCtx); jerr != nil {
		log.Error("background jobs", "err", jerr)
	}
	return code, err
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
	shutdownCtx, cancel := context.WithTimeout(context.Background(), shutdownGrace)
	defer cancel()
	if err := srv.Shutdown(shutdownCtx); err != nil {
		return exitFail, fmt.Errorf("shut down: %w", err)
	}
	return exitOK, nil
}

// isLoopback reports whether addr listens only on a loopback address.
func isLoopback(addr string) bool {
	host, _, err := net.SplitHostPort(addr)
	return err == nil && wif.IsLoopbackHost(host)
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
