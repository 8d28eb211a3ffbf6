package main

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"io"
	"net"
	"net/http"
	"net/http/cookiejar"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/wifwiz/wifwiz/testenv"
)

func TestServeSignInFlagsRefused(t *testing.T) {
	dir := t.TempDir()
	db := filepath.Join(dir, "wifwiz.db")
	secret := filepath.Join(dir, "secret")
	if err := os.WriteFile(secret, []byte("s3cret\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	empty := filepath.Join(dir, "empty")
	_ = os.WriteFile(empty, nil, 0o600)
	iss := "https://authentik.example/application/o/wifwiz/"
	base := []string{"serve", "--db", db, "--addr", "127.0.0.1:8089", "--oidc-issuer", iss, "--oidc-client-id", "cid", "--oidc-editor-group", "eds"}
	cases := []struct {
		name string
		args []string
		vars map[string]string
		says string
	}{
		{"WithoutIssuer", []string{"serve", "--db", db, "--oidc-client-id", "cid"}, nil, "--oidc-client-id is given but sign-in is off: add --oidc-issuer URL"},
		{"NoClientID", []string{"serve", "--db", db, "--oidc-issuer", iss, "--oidc-editor-group", "eds"}, nil, "needs --oidc-client-id"},
		{"NoEditorGroup", []string{"serve", "--db", db, "--oidc-issuer", iss, "--oidc-client-id", "cid"}, nil, "needs --oidc-editor-group"},
		{"SameGroups", append(base, "--oidc-viewer-group", "eds"), nil, "name two groups"},
		{"NoSecret", base, nil, "--oidc-client-secret-file PATH or WIFWIZ_OIDC_CLIENT_SECRET"},
		{"EmptySecretFile", append(base, "--oidc-client-secret-file", empty), nil, "is empty"},
		{"PublicAddrNoRedirect", []string{"serve", "--db", db, "--addr", "0.0.0.0:8089", "--behind-tls-proxy", "--oidc-issuer", iss, "--oidc-client-id", "cid",
			"--oidc-editor-group", "eds", "--oidc-client-secret-file", secret}, nil, "needs --oidc-redirect-url"},
		{"HTTPRedirect", append(base, "--oidc-client-secret-file", secret, "--oidc-redirect-url", "http://wifwiz.example/auth/callback"), nil, "http only on loopback"},
		{"HTTPIssuer", []string{"serve", "--db", db, "--addr", "127.0.0.1:8089", "--oidc-issuer", "http://authentik.example/", "--oidc-client-id", "cid",
			"--oidc-editor-group", "eds"}, map[string]string{"WIFWIZ_OIDC_CLIENT_SECRET": "s"}, "not an https:// URL"},
		{"BadCAFile", append(base, "--oidc-client-secret-file", secret, "--oidc-ca-file", empty), nil, "--oidc-ca-file " + empty + " is empty: it must hold PEM certificates"},
		{"IdleOverMax", append(base, "--session-idle-timeout", "13h"), nil, "longer than --session-max-age"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := runCLI(t, context.Background(), c.vars, c.args...)
			if r.code != exitUsage || !strings.Contains(r.stderr, c.says) {
				t.Fatalf("exit %d, stderr %q; want exit 2 saying %q", r.code, r.stderr, c.says)
			}
			if strings.Contains(r.stderr, "s3cret") {
				t.Fatal("the secret is in the error")
			}
		})
	}
}

// `wifwiz serve --oidc-…` prints the redirect URI, sends a visitor to sign in, and lets an
// editor in through the emulator.
func TestServeWithSignIn(t *testing.T) {
	emu := testenv.Start(t)
	port := freePort(t)
	addr := "127.0.0.1:" + strconv.Itoa(port)
	redirect := "http://" + addr + "/auth/callback"
	login := testenv.LoginProvider(t, emu, redirect)
	dir := t.TempDir()
	ca := filepath.Join(dir, "ca.pem")
	if err := os.WriteFile(ca, emu.CAPEM(), 0o600); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var stdout, stderr syncBuffer
	done := make(chan int, 1)
	vars := map[string]string{"WIFWIZ_OIDC_CLIENT_SECRET": login.ClientSecret}
	go func() {
		done <- run(ctx, []string{"serve", "--addr", addr, "--db", filepath.Join(dir, "wifwiz.db"),
			"--oidc-issuer", emu.IssuerURL(login.Slug), "--oidc-client-id", login.ClientID, "--oidc-ca-file", ca,
			"--oidc-editor-group", testenv.EditorGroup, "--oidc-viewer-group", testenv.ViewerGroup},
			env{stdout: &stdout, stderr: &stderr, getenv: func(k string) string { return vars[k] }})
	}()
	for deadline := time.Now().Add(20 * time.Second); !strings.Contains(stdout.String(), "serving on"); time.Sleep(20 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("not serving; stderr: %s", stderr.String())
		}
	}
	out := stdout.String()
	if !strings.Contains(out, "register this redirect URI in authentik's sign-in provider (Strict): "+redirect) ||
		!strings.Contains(out, `editors: group "`+testenv.EditorGroup+`"`) || strings.Contains(out, "?token=") {
		t.Fatalf("stdout: %s", out)
	}
	if strings.Contains(out+stderr.String(), login.ClientSecret) {
		t.Fatal("the client secret was printed")
	}

	pool := x509.NewCertPool()
	pool.AppendCertsFromPEM(emu.CAPEM())
	jar, _ := cookiejar.New(nil)
	browser := &http.Client{Jar: jar, Timeout: 10 * time.Second, Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool}}}
	if err := emu.SetAutoLogin(testenv.Editor.Username); err != nil {
		t.Fatal(err)
	}
	// Followed to the end: / → sign-in page; the button → authentik → callback → /.
	resp, err := browser.Get("http://" + addr + "/")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if !strings.Contains(string(body), `href="/auth/login?next=%2F"`) {
		t.Fatalf("/ without a session: HTTP %d at %s", resp.StatusCode, resp.Request.URL)
	}
	resp, err = browser.Get("http://" + addr + "/auth/login?next=%2F")
	if err != nil {
		t.Fatal(err)
	}
	body, _ = io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK || resp.Request.URL.String() != "http://"+addr+"/" || !strings.Contains(string(body), "Erin Editor") {
		t.Fatalf("after sign-in: HTTP %d at %s", resp.StatusCode, resp.Request.URL)
	}
	settings, err := browser.Get("http://" + addr + "/admin/sign-in")
	if err != nil {
		t.Fatal(err)
	}
	body, _ = io.ReadAll(settings.Body)
	settings.Body.Close()
	if !strings.Contains(string(body), redirect) {
		t.Fatal("the sign-in settings page does not show the redirect URI")
	}
	cancel()
	if code := <-done; code != exitOK {
		t.Fatalf("exit %d: %s", code, stderr.String())
	}
}

func freePort(t *testing.T) int {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port
}
