package main

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/wifwiz/wifwiz/testenv"
	"github.com/wifwiz/wifwiz/wif"
)

// auditDoc reads `wifwiz audit --json`.
func auditDoc(t *testing.T, stdout string) auditDocument {
	t.Helper()
	var doc auditDocument
	if err := json.Unmarshal([]byte(stdout), &doc); err != nil {
		t.Fatalf("audit --json is not one JSON document: %v\n%s", err, stdout)
	}
	return doc
}

// The bound: each of the `concurrency` workers has at most one request of its own in flight —
// discovery (shared through the audit's issuer cache: waiters add none), then the token
// request. The JWKS fetch runs beside a worker's token request, but the cache makes it once per
// issuer. So at most concurrency + issuers at once. (A recorded token URL would start the token
// request beside discovery; these connections have none.)
func TestAuditTwoHundredConnectionsBoundedAndCached(t *testing.T) {
	const total, concurrency = 200, 16
	ctx := context.Background()
	emu := testenv.Start(t)
	db, dbPath := testenv.OpenStore(t)
	slugs := []string{"billing", "batch", "reports"}
	vars := map[string]string{}
	var bases []wif.Connection
	for _, slug := range slugs {
		p := testenv.Provider(t, emu, slug)
		vars[testenv.SecretEnv(p)] = p.ClientSecret
		bases = append(bases, testenv.Connection(t, emu, p, slug, testenv.SecretEnv(p)))
	}
	for i := range total {
		c := bases[i%len(bases)]
		c.Name = fmt.Sprintf("%s-%03d", c.Name, i)
		testenv.Create(t, db, c)
	}
	caFile := writeTestFile(t, t.TempDir(), "ca.pem", string(emu.CAPEM()))
	emu.SetLatency(20 * time.Millisecond)
	emu.ResetCounts()

	res := runCLI(t, ctx, vars, "audit", "--db", dbPath, "--ca-file", caFile, "--concurrency", fmt.Sprint(concurrency), "--json")
	if res.code != exitOK {
		t.Fatalf("exit %d, stderr %q", res.code, res.stderr)
	}
	doc := auditDoc(t, res.stdout)
	if doc.Summary.Total != total || doc.Summary.Passed != total || !doc.OK || len(doc.Connections) != total {
		t.Fatalf("summary = %+v, ok %v, %d connections", doc.Summary, doc.OK, len(doc.Connections))
	}
	counts := emu.Counts()
	if counts["discovery"] != len(slugs) || counts["jwks"] != len(slugs) {
		t.Errorf("discovery %d, jwks %d fetches; want exactly one of each per issuer (%d)", counts["discovery"], counts["jwks"], len(slugs))
	}
	if counts["token"] != total {
		t.Errorf("token requests = %d, want one per connection (%d)", counts["token"], total)
	}
	if m := emu.MaxInFlight(); m > concurrency+len(slugs) || m < 2 {
		t.Errorf("at most %d requests in flight; want concurrent (≥ 2) and ≤ %d + %d issuers", m, concurrency, len(slugs))
	}
	for _, secret := range vars {
		assertNoSecrets(t, "audit --json", res.stdout, secret)
		assertNoSecrets(t, "the database", dbBytes(t, dbPath), secret)
	}
}

func TestAuditRotationDrift(t *testing.T) {
	ctx := context.Background()
	emu := testenv.Start(t)
	p := testenv.Provider(t, emu, "nightly")
	other := testenv.Provider(t, emu, "other")
	db, dbPath := testenv.OpenStore(t)
	testenv.Create(t, db, testenv.Connection(t, emu, p, "nightly", "NIGHTLY_SECRET"))
	testenv.Create(t, db, testenv.Connection(t, emu, other, "unset", "UNSET_SECRET"))
	demo := testenv.Connection(t, emu, p, "demo", "NIGHTLY_SECRET")
	demo.Demo = true
	testenv.Create(t, db, demo)
	caFile := writeTestFile(t, t.TempDir(), "ca.pem", string(emu.CAPEM()))
	vars := map[string]string{"NIGHTLY_SECRET": p.ClientSecret}
	args := []string{"audit", "--db", dbPath, "--ca-file", caFile}

	first := runCLI(t, ctx, vars, args...)
	if first.code != exitOK || !strings.Contains(first.stdout, "2 connections: 1 passed, 0 failed, 0 drifted, 1 skipped.") {
		t.Fatalf("first audit: exit %d\n%s%s", first.code, first.stdout, first.stderr)
	}
	if !strings.Contains(first.stdout, "secret not available") || strings.Contains(first.stdout, "demo") {
		t.Errorf("first audit should skip the connection without its secret and leave the demo out:\n%s", first.stdout)
	}
	oldKid := emu.KeyID(p.Slug)
	if err := emu.RotateKey(p.Slug); err != nil {
		t.Fatal(err)
	}

	text := runCLI(t, ctx, vars, args...)
	if text.code != exitFail {
		t.Fatalf("after rotation: exit %d, want 1\n%s%s", text.code, text.stdout, text.stderr)
	}
	for _, want := range []string{"nightly: kid \"" + oldKid + "\" → \"" + emu.KeyID(p.Slug) + "\"", "nightly: inline_jwks", "nightly: header.kid", "fix: Copy authentik's current JWKS"} {
		if !strings.Contains(text.stdout, want) {
			t.Errorf("human audit lacks %q:\n%s", want, text.stdout)
		}
	}

	js := runCLI(t, ctx, vars, append(args, "--json", "--connection", "nightly")...)
	doc := auditDoc(t, js.stdout)
	if js.code != exitFail || doc.OK || doc.Summary.Failed != 1 || len(doc.Connections) != 1 {
		t.Fatalf("--json: exit %d, %+v", js.code, doc)
	}
	c := doc.Connections[0]
	if c.Connection != "nightly" || c.Status != "failed" || c.Report == nil || c.SkippedReason != nil {
		t.Fatalf("connection entry = %+v", c)
	}
	kinds := []string{}
	for _, d := range doc.Drift {
		kinds = append(kinds, d.Connection+":"+d.Kind)
	}
	if strings.Join(kinds, ",") != "nightly:kid,nightly:inline_jwks" {
		t.Errorf("drift = %v", kinds)
	}
	var raw map[string]any
	json.Unmarshal([]byte(js.stdout), &raw)
	for _, key := range []string{"started_at", "connections", "drift", "summary", "ok"} {
		if _, ok := raw[key]; !ok {
			t.Errorf("--json lacks %q", key)
		}
	}
	for _, out := range []cliResult{first, text, js} {
		assertNoSecrets(t, "audit output", out.stdout+out.stderr, p.ClientSecret)
	}
	runs, _ := db.ListRuns(ctx, 1, 0)
	if len(runs) != 3 || runs[0].Trigger != wif.TriggerAudit {
		t.Errorf("runs = %d (newest %s), want 3 audit runs stored", len(runs), runs[0].Trigger)
	}
}

func TestAuditSkippedJSON(t *testing.T) {
	emu := testenv.Start(t)
	p := testenv.Provider(t, emu, "x")
	db, dbPath := testenv.OpenStore(t)
	testenv.Create(t, db, testenv.Connection(t, emu, p, "x", "NOT_SET"))
	res := runCLI(t, context.Background(), nil, "audit", "--db", dbPath, "--json")
	doc := auditDoc(t, res.stdout)
	if res.code != exitOK || doc.Summary.Skipped != 1 || doc.Connections[0].Report != nil ||
		doc.Connections[0].SkippedReason == nil || !strings.Contains(*doc.Connections[0].SkippedReason, "NOT_SET") {
		t.Fatalf("exit %d: %s", res.code, res.stdout)
	}
	if !strings.Contains(res.stdout, `"report": null`) || !strings.Contains(res.stdout, `"drift": []`) {
		t.Errorf("a skipped connection has report null and the drift list is empty, not absent:\n%s", res.stdout)
	}
}

func TestAuditUsageErrors(t *testing.T) {
	ctx := context.Background()
	_, dbPath := testenv.OpenStore(t)
	bad := writeTestFile(t, t.TempDir(), "bad.pem", "not a certificate")
	key := writeTestFile(t, t.TempDir(), "key.pem", "-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n")
	tests := []struct {
		name string
		args []string
		want string
	}{
		{"ErrConcurrency", []string{"--concurrency", "0"}, "--concurrency 0: give a number from 1 to 256"},
		{"ErrUnknownConnection", []string{"--connection", "nope"}, `no connection named "nope"`},
		{"ErrNoDatabase", []string{"--db", dbPath + ".missing"}, "no wifwiz database at --db"},
		{"ErrCAFile", []string{"--ca-file", bad}, "must hold PEM certificates"},
		{"ErrCAFileKey", []string{"--ca-file", key}, "block 1 is a \"PRIVATE KEY\", not a CERTIFICATE"},
		{"ErrFlag", []string{"--bogus"}, "flag provided but not defined"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			args := append([]string{"audit", "--db", dbPath}, tt.args...)
			res := runCLI(t, ctx, nil, args...)
			lines := strings.Split(strings.TrimSpace(res.stderr), "\n")
			if res.code != exitUsage || len(lines) != 1 || !strings.Contains(res.stderr, tt.want) {
				t.Fatalf("exit %d, stderr %q; want exit 2 with one line containing %q", res.code, res.stderr, tt.want)
			}
		})
	}
}

func TestAuditEmpty(t *testing.T) {
	_, dbPath := testenv.OpenStore(t)
	res := runCLI(t, context.Background(), nil, "audit", "--db", dbPath)
	if res.code != exitOK || !strings.Contains(res.stdout, "No connection to audit") {
		t.Fatalf("exit %d: %q", res.code, res.stdout)
	}
}
