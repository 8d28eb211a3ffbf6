package main

import (
	"context"
	"crypto/rand"
	"crypto/tls"
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
	"github.com/wifwiz/wifwiz/redact"
	"github.com/wifwiz/wifwiz/store"
	"github.com/wifwiz/wifwiz/web"
	"github.com/wifwiz/wifwiz/wif"
)

// shutdownGrace bounds how long serve waits for requests and background jobs to end.
const shutdownGrace = 10 * time.Second

// The server's own timeouts: a client that sends its headers or body slowly, or keeps an idle
// connection open, is dropped; a response may take as long as a live check (actions.VerifyTimeout)
// and some margin.
var defaultServerTimeouts = serverTimeouts{
	readHeader: 10 * time.Second,
	read:       30 * time.Second,
	write:      actions.VerifyTimeout + 30*time.Second,
	idle:       2 * time.Minute,
}

// serverTimeouts are the HTTP server's; tests shorten them (env.serverTimeouts).
type serverTimeouts struct{ readHeader, read, write, idle time.Duration }

func (t serverTimeouts) orDefault() serverTimeouts {
	if t == (serverTimeouts{}) {
		return defaultServerTimeouts
	}
	return t
}

// minAccessToken is the shortest access token serve accepts from WIFWIZ_ACCESS_TOKEN: 32
// characters; the generated one has 48 hex digits (192 bits).
const minAccessToken = 32

type serveOptions struct {
	addr, dbPath, secretsDir, secretEnvPrefix string
	tlsCert, tlsKey                           string
	demo, behindTLSProxy                      bool
	watch                                     watchOptions
	signIn                                    signInOptions
}

func runServe(ctx context.Context, args []string, e env) (int, error) {
	fs := newFlagSet("serve", "serve [--addr 127.0.0.1:8080] [--db PATH] [--demo] [--secrets-dir DIR] [--tls-cert FILE --tls-key FILE | --behind-tls-proxy] [--oidc-issuer URL --oidc-client-id ID --oidc-client-secret-file PATH --oidc-editor-group NAME …] [--audit-every D] [--metrics-addr ADDR] [--alert-webhook URL]", e)
	var o serveOptions
	fs.StringVar(&o.addr, "addr", "127.0.0.1:8080", "listen address; anything but loopback requires TLS (--tls-cert/--tls-key or --behind-tls-proxy) and an access token")
	fs.StringVar(&o.dbPath, "db", defaultDBPath(e), "SQLite database file")
	fs.BoolVar(&o.demo, "demo", false, "also start the built-in authentik emulator and offer a demo connection")
	fs.StringVar(&o.secretsDir, "secrets-dir", "", "the only folder whose files web users may name as secret references (file:DIR/NAME); none when empty")
	fs.StringVar(&o.secretEnvPrefix, "secret-env-prefix", wif.DefaultSecretEnvPrefix, "the only environment-variable prefix web users may name as secret references (env:PREFIXNAME)")
	fs.StringVar(&o.tlsCert, "tls-cert", "", "serve HTTPS with this certificate (PEM, the chain after the leaf); needs --tls-key")
	fs.StringVar(&o.tlsKey, "tls-key", "", "the private key (PEM) of --tls-cert")
	fs.BoolVar(&o.behindTLSProxy, "behind-tls-proxy", false, "a TLS-terminating proxy is in front: serve plain HTTP to it, mark cookies Secure, and require the access token even on loopback")
	o.watch.flags(fs)
	o.signIn.register(fs)
	if err := parseFlags(fs, args, e); err != nil {
		return helpOrUsage(err)
	}
	// The invocation is checked before anything is created; what can only be found later (the
	// sign-in secret, a busy --metrics-addr) removes the database this run created.
	if err := o.signIn.check(); err != nil {
		return exitUsage, err
	}
	if err := o.watch.validate(); err != nil {
		return exitUsage, err
	}
	policy, err := o.policy()
	if err != nil {
		return exitUsage, err
	}
	tr, err := o.transport(e)
	if err != nil {
		return exitUsage, err
	}
	ln, err := net.Listen("tcp", o.addr)
	if err != nil {
		return exitUsage, usagef("cannot listen on %s: %v (choose another --addr)", o.addr, err)
	}
	defer ln.Close()
	log := slog.New(redact.Handler(slog.NewTextHandler(e.stderr, nil), nil))
	db, discard, err := openDB(ctx, o.dbPath)
	if err != nil {
		return exitUsage, err
	}
	if db.ReadOnly() {
		log.Warn("the database is read-only for this user: pages can be read and exported, nothing can be saved", "db", o.dbPath)
	} else if n, err := db.InterruptRunningAuditJobs(ctx); err != nil {
		db.Close()
		return exitFail, err
	} else if n > 0 {
		log.Warn("audits interrupted by the last stop are marked so", "count", n)
	}
	code, err := o.run(ctx, ln, db, policy, tr, e, log)
	if code == exitUsage {
		discard() // a mistake leaves no new database behind
	} else {
		db.Close()
	}
	return code, err
}

// transport is how serve is reached: its TLS certificate (nil: plain HTTP), its access token and
// the Host values it answers.
type transport struct {
	tls        *tls.Config
	token      string
	tokenGiven bool // from WIFWIZ_ACCESS_TOKEN: never printed
	loopback   bool
	secure     bool // reached over TLS, its own or a proxy's
	scheme     string
}

// transport checks the TLS flags and the access token. Off loopback, plain HTTP would carry the
// client secret and the access token in clear: it needs --tls-cert/--tls-key, or
// --behind-tls-proxy to say a TLS proxy is in front.
func (o serveOptions) transport(e env) (transport, error) {
	tr := transport{loopback: isLoopback(o.addr) && !o.behindTLSProxy, scheme: "http"}
	switch {
	case (o.tlsCert == "") != (o.tlsKey == ""):
		return tr, usagef("give both --tls-cert and --tls-key, or neither")
	case o.tlsCert != "" && o.behindTLSProxy:
		return tr, usagef("--behind-tls-proxy means the proxy holds the certificate: drop --tls-cert/--tls-key, or drop --behind-tls-proxy")
	case o.tlsCert != "":
		cert, err := tls.LoadX509KeyPair(o.tlsCert, o.tlsKey)
		if err != nil {
			return tr, usagef("--tls-cert %s / --tls-key %s: %v", o.tlsCert, o.tlsKey, err)
		}
		tr.tls = &tls.Config{Certificates: []tls.Certificate{cert}, MinVersion: tls.VersionTLS12}
		tr.secure, tr.scheme = true, "https"
	case o.behindTLSProxy:
		tr.secure = true
	case !isLoopback(o.addr):
		return tr, usagef("--addr %s is not a loopback address: serve over TLS (--tls-cert FILE --tls-key FILE), or say a TLS proxy is in front (--behind-tls-proxy); plain HTTP would carry the client secret and the access token in clear", o.addr)
	}
	if tr.loopback {
		return tr, nil
	}
	if t := e.getenv("WIFWIZ_ACCESS_TOKEN"); t != "" {
		if len(t) < minAccessToken {
			return tr, usagef("WIFWIZ_ACCESS_TOKEN has %d characters: give at least %d (e.g. openssl rand -hex 24), or unset it to have one generated", len(t), minAccessToken)
		}
		tr.token, tr.tokenGiven = t, true
		return tr, nil
	}
	b := make([]byte, 24)
	if _, err := rand.Read(b); err != nil {
		return tr, fmt.Errorf("generate access token: %w", err)
	}
	tr.token = hex.EncodeToString(b)
	return tr, nil
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

func (o serveOptions) run(ctx context.Context, ln net.Listener, db *store.DB, policy wif.SecretPolicy, tr transport, e env, log *slog.Logger) (int, error) {
	// The live exchange goes to ANTHROPIC_BASE_URL, as Anthropic's SDKs do, unless a connection has its own.
	runner := e.runner()
	jobs := actions.NewJobs(actions.JobLimits{})
	opts := appOptions{policy: policy, server: true, jobs: jobs}
	cfg := web.Config{Logger: log, Version: version, AccessToken: tr.token, SecureCookies: tr.secure}
	if tr.loopback {
		_, port, _ := net.SplitHostPort(ln.Addr().String())
		cfg.Hosts = web.LoopbackHosts(port, tr.tls != nil)
	}
	var err error
	if cfg.SignIn, err = o.signIn.build(db, o.addr, e); err != nil {
		return exitUsage, err
	}
	if cfg.SignIn != nil {
		// Sessions replace the access token.
		cfg.AccessToken, tr.token = "", ""
		printSignIn(e.stdout, cfg.SignIn)
	}
	var dm *demo.Demo
	if o.demo {
		opts.policy.EnvNames = demo.EnvNames()
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
	if dm != nil && !db.ReadOnly() {
		if err := cfg.App.RebindDemo(ctx, dm.Connection(), dm.Rebind); err != nil {
			return exitFail, err
		}
	}
	stopMetrics, err := o.watch.start(ctx, &cfg, e, log)
	if err != nil {
		_ = jobs.Shutdown(context.Background())
		return exitUsage, err
	}
	defer stopMetrics()
	code, err := serve(ctx, ln, web.New(cfg), tr, e, log)
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

func serve(ctx context.Context, ln net.Listener, h http.Handler, tr transport, e env, log *slog.Logger) (int, error) {
	t := e.serverTimeouts.orDefault()
	srv := &http.Server{Handler: h, TLSConfig: tr.tls, ReadHeaderTimeout: t.readHeader, ReadTimeout: t.read,
		WriteTimeout: t.write, IdleTimeout: t.idle, ErrorLog: slog.NewLogLogger(log.Handler(), slog.LevelWarn)}
	url := tr.scheme + "://" + ln.Addr().String() + "/"
	switch {
	case tr.tokenGiven:
		fmt.Fprintf(e.stdout, "wifwiz %s is serving on %s (open it with ?token= and the access token from WIFWIZ_ACCESS_TOKEN)\n", version, url)
	case tr.token != "":
		fmt.Fprintf(e.stdout, "wifwiz %s is serving on %s?token=%s\n", version, url, tr.token)
	default:
		fmt.Fprintf(e.stdout, "wifwiz %s is serving on %s\n", version, url)
	}
	errc := make(chan error, 1)
	go func() {
		if tr.tls != nil {
			errc <- srv.ServeTLS(ln, "", "")
			return
		}
		errc <- srv.Serve(ln)
	}()
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

// openDB opens --db, creating it (and its folders, 0700) when missing; a file this user cannot
// write is opened read-only. discard removes what this call created — the database, its journal
// files, the folders — for a command that then ends in a usage error: a mistake leaves nothing
// behind.
func openDB(ctx context.Context, path string) (db *store.DB, discard func(), err error) {
	created := missingDirs(filepath.Dir(path))
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return nil, func() {}, usagef("cannot create the folder for --db %s: %v", path, err)
	}
	_, statErr := os.Stat(path)
	newFile := errors.Is(statErr, os.ErrNotExist)
	discard = func() {
		if db != nil {
			db.Close()
		}
		if newFile {
			for _, p := range []string{path + "-wal", path + "-shm", path} {
				os.Remove(p)
			}
		}
		for i := len(created) - 1; i >= 0; i-- {
			os.Remove(created[i]) // only when empty
		}
	}
	db, err = store.Open(ctx, path)
	if err != nil {
		discard()
		return nil, func() {}, usagef("cannot open --db %s: %v", path, err)
	}
	return db, discard, nil
}

// missingDirs are dir and its ancestors that do not exist yet, outermost first.
func missingDirs(dir string) []string {
	var out []string
	for d := filepath.Clean(dir); ; d = filepath.Dir(d) {
		if _, err := os.Stat(d); err == nil || filepath.Dir(d) == d {
			break
		}
		out = append([]string{d}, out...)
	}
	return out
}
