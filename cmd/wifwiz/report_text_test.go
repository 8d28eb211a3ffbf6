package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/wifwiz/wifwiz/verify"
)

func TestColorOnlyOnATerminal(t *testing.T) {
	devNull, err := os.OpenFile(os.DevNull, os.O_WRONLY, 0) // a character device, as a terminal is
	if err != nil {
		t.Skipf("no %s: %v", os.DevNull, err)
	}
	defer devNull.Close()
	file, err := os.Create(filepath.Join(t.TempDir(), "out"))
	if err != nil {
		t.Fatal(err)
	}
	defer file.Close()
	noEnv := func(string) string { return "" }
	cases := []struct {
		name string
		e    env
		want bool
	}{
		{"buffer", env{stdout: &bytes.Buffer{}, getenv: noEnv}, false},
		{"regular file", env{stdout: file, getenv: noEnv}, false},
		{"character device", env{stdout: devNull, getenv: noEnv}, true},
		{"character device with NO_COLOR", env{stdout: devNull, getenv: func(k string) string {
			if k == "NO_COLOR" {
				return "1"
			}
			return ""
		}}, false},
	}
	for _, tc := range cases {
		if got := colorFor(tc.e).on; got != tc.want {
			t.Errorf("%s: colour %v, want %v", tc.name, got, tc.want)
		}
	}
}

func sampleReport() verify.Report {
	name := "ci"
	return verify.Report{
		Connection: &name,
		Issuer:     "https://auth.example.com/application/o/claude/",
		Checks: []verify.Check{
			{ID: "claim.iss", Status: verify.Pass, Actual: `"https://auth.example.com/application/o/claude/"`},
			// A sub an attacker chose: it must not drive the terminal.
			{ID: "claim.sub", Status: verify.Fail, Actual: "\"evil\x1b[2J\x1b]0;pwned\x07\u202e\"", Message: "no match\nsecond line", Fix: "change the rule"},
			{ID: "exchange", Status: verify.Skip, Actual: "", Message: "Not requested."},
		},
		Summary: verify.Summary{Pass: 1, Fail: 1, Skip: 1},
	}
}

func TestWriteReportNeutralisesUntrustedText(t *testing.T) {
	var b bytes.Buffer
	if err := writeReport(&b, sampleReport(), palette{}); err != nil {
		t.Fatal(err)
	}
	out := b.String()
	if strings.ContainsAny(out, "\x1b\x07\u202e") {
		t.Errorf("control characters reached the output: %q", out)
	}
	for _, want := range []string{
		"connection ci\n",
		"claim.sub  fail  \"evil [2J ]0;pwned  \"\n           no match second line\n           fix: change the rule\n",
		"exchange   skip\n",
		"1 pass, 0 warn, 1 fail, 1 skip — FAILED (1 check)\n",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
	if strings.Contains(out, "Not requested.") {
		t.Error("a skip row shows its message; only warn and fail rows do")
	}
}

func TestWriteReportColours(t *testing.T) {
	var b bytes.Buffer
	if err := writeReport(&b, sampleReport(), palette{on: true}); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"\x1b[32mpass\x1b[0m", "\x1b[31mfail\x1b[0m", "\x1b[90mskip\x1b[0m", "\x1b[31mFAILED (1 check)\x1b[0m"} {
		if !strings.Contains(b.String(), want) {
			t.Errorf("coloured output lacks %q", want)
		}
	}
}
