package workload_test

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/wifwiz/wifwiz/testenv"
	"github.com/wifwiz/wifwiz/workload"
)

// TestServeUnitVerifies: systemd's own checker accepts the serve unit (its ExecStart points at
// an executable that exists, as on the host it is installed on), also when the binary's path
// needs quoting: a space, a $ (systemd expands no variable in the command itself) and a %
// specifier.
func TestServeUnitVerifies(t *testing.T) {
	analyze := testenv.Tool(t, "systemd-analyze", "systemd")
	for name, folder := range map[string]string{"Plain": "bin", "Awkward": "bin dir $HOME 100%h"} {
		t.Run(name, func(t *testing.T) {
			dir := t.TempDir()
			bin := filepath.Join(dir, folder, "wifwiz")
			if err := os.MkdirAll(filepath.Dir(bin), 0o755); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(bin, []byte("#!/bin/sh\n"), 0o755); err != nil {
				t.Fatal(err)
			}
			unit := workload.ServeUnit(workload.ServeUnitOptions{Binary: bin, AuditEvery: time.Hour, MetricsAddr: "127.0.0.1:9464",
				PublicURL: "https://wifwiz.example"})
			for _, want := range []string{"serve \\\n  --addr 127.0.0.1:8080", "--db /var/lib/wifwiz/wifwiz.db", "--audit-every 1h0m0s",
				"--metrics-addr 127.0.0.1:9464", "DynamicUser=yes", "StateDirectory=wifwiz"} {
				if !strings.Contains(unit, want) {
					t.Errorf("the unit lacks %q:\n%s", want, unit)
				}
			}
			path := filepath.Join(dir, workload.ServeUnitName)
			if err := os.WriteFile(path, []byte(unit), 0o644); err != nil {
				t.Fatal(err)
			}
			out, err := exec.Command(analyze, "verify", path).CombinedOutput()
			if err != nil || strings.Contains(string(out), path) {
				t.Fatalf("systemd-analyze verify: %v\n%s\n%s", err, out, unit)
			}
		})
	}
}
