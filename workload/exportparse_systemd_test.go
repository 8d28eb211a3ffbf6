package workload_test

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/wifwiz/wifwiz/testenv"
	"github.com/wifwiz/wifwiz/wif"
	"github.com/wifwiz/wifwiz/workload"
)

// unitSuffixes are the systemd unit types a refresh setup may be.
var unitSuffixes = []string{".service", ".timer", ".path", ".socket", ".target"}

func isUnit(filename string) bool {
	for _, s := range unitSuffixes {
		if strings.HasSuffix(filename, s) {
			return true
		}
	}
	return false
}

// TestSystemdUnitsVerify writes every unit among the refresh setups and has systemd-analyze
// verify them: syntax, quoting of every setting, and that ExecStart's command exists. The
// command is a stand-in at a path that needs quoting itself.
func TestSystemdUnitsVerify(t *testing.T) {
	analyze := testenv.Tool(t, "systemd-analyze", "systemd")
	// %h is a specifier (the home folder) unless written %%h.
	bin := filepath.Join(t.TempDir(), "bin dir $HOME 100%h", "wifwiz")
	if err := os.MkdirAll(filepath.Dir(bin), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(bin, []byte("#!/bin/sh\nexit 0\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	outsideRun := awkwardOptions()
	outsideRun.TokenFile = "/srv/it's \"my\" $dir/tö ken/identity" // a folder that is no runtime directory
	cases := []struct {
		name string
		c    wif.Connection
		o    workload.Options
	}{
		{"Awkward", awkward(), awkwardOptions()},
		{"AwkwardOutsideRun", awkward(), outsideRun},
		{"Defaults", wif.Connection{Name: "nightly-batch", IssuerURL: "https://authentik.company/application/o/nightly-batch/",
			ClientID: "Xq3nightly", FederationRuleID: "fdrl_01", OrganizationID: "6f1c2a3b-4d5e-4f60-8a7b-9c0d1e2f3a4b",
			ServiceAccountID: "svac_01"}, workload.Options{}},
		{"Draft", wif.Connection{Name: "draft"}, workload.Options{}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			tc.o.RefreshCommand = bin
			dir := t.TempDir()
			var files []string
			for _, s := range workload.RefreshSetups(tc.c, tc.o) {
				if !isUnit(s.Filename) {
					continue
				}
				p := filepath.Join(dir, s.Filename)
				if err := os.WriteFile(p, []byte(s.Content), 0o644); err != nil {
					t.Fatal(err)
				}
				files = append(files, p)
			}
			if len(files) == 0 {
				t.Fatal("no systemd unit among the refresh setups")
			}
			cmd := exec.Command(analyze, append([]string{"verify", "--man=no"}, files...)...)
			cmd.Dir = dir
			cmd.Env = append(os.Environ(), "SYSTEMD_LOG_COLOR=0")
			out, err := cmd.CombinedOutput()
			var ours []string
			for _, line := range strings.Split(string(out), "\n") {
				for _, f := range files {
					if strings.Contains(line, filepath.Base(f)) {
						ours = append(ours, line)
						break
					}
				}
			}
			if err != nil || len(ours) > 0 {
				for _, f := range files {
					b, _ := os.ReadFile(f)
					t.Logf("%s:\n%s", filepath.Base(f), b)
				}
				t.Errorf("systemd-analyze verify: %v\n%s", err, out)
			}
		})
	}
}
