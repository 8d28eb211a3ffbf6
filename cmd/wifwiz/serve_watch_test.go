package main

import (
	"context"
	"io"
	"net/http"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"
)

func TestServeWatchFlagsRefused(t *testing.T) {
	db := filepath.Join(t.TempDir(), "wifwiz.db")
	for name, args := range map[string][]string{
		"metrics off loopback": {"--metrics-addr", "0.0.0.0:9464"},
		"plain http webhook":   {"--alert-webhook", "http://alerts.example.com/x"},
		"slack over http":      {"--alert-webhook", "slack:http://hooks.example.com/x"},
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
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var stdout, stderr syncBuffer
	db := filepath.Join(t.TempDir(), "wifwiz.db")
	done := make(chan int, 1)
	go func() {
		done <- run(ctx, []string{"serve", "--addr", "127.0.0.1:0", "--db", db, "--metrics-addr", "127.0.0.1:0", "--audit-every", "1h",
			"--alert-webhook", "slack:https://hooks.example.com/services/x"}, env{stdout: &stdout, stderr: &stderr, getenv: func(string) string { return "" }})
	}()
	pattern := regexp.MustCompile(`metrics on (http://127\.0\.0\.1:\d+/metrics)`)
	var url string
	for deadline := time.Now().Add(20 * time.Second); url == ""; time.Sleep(20 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("no metrics URL printed; stderr: %s", stderr.String())
		}
		if m := pattern.FindStringSubmatch(stdout.String()); m != nil {
			url = m[1]
		}
	}
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK || !strings.Contains(string(body), "wifwiz_audit_schedule_interval_seconds 3600") {
		t.Fatalf("metrics: %d\n%s", resp.StatusCode, body)
	}
	cancel()
	if code := <-done; code != exitOK {
		t.Fatalf("exit %d; stderr: %s", code, stderr.String())
	}
}
