package main

import (
	"context"
	"database/sql"
	"encoding/json"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/wifwiz/wifwiz/internal/hostile"
	"github.com/wifwiz/wifwiz/verify"
)

// hostileDeadline bounds each command against a hostile issuer; its own timeouts must end it
// well before.
const hostileDeadline = 90 * time.Second

// TestHostileIssuerThroughTheCommandLine runs check (text and JSON, saved), audit and token
// against every hostile mode: each ends within its deadline with the mode's message, and nothing
// it prints, logs or stores holds a form of the secret, the internal service's answer or a raw
// escape sequence.
func TestHostileIssuerThroughTheCommandLine(t *testing.T) {
	for _, c := range hostile.Cases() {
		t.Run(string(c.Mode), func(t *testing.T) {
			t.Parallel()
			iss := hostile.Start(t, c.Mode)
			dir := t.TempDir()
			caFile := writeTestFile(t, dir, "ca.pem", string(iss.CAPEM))
			db := filepath.Join(dir, "wifwiz.db")
			vars := map[string]string{secretEnv: iss.Secret, "HOSTILE_SECRET": iss.Secret}
			conn := []string{"--issuer", iss.URL, "--client-id", hostile.ClientID, "--ca-file", caFile}
			check := append([]string{"check", "--subject", "ak-hostile-client_credentials", "--audience", hostile.ClientID}, conn...)

			// The commands run side by side where they do not depend on each other, so that a
			// mode that ends each one by its timeout (slow drip) costs two timeouts, not four.
			out := filepath.Join(dir, "token")
			var text, saved, audit, tok cliResult
			var wg sync.WaitGroup
			wg.Go(func() { text = runHostile(t, iss, vars, check...) })
			wg.Go(func() {
				tok = runHostile(t, iss, vars, append([]string{"token", "--once", "--out", out}, conn...)...)
			})
			saved = runHostile(t, iss, vars, append(check, "--json", "--save", "hostile", "--db", db, "--secret-ref", "env:HOSTILE_SECRET")...)
			audit = runHostile(t, iss, map[string]string{"HOSTILE_SECRET": iss.Secret}, "audit", "--json", "--db", db)
			wg.Wait()
			for name, r := range map[string]cliResult{"check": text, "check --save": saved, "audit": audit} {
				if r.code != exitFail && r.code != exitOK {
					t.Errorf("%s: exit %d: %s", name, r.code, r.stderr)
				}
			}
			if got := reportText(t, saved.stdout); !strings.Contains(got, c.Report) {
				t.Errorf("check does not say %q:\n%s", c.Report, got)
			}
			var doc struct {
				Connections []struct{ Report *verify.Report } `json:"connections"`
			}
			if err := json.Unmarshal([]byte(audit.stdout), &doc); err != nil || len(doc.Connections) != 1 || doc.Connections[0].Report == nil {
				t.Fatalf("audit: %v %s", err, audit.stdout)
			}
			if got := checksText(*doc.Connections[0].Report); !strings.Contains(got, c.Report) {
				t.Errorf("audit does not say %q:\n%s", c.Report, got)
			}
			assertHostileDB(t, iss, db)

			switch _, err := os.Stat(out); {
			case c.Token == "" && (tok.code != exitOK || err != nil):
				t.Errorf("token: exit %d, file %v: %s", tok.code, err, tok.stderr)
			case c.Token != "" && (tok.code != exitFail || !strings.Contains(tok.stderr, c.Token) || err == nil):
				t.Errorf("token: exit %d, file written %v, want %q in: %s", tok.code, err == nil, c.Token, tok.stderr)
			}
			if iss.Other.Hits.Load() != 0 {
				t.Errorf("the server on another origin got %d requests (secret sent: %v)", iss.Other.Hits.Load(), iss.Other.SecretSeen.Load())
			}
		})
	}
}

// hostileIssuerTimeout bounds each request to the hostile issuer, shorter than the default so
// that the slow and endless answers end within seconds.
const hostileIssuerTimeout = 2 * time.Second

// runHostile runs one command under hostileDeadline and checks what it printed.
func runHostile(t *testing.T, iss *hostile.Issuer, vars map[string]string, args ...string) cliResult {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), hostileDeadline)
	defer cancel()
	var out, errOut syncBuffer
	code := run(ctx, args, env{stdout: &out, stderr: &errOut, getenv: func(k string) string { return vars[k] },
		issuerTimeout: hostileIssuerTimeout})
	r := cliResult{code: code, stdout: out.String(), stderr: errOut.String()}
	if ctx.Err() != nil {
		t.Errorf("%s did not end within %s", args[0], hostileDeadline)
	}
	for name, s := range map[string]string{"stdout": r.stdout, "stderr": r.stderr} {
		if found := iss.Unsafe(s); len(found) > 0 {
			t.Errorf("%s's %s holds %v", args[0], name, found)
		}
		// What a terminal shows of JSON escapes.
		if found := iss.Unsafe(unescapeJSON(s)); len(found) > 0 {
			t.Errorf("%s's %s holds, once read, %v", args[0], name, found)
		}
	}
	return r
}

func reportText(t *testing.T, out string) string {
	t.Helper()
	var rep verify.Report
	if err := json.Unmarshal([]byte(out), &rep); err != nil {
		t.Fatalf("not a JSON report: %v\n%s", err, out)
	}
	return checksText(rep)
}

func checksText(rep verify.Report) string {
	var b strings.Builder
	for _, c := range rep.Checks {
		b.WriteString(strings.Join([]string{c.ID, c.Expected, c.Actual, c.Message, c.Fix}, " | ") + "\n")
	}
	return b.String()
}

// unescapeJSON decodes the \uXXXX escapes of s, as a reader of the JSON gets them back.
func unescapeJSON(s string) string {
	if u, err := strconv.Unquote(`"` + strings.NewReplacer(`"`, `\"`, "\n", `\n`).Replace(s) + `"`); err == nil {
		return u
	}
	return ""
}

// assertHostileDB reads the database as an attacker with the disk would: its files for the
// secret and the internal answer, its stored values for those and raw escape characters.
func assertHostileDB(t *testing.T, iss *hostile.Issuer, path string) {
	t.Helper()
	if found := iss.Leaks(dbBytes(t, path)); len(found) > 0 {
		t.Errorf("the database files hold %v", found)
	}
	db, err := sql.Open("sqlite", path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	rows, err := db.Query(`SELECT report_json || drift_json FROM runs UNION ALL SELECT detail FROM events`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	for rows.Next() {
		var v string
		if err := rows.Scan(&v); err != nil {
			t.Fatal(err)
		}
		if found := iss.Unsafe(v + unescapeJSON(v)); len(found) > 0 {
			t.Errorf("a stored value holds %v", found)
		}
	}
}
