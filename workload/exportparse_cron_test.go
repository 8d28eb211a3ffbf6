package workload_test

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/wifwiz/wifwiz/testenv"
	"github.com/wifwiz/wifwiz/wif"
	"github.com/wifwiz/wifwiz/workload"
)

// fakeAuthentik answers discovery and client-credentials requests on loopback, as authentik's
// token endpoint does, and records the form each token request sent.
type fakeAuthentik struct {
	srv      *httptest.Server
	mu       sync.Mutex
	forms    []map[string][]string
	discover int
}

const (
	cronIDToken     = "id.token.fresh"
	cronAccessToken = "access.token.fresh"
)

func newFakeAuthentik(t *testing.T, discoveryPath string) *fakeAuthentik {
	f := &fakeAuthentik{}
	f.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch {
		case r.Method == http.MethodGet && r.URL.Path == discoveryPath:
			f.mu.Lock()
			f.discover++
			f.mu.Unlock()
			json.NewEncoder(w).Encode(map[string]string{"issuer": "unused", "token_endpoint": f.srv.URL + "/application/o/token/"})
		case r.Method == http.MethodPost && r.URL.Path == "/application/o/token/":
			if err := r.ParseForm(); err != nil {
				http.Error(w, err.Error(), http.StatusBadRequest)
				return
			}
			f.mu.Lock()
			f.forms = append(f.forms, r.PostForm)
			f.mu.Unlock()
			json.NewEncoder(w).Encode(map[string]any{"access_token": cronAccessToken, "id_token": cronIDToken,
				"token_type": "Bearer", "expires_in": 3600})
		default:
			http.NotFound(w, r)
		}
	}))
	t.Cleanup(f.srv.Close)
	return f
}

// TestCronScriptFetchesTheToken runs the curl + jq script with bash against a local authentik
// stand-in: the form it posts carries the connection's client ID and scope and the secret file's
// secret, exactly; the token file ends up holding the selected token, mode 0600, and nothing
// else is left in its folder.
func TestCronScriptFetchesTheToken(t *testing.T) {
	for _, name := range []string{"bash", "curl", "jq"} {
		testenv.Tool(t, name, name)
	}
	const secret = `s3cr3t&x=1 +ü'"$\%`
	cases := []struct {
		name      string
		field     string
		tokenURL  bool // a recorded token URL; else discovery finds it
		wantToken string
	}{
		{"Discovery", wif.TokenFieldAuto, false, cronIDToken},
		{"TokenURLIDToken", wif.TokenFieldIDToken, true, cronIDToken},
		{"AccessToken", wif.TokenFieldAccessToken, false, cronAccessToken},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			f := newFakeAuthentik(t, "/application/o/it's-$x/.well-known/openid-configuration")
			c := wif.Connection{Name: `cron "job" ü`, IssuerURL: f.srv.URL + "/application/o/it's-$x/",
				ClientID: `client "id" $1 \ ü & more=yes`, Scope: `openid "profile" $SCOPE`, TokenField: tc.field}
			if tc.tokenURL {
				c.TokenURL = f.srv.URL + "/application/o/token/?from='recorded'"
			}
			dir := t.TempDir()
			o := workload.Options{
				TokenFile:        filepath.Join(dir, `it's "my" $dir`, "tö ken"),
				ClientSecretFile: filepath.Join(dir, `$secret's "file"`),
			}
			if err := os.MkdirAll(filepath.Dir(o.TokenFile), 0o700); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(o.ClientSecretFile, []byte(secret+"\r\n"), 0o600); err != nil {
				t.Fatal(err)
			}
			script := filepath.Join(dir, "refresh.sh")
			if err := os.WriteFile(script, []byte(setup(t, c, o, "cron").Content), 0o700); err != nil {
				t.Fatal(err)
			}
			cmd := exec.Command("bash", script)
			cmd.Env = []string{"PATH=" + os.Getenv("PATH"), "HOME=" + dir, "x=WRONG", "dir=WRONG", "SCOPE=WRONG", "secret=WRONG"}
			if out, err := cmd.CombinedOutput(); err != nil {
				t.Fatalf("the script failed: %v\n%s", err, out)
			}

			f.mu.Lock()
			defer f.mu.Unlock()
			if len(f.forms) != 1 {
				t.Fatalf("%d token requests, want 1", len(f.forms))
			}
			want := map[string]string{"grant_type": "client_credentials", "client_id": c.ClientID, "scope": c.Scope, "client_secret": secret}
			for k, v := range want {
				if got := f.forms[0][k]; len(got) != 1 || got[0] != v {
					t.Errorf("form %s = %q, want %q", k, got, v)
				}
			}
			if len(f.forms[0]) != len(want) {
				t.Errorf("form fields %v, want exactly %v", f.forms[0], want)
			}
			if wantDiscovery := map[bool]int{true: 0, false: 1}[tc.tokenURL]; f.discover != wantDiscovery {
				t.Errorf("%d discovery requests, want %d", f.discover, wantDiscovery)
			}
			got, err := os.ReadFile(o.TokenFile)
			if err != nil || strings.TrimSpace(string(got)) != tc.wantToken {
				t.Fatalf("token file holds %q (%v), want %q", got, err, tc.wantToken)
			}
			if st, _ := os.Stat(o.TokenFile); st.Mode().Perm() != 0o600 {
				t.Errorf("token file mode %v, want 0600", st.Mode().Perm())
			}
			if left, _ := os.ReadDir(filepath.Dir(o.TokenFile)); len(left) != 1 {
				t.Errorf("the token folder holds %d files, want only the token (no temporary file left)", len(left))
			}
		})
	}
}
