package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/wifwiz/wifwiz/actions"
	"github.com/wifwiz/wifwiz/metrics"
	"github.com/wifwiz/wifwiz/web"
	"github.com/wifwiz/wifwiz/webhook"
	"github.com/wifwiz/wifwiz/wif"
)

// watchOptions are the flags of `serve` that watch connections: scheduled audits, metrics, alerts.
type watchOptions struct {
	auditEvery  time.Duration
	metricsAddr string
	publicURL   string
	webhooks    webhookFlags
}

// webhookFlags is the repeatable --alert-webhook.
type webhookFlags []wif.AlertTarget

func (w *webhookFlags) String() string { return fmt.Sprintf("%d webhooks", len(*w)) }

func (w *webhookFlags) Set(v string) error {
	t, err := wif.ParseAlertTarget(v)
	if err != nil {
		return errors.New(strings.TrimPrefix(err.Error(), "Webhook URL: "))
	}
	*w = append(*w, t)
	return nil
}

func (o *watchOptions) flags(fs *flag.FlagSet) {
	fs.DurationVar(&o.auditEvery, "audit-every", 0, "audit every connection this often (e.g. 1h; jittered, one audit at a time); off when 0")
	fs.StringVar(&o.metricsAddr, "metrics-addr", "", "also serve /metrics on this loopback address without the access token (e.g. 127.0.0.1:9464); /metrics on --addr always needs it")
	fs.StringVar(&o.publicURL, "public-url", "", "the address people reach this server at (e.g. https://wifwiz.example.com): alerts link to reports there")
	fs.Var(&o.webhooks, "alert-webhook", "post alerts on state changes to this URL, or to the URL env:NAME or file:/path gives at each delivery (repeatable; slack:https://… or slack:env:NAME for Slack's shape); more on the alerts page")
}

func (o watchOptions) validate() error {
	if o.auditEvery != 0 && o.auditEvery < actions.MinAuditEvery {
		return usagef("--audit-every %v: give at least %v, or 0 for no scheduled audits", o.auditEvery, actions.MinAuditEvery)
	}
	if o.metricsAddr != "" && !isLoopback(o.metricsAddr) {
		return usagef("--metrics-addr %s: give a loopback address such as 127.0.0.1:9464 (it has no access token); elsewhere scrape /metrics on --addr with the access token as a bearer token", o.metricsAddr)
	}
	if o.publicURL != "" {
		u, err := url.Parse(o.publicURL)
		if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" || u.User != nil || u.RawQuery != "" || u.Fragment != "" {
			return usagef("--public-url %q: give the server's address such as https://wifwiz.example.com", o.publicURL)
		}
	}
	return nil
}

// start wires the metrics into cfg, starts the alert deliverer and the schedule on cfg.App's
// jobs, and the loopback metrics listener; the returned function stops that listener.
func (o watchOptions) start(ctx context.Context, cfg *web.Config, e env, log *slog.Logger) (func(), error) {
	cfg.Metrics = metrics.Handler(cfg.App, version)
	cfg.PublicURL = o.publicURL
	sender, err := webhook.New(nil)
	if err != nil {
		return nil, err
	}
	if err := cfg.App.StartAlertDelivery(actions.DeliveryOptions{Sender: sender, Targets: o.webhooks,
		PublicURL: o.publicURL, Logger: log}); err != nil {
		return nil, err
	}
	if o.auditEvery > 0 {
		if err := cfg.App.StartAuditSchedule(actions.ScheduleOptions{Every: o.auditEvery, Logger: log}); err != nil {
			return nil, err
		}
		log.Info("scheduled audits", "every", o.auditEvery.String())
	}
	if o.metricsAddr == "" {
		return func() {}, nil
	}
	return serveMetrics(o.metricsAddr, cfg.Metrics, e, log)
}

// serveMetrics serves /metrics alone on a loopback address.
func serveMetrics(addr string, h http.Handler, e env, log *slog.Logger) (func(), error) {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, usagef("cannot listen on --metrics-addr %s: %v", addr, err)
	}
	mux := http.NewServeMux()
	mux.Handle("GET /metrics", h)
	srv := &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second, IdleTimeout: 2 * time.Minute}
	fmt.Fprintf(e.stdout, "wifwiz metrics on http://%s/metrics\n", ln.Addr())
	go func() {
		if err := srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			log.Error("metrics listener", "error", err.Error())
		}
	}()
	return func() {
		ctx, cancel := context.WithTimeout(context.Background(), shutdownGrace)
		defer cancel()
		_ = srv.Shutdown(ctx)
	}, nil
}
