package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"time"

	"github.com/wifwiz/wifwiz/wif"
)

// manualLatencies: the comparison at the audit's latency and with none, where only process and
// TLS costs remain.
var manualLatencies = []time.Duration{benchLatency, 0}

// manualFigures compares `wifwiz check` with the same verification done the way the authentik
// guide does it: curl for discovery, JWKS and the token, jq to decode.
type manualFigures struct {
	Missing string // curl or jq when not installed: the manual row is skipped
	Rows    []manualRow
	Checks  int // checks wifwiz check reports
}

type manualRow struct {
	Latency time.Duration
	Wifwiz  spread
	Manual  spread
}

// Ratio is how many times longer the manual way takes (median).
func (r manualRow) Ratio() float64 {
	if r.Wifwiz.P50 == 0 {
		return 0
	}
	return float64(r.Manual.P50) / float64(r.Wifwiz.P50)
}

func measureManual(ctx context.Context, o options, work, bin string) (manualFigures, error) {
	var f manualFigures
	for _, tool := range []string{"curl", "jq"} {
		if _, err := exec.LookPath(tool); err != nil {
			f.Missing = strings.TrimPrefix(f.Missing+", "+tool, ", ")
		}
	}
	is, err := startIssuer(0, 1)
	if err != nil {
		return f, err
	}
	defer is.close()
	w, err := newManualWays(ctx, is, work, bin)
	if err != nil {
		return f, err
	}
	f.Checks = len(w.checkIDs)
	for _, l := range manualLatencies {
		is.emu.SetLatency(l)
		row := manualRow{Latency: l}
		var ours, theirs []time.Duration
		for range o.runs { // alternated, so that other load on the machine hits both alike
			d, err := w.check(ctx)
			if err != nil {
				return f, err
			}
			ours = append(ours, d)
			if f.Missing != "" {
				continue
			}
			if d, err = w.manual(ctx); err != nil {
				return f, err
			}
			theirs = append(theirs, d)
		}
		row.Wifwiz, row.Manual = spreadOf(ours), spreadOf(theirs)
		f.Rows = append(f.Rows, row)
	}
	return f, nil
}

// manualWays holds the files and URLs both ways use.
type manualWays struct {
	bin, dir                  string
	ca, jwks, form            string
	discovery, jwksURL, token string
	checkArgs, checkEnv       []string
	checkIDs                  []string
}

func newManualWays(ctx context.Context, is *issuer, work, bin string) (*manualWays, error) {
	dir := filepath.Join(work, "manual")
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, err
	}
	conn, err := is.connection(ctx, 0, "manual")
	if err != nil {
		return nil, err
	}
	p := is.providers[0]
	w := &manualWays{bin: bin, dir: dir, jwks: filepath.Join(dir, "jwks.json"), form: filepath.Join(dir, "token-form"),
		discovery: wif.DiscoveryURLFor(conn.DiscoveryBase), jwksURL: conn.IssuerURL + "jwks/",
		token: is.emu.URL() + "/application/o/token/"}
	if w.ca, err = is.writeCA(dir); err != nil {
		return nil, err
	}
	form := url.Values{"grant_type": {"client_credentials"}, "client_id": {p.ClientID}, "client_secret": {p.ClientSecret}, "scope": {wif.DefaultScope}}
	if err := os.WriteFile(w.form, []byte(form.Encode()), 0o600); err != nil {
		return nil, err
	}
	if err := os.WriteFile(w.jwks, []byte(conn.InlineJWKS), 0o600); err != nil {
		return nil, err
	}
	w.checkArgs = []string{"check", "--issuer", conn.IssuerURL, "--client-id", p.ClientID, "--ca-file", w.ca,
		"--jwks-file", w.jwks, "--subject", conn.SubjectPrefix, "--audience", conn.Audience,
		"--federation-rule-id", benchRuleID, "--organization-id", benchOrgID, "--service-account-id", benchSvacID}
	w.checkEnv = childEnv("WIFWIZ_CLIENT_SECRET=" + p.ClientSecret)
	return w, w.countChecks(ctx)
}

// countChecks runs wifwiz check once with --json, which also proves the flags make it pass.
func (w *manualWays) countChecks(ctx context.Context) error {
	out, err := w.exec(ctx, nil, w.checkEnv, w.bin, append(w.checkArgs, "--json")...)
	if err != nil {
		return fmt.Errorf("wifwiz check: %w", err)
	}
	var rep struct {
		Checks []struct {
			ID string `json:"id"`
		} `json:"checks"`
		OK bool `json:"ok"`
	}
	if err := json.Unmarshal(out, &rep); err != nil || !rep.OK {
		return fmt.Errorf("wifwiz check --json: ok %v, err %v", rep.OK, err)
	}
	for _, c := range rep.Checks {
		w.checkIDs = append(w.checkIDs, c.ID)
	}
	return nil
}

// check times one `wifwiz check` process, from start to exit.
func (w *manualWays) check(ctx context.Context) (time.Duration, error) {
	start := time.Now()
	if _, err := w.exec(ctx, nil, w.checkEnv, w.bin, w.checkArgs...); err != nil {
		return 0, fmt.Errorf("wifwiz check: %w", err)
	}
	return time.Since(start), nil
}

// manual times the guide's way: three curl processes one after the other, then jq decoding the
// token's header and claims. It checks nothing; a person compares the output by eye.
func (w *manualWays) manual(ctx context.Context) (time.Duration, error) {
	env := childEnv()
	start := time.Now()
	for _, u := range []string{w.discovery, w.jwksURL} {
		if _, err := w.exec(ctx, nil, env, "curl", "-sS", "--fail", "--cacert", w.ca, u); err != nil {
			return 0, fmt.Errorf("curl %s: %w", u, err)
		}
	}
	tok, err := w.exec(ctx, nil, env, "curl", "-sS", "--fail", "--cacert", w.ca, "--data", "@"+w.form, w.token)
	if err != nil {
		return 0, fmt.Errorf("curl token: %w", err)
	}
	decoded, err := w.exec(ctx, tok, env, "jq", "-r", `.id_token | split(".") | .[0:2] | map(gsub("-";"+") | gsub("_";"/") | @base64d | fromjson)`)
	if err != nil {
		return 0, fmt.Errorf("jq: %w", err)
	}
	took := time.Since(start)
	if !bytes.Contains(decoded, []byte(`"sub"`)) {
		return 0, fmt.Errorf("jq decoded no sub claim")
	}
	return took, nil
}

func (w *manualWays) exec(ctx context.Context, stdin []byte, env []string, name string, args ...string) ([]byte, error) {
	cmd := exec.CommandContext(ctx, name, args...)
	cmd.Env, cmd.Dir = env, w.dir
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if stdin != nil {
		cmd.Stdin = bytes.NewReader(stdin)
	}
	if err := cmd.Run(); err != nil {
		return nil, fmt.Errorf("%v: %s", err, strings.TrimSpace(stderr.String()))
	}
	return stdout.Bytes(), nil
}
