package metrics

import (
	"net/http"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// TokenAttempt is one refresh of `wifwiz token`'s file.
type TokenAttempt struct {
	At       time.Time
	OK       bool
	Expiry   time.Time // the token written; zero when the attempt failed
	Next     time.Time // when the next refresh is due
	Failures int       // consecutive failures; 0 after a success
}

// Token holds the metrics of `wifwiz token --metrics-addr`, set by the refresher's observer.
type Token struct {
	reg                            *prometheus.Registry
	lastRefresh, next, expiry, bad prometheus.Gauge
	attempts                       *prometheus.CounterVec
}

// NewToken builds the refresher's metrics in a registry of their own.
func NewToken(version string) *Token {
	g := func(name, help string) prometheus.Gauge {
		return prometheus.NewGauge(prometheus.GaugeOpts{Name: name, Help: help})
	}
	t := &Token{reg: prometheus.NewRegistry(),
		lastRefresh: g("wifwiz_token_last_refresh_timestamp_seconds", "When the identity token file was last rewritten (Unix time); 0 before the first time."),
		next:        g("wifwiz_token_next_refresh_timestamp_seconds", "When the next refresh is due (Unix time)."),
		expiry:      g("wifwiz_token_expiry_timestamp_seconds", "When the identity token in the file expires (Unix time)."),
		bad:         g("wifwiz_token_consecutive_failures", "Refreshes failed in a row since the last success."),
		attempts: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "wifwiz_token_refreshes_total",
			Help: "Refresh attempts by result (success, failure)."}, []string{"result"}),
	}
	t.attempts.WithLabelValues("success")
	t.attempts.WithLabelValues("failure")
	t.reg.MustRegister(t.lastRefresh, t.next, t.expiry, t.bad, t.attempts, buildInfo(version),
		collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	return t
}

// Record sets the gauges from one attempt.
func (t *Token) Record(a TokenAttempt) {
	t.next.Set(unix(a.Next))
	t.bad.Set(float64(a.Failures))
	if !a.OK {
		t.attempts.WithLabelValues("failure").Inc()
		return
	}
	t.attempts.WithLabelValues("success").Inc()
	t.lastRefresh.Set(unix(a.At))
	t.expiry.Set(unix(a.Expiry))
}

// Handler serves the metrics.
func (t *Token) Handler() http.Handler { return promhttp.HandlerFor(t.reg, promhttp.HandlerOpts{}) }
