// Package metrics exposes wifwiz's state in the Prometheus text format (client_golang): a
// collector that reads the connections, audits and alert deliveries through the use-case layer
// at every scrape — no global registry, no state of its own — and the refresher's gauges of
// `wifwiz token`. docs/operations.md lists every metric.
package metrics

import (
	"context"
	"net/http"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/wifwiz/wifwiz/actions"
	"github.com/wifwiz/wifwiz/verify"
	"github.com/wifwiz/wifwiz/wif"
)

// Source is what the collector reads; *actions.Service is one.
type Source interface {
	ConnectionStates(ctx context.Context) ([]actions.ConnectionState, error)
	LatestFinishedAudits(ctx context.Context) ([]wif.AuditJob, error)
	CountAudits(ctx context.Context) ([]wif.AuditCount, error)
	CountDeliveries(ctx context.Context) (map[string]int, error)
	AuditSchedule() (actions.ScheduleStatus, bool)
	Now() time.Time
}

// scrapeTimeout bounds the reads of one scrape.
const scrapeTimeout = 10 * time.Second

func desc(name, help string, labels ...string) *prometheus.Desc {
	return prometheus.NewDesc(name, help, labels, nil)
}

var (
	connL = []string{"connection"}

	descConnections   = desc("wifwiz_connections", "Connections watched: those the audits cover.")
	descLastOK        = desc("wifwiz_connection_last_verification_ok", "1 when the connection's newest verification had no failed check, 0 when it had one; absent when never verified.", connL...)
	descLastAt        = desc("wifwiz_connection_last_verification_timestamp_seconds", "When the connection's newest verification started (Unix time).", connL...)
	descLastSuccess   = desc("wifwiz_connection_last_success_timestamp_seconds", "When the connection's newest passing verification started (Unix time); absent when none passed.", connL...)
	descCheckFailing  = desc("wifwiz_connection_check_failing", "1 for each check that failed in the connection's newest verification, 0 for the other checks it ran.", "connection", "check")
	descDrift         = desc("wifwiz_connection_drift_events_total", "Drift events recorded in the connection's runs (a difference from its last passing run), by kind.", "connection", "kind")
	descTokenLifetime = desc("wifwiz_connection_identity_token_lifetime_seconds", "exp − iat of the identity token of the connection's newest verification that obtained one.", connL...)
	descMinted        = desc("wifwiz_connection_minted_token_lifetime_seconds", "The lifetime Anthropic mints when exchanging a fresh identity token: max(60, min(the rule's token lifetime, 2 × the identity token's lifetime)).", connL...)
	descKeyAge        = desc("wifwiz_connection_signing_key_age_seconds", "Seconds since the kid that signs the connection's tokens last changed (or was first seen, when no change was seen).", connL...)

	triggerL         = []string{"trigger"}
	descAuditDur     = desc("wifwiz_audit_last_duration_seconds", "How long the newest finished audit of each trigger took.", triggerL...)
	descAuditEnd     = desc("wifwiz_audit_last_end_timestamp_seconds", "When the newest finished audit of each trigger ended (Unix time).", triggerL...)
	descAuditConns   = desc("wifwiz_audit_last_connections", "Connections of the newest finished audit of each trigger, by status (passed, failed, drifted, skipped).", "trigger", "status")
	descAuditInt     = desc("wifwiz_audit_last_interrupted", "1 when the newest finished audit of the trigger was interrupted by a stop.", triggerL...)
	descAudits       = desc("wifwiz_audits_total", "Finished audits by trigger and final state (done, interrupted).", "trigger", "state")
	descScheduleNext = desc("wifwiz_audit_schedule_next_timestamp_seconds", "When the next scheduled audit starts (Unix time); absent while one runs or without --audit-every.")
	descScheduleRun  = desc("wifwiz_audit_schedule_running", "1 while a scheduled audit runs; absent without --audit-every.")
	descScheduleEv   = desc("wifwiz_audit_schedule_interval_seconds", "The period of the scheduled audits (--audit-every).")
	descDeliveries   = desc("wifwiz_alert_deliveries", "Alert deliveries recorded, by state (pending, delivered, failed).", "state")
)

// Collector reads wifwiz's state at every scrape.
type Collector struct{ src Source }

// NewCollector builds a collector over src.
func NewCollector(src Source) *Collector { return &Collector{src: src} }

// Describe sends every metric's description.
func (c *Collector) Describe(ch chan<- *prometheus.Desc) {
	for _, d := range []*prometheus.Desc{descConnections, descLastOK, descLastAt, descLastSuccess, descCheckFailing, descDrift,
		descTokenLifetime, descMinted, descKeyAge, descAuditDur, descAuditEnd, descAuditConns, descAuditInt, descAudits,
		descScheduleNext, descScheduleRun, descScheduleEv, descDeliveries} {
		ch <- d
	}
}

// Collect reads the current state; a read that fails makes the scrape fail with its error.
func (c *Collector) Collect(ch chan<- prometheus.Metric) {
	ctx, cancel := context.WithTimeout(context.Background(), scrapeTimeout)
	defer cancel()
	states, err := c.src.ConnectionStates(ctx)
	if err != nil {
		ch <- prometheus.NewInvalidMetric(descConnections, err)
		return
	}
	gauge(ch, descConnections, float64(len(states)))
	now := c.src.Now()
	for _, st := range states {
		connection(ch, st, now)
	}
	if err := c.audits(ctx, ch); err != nil {
		ch <- prometheus.NewInvalidMetric(descAudits, err)
	}
	c.schedule(ch)
	counts, err := c.src.CountDeliveries(ctx)
	if err != nil {
		ch <- prometheus.NewInvalidMetric(descDeliveries, err)
		return
	}
	for _, state := range []string{wif.DeliveryPending, wif.DeliveryDelivered, wif.DeliveryFailed} {
		gauge(ch, descDeliveries, float64(counts[state]), state)
	}
}

func connection(ch chan<- prometheus.Metric, st actions.ConnectionState, now time.Time) {
	name := st.Connection.Name
	for kind, n := range st.Drift {
		ch <- prometheus.MustNewConstMetric(descDrift, prometheus.CounterValue, float64(n), name, kind)
	}
	if !st.LastSuccess.IsZero() {
		gauge(ch, descLastSuccess, unix(st.LastSuccess), name)
	}
	if !st.KidSince.IsZero() {
		gauge(ch, descKeyAge, max(0, now.Sub(st.KidSince).Seconds()), name)
	}
	if st.Last == nil || st.Report == nil {
		return
	}
	gauge(ch, descLastOK, bool01(st.Last.OK), name)
	gauge(ch, descLastAt, unix(st.Last.At), name)
	seen := map[string]bool{}
	for _, chk := range st.Report.Checks {
		if seen[chk.ID] {
			continue
		}
		seen[chk.ID] = true
		gauge(ch, descCheckFailing, bool01(chk.Status == verify.Fail), name, chk.ID)
	}
	if life, ok := actions.IdentityTokenLifetime(*st.Report); ok {
		gauge(ch, descTokenLifetime, life.Seconds(), name)
	}
	if minted, ok := actions.MintedLifetime(st.Connection, *st.Report); ok {
		gauge(ch, descMinted, minted.Seconds(), name)
	}
}

func (c *Collector) audits(ctx context.Context, ch chan<- prometheus.Metric) error {
	latest, err := c.src.LatestFinishedAudits(ctx)
	if err != nil {
		return err
	}
	for _, j := range latest {
		trigger := string(j.Trigger)
		if !j.FinishedAt.IsZero() {
			gauge(ch, descAuditDur, max(0, j.FinishedAt.Sub(j.StartedAt).Seconds()), trigger)
			gauge(ch, descAuditEnd, unix(j.FinishedAt), trigger)
		}
		gauge(ch, descAuditInt, bool01(j.State == wif.AuditInterrupted), trigger)
		sum := j.Summary()
		for status, n := range map[wif.AuditStatus]int{wif.AuditPassed: sum.Passed, wif.AuditFailed: sum.Failed,
			wif.AuditDrifted: sum.Drifted, wif.AuditSkipped: sum.Skipped} {
			gauge(ch, descAuditConns, float64(n), trigger, string(status))
		}
	}
	counts, err := c.src.CountAudits(ctx)
	if err != nil {
		return err
	}
	for _, n := range counts {
		ch <- prometheus.MustNewConstMetric(descAudits, prometheus.CounterValue, float64(n.Count), string(n.Trigger), n.State)
	}
	return nil
}

func (c *Collector) schedule(ch chan<- prometheus.Metric) {
	st, ok := c.src.AuditSchedule()
	if !ok {
		return
	}
	gauge(ch, descScheduleEv, st.Every.Seconds())
	gauge(ch, descScheduleRun, bool01(st.Running))
	if !st.Next.IsZero() {
		gauge(ch, descScheduleNext, unix(st.Next))
	}
}

func gauge(ch chan<- prometheus.Metric, d *prometheus.Desc, v float64, labels ...string) {
	ch <- prometheus.MustNewConstMetric(d, prometheus.GaugeValue, v, labels...)
}

func unix(t time.Time) float64 { return float64(t.UnixMilli()) / 1000 }

func bool01(b bool) float64 {
	if b {
		return 1
	}
	return 0
}

// Handler serves the collector's metrics with the Go runtime's and the process's, and
// wifwiz_build_info, from a registry of its own.
func Handler(src Source, version string) http.Handler {
	reg := prometheus.NewRegistry()
	reg.MustRegister(NewCollector(src), collectors.NewGoCollector(),
		collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}), buildInfo(version))
	return promhttp.HandlerFor(reg, promhttp.HandlerOpts{})
}

func buildInfo(version string) prometheus.Collector {
	g := prometheus.NewGauge(prometheus.GaugeOpts{Name: "wifwiz_build_info", Help: "1, labelled with the wifwiz version.",
		ConstLabels: prometheus.Labels{"version": version}})
	g.Set(1)
	return g
}
