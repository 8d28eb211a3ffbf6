package main

import (
	"context"
	"net/http"
	"path/filepath"
	"strings"
	"testing"
)

func TestServeWatchFlagsRefused(t *testing.T) {
	db := filepath.Join(t.TempDir(), "wifwiz.db")
	for name, args := range map[string][]string{
		"metrics off loopback": {"--metrics-addr", "0.0.0.0:9464"},
		"plain http webhook":   {"--alert-webhook", "http://alerts.example.com/x"},
		"slack over http":      {"--alert-webhook", "slack:http://hooks.example.com/x"},
		"unset reference":      {"--alert-webhook", "slack:env:SLACK_HOOK"},
		"malformed reference":  {"--alert-webhook", "file:relative/hook"},
		"audits too often":     {"--audit-every", "5s"},
		"public url":           {"--public-url", "wifwiz.example.com"},
	} {
		var stdout, stderr syncBuffer
		code := run(context.Background(), append([]string{"serve", "--addr", "127.0.0.1:0", "--db", db}, args...),
			env{stdout: &stdout, stderr: &stderr, getenv: func(string) string { return "" }})
		if code != exitUsage || strings.Count(strings.TrimSpace(stderr.String()), "\n") != 0 {
			t.Errorf("%s: exit %d, stderr %q; want exit 2 with one line", name, code, stderr.String())
		}
	}
}

// TestServeMetricsAddr: --metrics-addr serves /metrics on loopback without the access token.
func TestServeMetricsAddr(t *testing.T) {
	db := filepath.Join(t.TempDir(), "wifwiz.db")
	s, url := startServe(t, map[string]string{"SLACK_HOOK": "https://hooks.example.com/services/y"}, `metrics on (http://127\.0\.0\.1:\d+/metrics)`,
		"--addr", "127.0.0.1:0", "--db", db, "--metrics-addr", "127.0.0.1:0", "--audit-every", "1h",
		"--alert-webhook", "slack:https://hooks.example.com/services/x", "--alert-webhook", "slack:env:SLACK_HOOK")
	if code, body := getBody(t, url); code != http.StatusOK || !strings.Contains(body, "wifwiz_audit_schedule_interval_seconds 3600") {
		t.Fatalf("metrics: %d\n%s", code, body)
	}
	s.stop(t)
}
