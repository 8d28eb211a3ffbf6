package refresh_test

import (
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/wifwiz/wifwiz/refresh"
)

func TestWriteFile(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "token")
	if err := os.WriteFile(path, []byte("old\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := refresh.WriteFile(path, []byte("new\n")); err != nil {
		t.Fatal(err)
	}
	got, err := os.ReadFile(path)
	if err != nil || string(got) != "new\n" {
		t.Fatalf("content = %q, %v", got, err)
	}
	assertMode0600(t, path)
	assertOnlyFile(t, dir, "token")

	for _, empty := range []string{"", " \n"} {
		if err := refresh.WriteFile(path, []byte(empty)); err == nil {
			t.Errorf("WriteFile(%q) succeeded, want a refusal", empty)
		}
	}
	if got, _ := os.ReadFile(path); string(got) != "new\n" {
		t.Errorf("a refused write changed the file to %q", got)
	}
	if err := refresh.WriteFile(filepath.Join(dir, "missing", "token"), []byte("x")); err == nil {
		t.Error("WriteFile into a missing folder succeeded")
	}
	assertOnlyFile(t, dir, "token")
}

func TestReadTokenFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "token")
	iat := time.Unix(1_780_000_000, 0)
	if err := refresh.WriteFile(path, []byte(fakeJWT(iat, iat.Add(time.Minute), "")+"\n")); err != nil {
		t.Fatal(err)
	}
	tok, err := refresh.ReadTokenFile(path)
	if err != nil || !tok.Expiry.Equal(iat.Add(time.Minute)) {
		t.Fatalf("ReadTokenFile = %+v, %v", tok, err)
	}
	if _, err := refresh.ReadTokenFile(path + ".missing"); err == nil {
		t.Error("reading a missing file succeeded")
	}
}

func assertMode0600(t *testing.T, path string) {
	t.Helper()
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if fi.Mode().Perm() != 0o600 {
		t.Errorf("mode = %v, want 0600", fi.Mode().Perm())
	}
}

// assertOnlyFile checks that no temporary file was left behind.
func assertOnlyFile(t *testing.T, dir, name string) {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		if e.Name() != name && !e.IsDir() {
			t.Errorf("unexpected file %s left in the folder", e.Name())
		}
	}
}
