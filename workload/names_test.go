package workload

import (
	"regexp"
	"strings"
	"testing"

	"github.com/wifwiz/wifwiz/wif"
)

func TestFileName(t *testing.T) {
	cases := []struct {
		name, format, want string
	}{
		{"nightly-batch", FormatDotenv, "nightly-batch.env"},
		{"nightly-batch", FormatShell, "nightly-batch-env.sh"},
		{"nightly-batch", FormatK8s, "nightly-batch-k8s.yaml"},
		{"nightly-batch", FormatSystemd, "nightly-batch-systemd.env"},
		{"nightly-batch", FormatMarkdown, "nightly-batch-handoff.md"},
		{"nightly-batch", "other", "nightly-batch.txt"},
		{"CI prod (eu)", FormatDotenv, "ci-prod-eu.env"},
		{"../../etc/passwd", FormatK8s, "etc-passwd-k8s.yaml"},
		{"a\r\nContent-Disposition: x", FormatMarkdown, "a-content-disposition-x-handoff.md"},
		{"Ünïcødé ✓", FormatDotenv, "n-c-d.env"},
		{"---", FormatDotenv, "connection.env"},
		{"", FormatShell, "connection-env.sh"},
		{strings.Repeat("ab-", 40), FormatDotenv, strings.TrimSuffix(strings.Repeat("ab-", 21), "-") + ".env"},
	}
	safe := regexp.MustCompile(`^[a-z0-9][a-z0-9.-]*$`)
	for _, tc := range cases {
		got := FileName(wif.Connection{Name: tc.name}, tc.format)
		if got != tc.want {
			t.Errorf("FileName(%q, %s) = %q, want %q", tc.name, tc.format, got, tc.want)
		}
		if !safe.MatchString(got) {
			t.Errorf("FileName(%q, %s) = %q has unsafe characters", tc.name, tc.format, got)
		}
	}
}

// TestSlugIsAKubernetesName: object names in the sidecar setup must be DNS-1123 labels.
func TestSlugIsAKubernetesName(t *testing.T) {
	label := regexp.MustCompile(`^[a-z0-9]([-a-z0-9]*[a-z0-9])?$`)
	for _, name := range []string{"CI prod (eu)", strings.Repeat("x-", 50), "-a-", "é", "A_B"} {
		if s := slug(name); len(s) > 63 || !label.MatchString(s) {
			t.Errorf("slug(%q) = %q is not a DNS-1123 label", name, s)
		}
	}
}
