package metrics_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/jonboulle/clockwork"

	"github.com/wifwiz/wifwiz/actions"
	"github.com/wifwiz/wifwiz/metrics"
	"github.com/wifwiz/wifwiz/probe"
	"github.com/wifwiz/wifwiz/testenv"
)

// watched is a service auditing one connection to the authentik emulator on a schedule of a
// fake clock, with its metrics served on loopback.
type watched struct {
	svc     *actions.Service
	clock   *clockwork.FakeClock
	done    chan actions.AuditOutcome
	metrics *httptest.Server
	rotate  func()
}

func startWatched(t *testing.T) *watched {
	emu := testenv.Start(t)
	p := testenv.Provider(t, emu, "watched")
	db, _ := testenv.OpenStore(t)
	testenv.Create(t, db, testenv.Connection(t, emu, p, "watched", testenv.SecretEnv(p)))
	w := &watched{clock: clockwork.NewFakeClockAt(time.Now()), done: make(chan actions.AuditOutcome, 4)}
	w.svc = testenv.Service(t, db, &probe.Runner{ExtraCA: emu.CAPEM()}, testenv.ServiceOptions{
		Env: map[string]string{testenv.SecretEnv(p): p.ClientSecret}, Clock: w.clock, Now: time.Now})
	err := w.svc.StartAuditSchedule(actions.ScheduleOptions{Every: time.Hour, Rand: func(time.Duration) int64 { return 0 },
		Done: func(o actions.AuditOutcome) { w.done <- o }})
	if err != nil {
		t.Fatal(err)
	}
	w.metrics = httptest.NewServer(metrics.Handler(w.svc, "test"))
	t.Cleanup(w.metrics.Close)
	w.rotate = func() {
		if err := emu.RotateKey(p.Slug); err != nil {
			t.Fatal(err)
		}
	}
	return w
}

// nextAudit waits for the scheduled audit under way to finish.
func (w *watched) nextAudit(t *testing.T) actions.AuditOutcome {
	t.Helper()
	select {
	case o := <-w.done:
		return o
	case <-time.After(60 * time.Second): // a failsafe against a hang, not a timing assertion
		t.Fatal("no scheduled audit finished")
	}
	return actions.AuditOutcome{}
}

// advanceToNextAudit moves the fake clock to the next scheduled audit and waits for it.
func (w *watched) advanceToNextAudit(t *testing.T) actions.AuditOutcome {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := w.clock.BlockUntilContext(ctx, 1); err != nil {
		t.Fatal("the schedule is not waiting for its next audit")
	}
	w.clock.Advance(time.Hour)
	return w.nextAudit(t)
}

func scrape(t *testing.T, u string) string {
	t.Helper()
	resp, err := http.Get(u + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("/metrics: %d %s", resp.StatusCode, body)
	}
	return string(body)
}

// TestPromtoolChecksTheMetrics: promtool's linter finds nothing to say about the scraped text,
// and the connection's metrics are there with their units in their names.
func TestPromtoolChecksTheMetrics(t *testing.T) {
	promtool := testenv.Tool(t, "promtool", "prometheus")
	w := startWatched(t)
	w.nextAudit(t)
	body := scrape(t, w.metrics.URL)
	cmd := exec.Command(promtool, "check", "metrics")
	cmd.Stdin = strings.NewReader(body)
	out, err := cmd.CombinedOutput()
	if err != nil || len(bytes.TrimSpace(out)) != 0 {
		t.Fatalf("promtool check metrics: %v\n%s", err, out)
	}
	for _, want := range []string{
		`wifwiz_connection_last_verification_ok{connection="watched"} 1`,
		`wifwiz_connection_check_failing{check="header.kid",connection="watched"} 0`,
		`wifwiz_connection_identity_token_lifetime_seconds{connection="watched"} `,
		`wifwiz_connection_minted_token_lifetime_seconds{connection="watched"} 3600`,
		`wifwiz_connection_signing_key_age_seconds{connection="watched"} `,
		`wifwiz_connection_last_success_timestamp_seconds{connection="watched"} `,
		`wifwiz_audit_last_connections{status="passed",trigger="schedule"} 1`,
		`wifwiz_audits_total{state="done",trigger="schedule"} 1`,
		`wifwiz_audit_schedule_interval_seconds 3600`,
		`wifwiz_build_info{version="test"} 1`,
	} {
		if !strings.Contains(body, want) {
			t.Errorf("the metrics lack %q", want)
		}
	}
}

// TestPrometheusScrapesWifwiz: a real Prometheus scrapes wifwiz on loopback every second; its
// query API returns the connection's metrics, and the verdict flips to 0 — with header.kid
// failing and a kid drift counted — once the emulator rotates its key and the next scheduled
// audit runs.
func TestPrometheusScrapesWifwiz(t *testing.T) {
	bin := testenv.Tool(t, "prometheus", "prometheus")
	w := startWatched(t)
	w.nextAudit(t)
	api := startPrometheus(t, bin, strings.TrimPrefix(w.metrics.URL, "http://"))

	waitFor(t, api, `wifwiz_connection_last_verification_ok{connection="watched"}`, "1")
	waitFor(t, api, `wifwiz_connection_minted_token_lifetime_seconds{connection="watched"}`, "3600")

	w.rotate()
	if o := w.advanceToNextAudit(t); o.Summary.Failed != 1 {
		t.Fatalf("the audit after the key rotation: %+v, want the connection failing", o.Summary)
	}
	waitFor(t, api, `wifwiz_connection_last_verification_ok{connection="watched"}`, "0")
	waitFor(t, api, `wifwiz_connection_check_failing{connection="watched",check="header.kid"}`, "1")
	waitFor(t, api, `wifwiz_connection_drift_events_total{connection="watched",kind="kid"}`, "1")
	waitFor(t, api, `wifwiz_audit_last_connections{trigger="schedule",status="failed"}`, "1")
}

// startPrometheus runs Prometheus with its own configuration and storage in a temporary folder,
// listening on loopback, scraping target every second; it returns its API's base URL.
func startPrometheus(t *testing.T, bin, target string) string {
	t.Helper()
	dir := t.TempDir()
	config := fmt.Sprintf("global:\n  scrape_interval: 1s\n  evaluation_interval: 1s\nscrape_configs:\n"+
		"  - job_name: wifwiz\n    scrape_interval: 1s\n    scrape_timeout: 1s\n    static_configs:\n      - targets: [%q]\n", target)
	if err := os.WriteFile(filepath.Join(dir, "prometheus.yml"), []byte(config), 0o600); err != nil {
		t.Fatal(err)
	}
	addr := freeAddr(t)
	var logs bytes.Buffer
	cmd := exec.Command(bin, "--config.file="+filepath.Join(dir, "prometheus.yml"), "--storage.tsdb.path="+filepath.Join(dir, "data"),
		"--web.listen-address="+addr, "--log.level=warn")
	cmd.Stdout, cmd.Stderr = &logs, &logs
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		_ = cmd.Process.Kill()
		_ = cmd.Wait()
		if t.Failed() {
			t.Logf("prometheus:\n%s", logs.String())
		}
	})
	base := "http://" + addr
	poll(t, "Prometheus ready", func() bool {
		resp, err := http.Get(base + "/-/ready")
		if err != nil {
			return false
		}
		resp.Body.Close()
		return resp.StatusCode == http.StatusOK
	})
	return base
}

func freeAddr(t *testing.T) string {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}

// waitFor queries Prometheus until the query's single series has value want.
func waitFor(t *testing.T, api, query, want string) {
	t.Helper()
	var last string
	poll(t, query+" = "+want, func() bool {
		last = instant(t, api, query)
		return last == want
	})
}

func instant(t *testing.T, api, query string) string {
	resp, err := http.Get(api + "/api/v1/query?query=" + url.QueryEscape(query))
	if err != nil {
		return ""
	}
	defer resp.Body.Close()
	var r struct {
		Status string
		Data   struct {
			Result []struct {
				Value [2]any
			}
		}
	}
	if err := json.NewDecoder(resp.Body).Decode(&r); err != nil || r.Status != "success" || len(r.Data.Result) != 1 {
		return ""
	}
	v, _ := r.Data.Result[0].Value[1].(string)
	return v
}

// poll retries cond until it holds; Prometheus scrapes on its own wall clock, so this waits for
// an outside process, with a generous failsafe.
func poll(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(60 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(200 * time.Millisecond)
	}
}
