package metrics_test

import (
	"net/http/httptest"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/wifwiz/wifwiz/metrics"
	"github.com/wifwiz/wifwiz/testenv"
)

// TestTokenMetrics: the refresher's gauges follow its attempts, and promtool finds nothing to say.
func TestTokenMetrics(t *testing.T) {
	m := metrics.NewToken("test")
	at := time.Unix(1_800_000_000, 0)
	m.Record(metrics.TokenAttempt{At: at, OK: true, Expiry: at.Add(time.Hour), Next: at.Add(30 * time.Minute)})
	m.Record(metrics.TokenAttempt{At: at.Add(30 * time.Minute), Next: at.Add(31 * time.Minute), Failures: 1})
	m.Record(metrics.TokenAttempt{At: at.Add(31 * time.Minute), Next: at.Add(33 * time.Minute), Failures: 2})
	srv := httptest.NewServer(m.Handler())
	defer srv.Close()
	body := scrape(t, srv.URL)
	for _, want := range []string{
		"wifwiz_token_last_refresh_timestamp_seconds 1.8e+09",
		"wifwiz_token_expiry_timestamp_seconds 1.8000036e+09",
		"wifwiz_token_next_refresh_timestamp_seconds 1.80000198e+09",
		"wifwiz_token_consecutive_failures 2",
		`wifwiz_token_refreshes_total{result="failure"} 2`,
		`wifwiz_token_refreshes_total{result="success"} 1`,
	} {
		if !strings.Contains(body, want) {
			t.Errorf("token metrics lack %q:\n%s", want, body)
		}
	}
	promtool := testenv.Tool(t, "promtool", "prometheus")
	cmd := exec.Command(promtool, "check", "metrics")
	cmd.Stdin = strings.NewReader(body)
	if out, err := cmd.CombinedOutput(); err != nil || len(strings.TrimSpace(string(out))) != 0 {
		t.Fatalf("promtool check metrics: %v\n%s", err, out)
	}
}
