package workload

import (
	"strings"

	"github.com/wifwiz/wifwiz/wif"
)

// maxSlug keeps a slug a valid Kubernetes name (a DNS-1123 label) and a short file name.
const maxSlug = 63

// slug turns a connection name into lowercase letters, digits and single hyphens, safe in file
// names, systemd unit names and Kubernetes object names.
func slug(name string) string {
	var b strings.Builder
	hyphen := false
	for _, r := range strings.ToLower(name) {
		if r >= 'a' && r <= 'z' || r >= '0' && r <= '9' {
			b.WriteRune(r)
			hyphen = false
		} else if !hyphen && b.Len() > 0 {
			b.WriteByte('-')
			hyphen = true
		}
	}
	s := b.String()
	if len(s) > maxSlug {
		s = s[:maxSlug]
	}
	if s = strings.Trim(s, "-"); s == "" {
		return "connection"
	}
	return s
}

// FileName is the download name of c's environment block in format, or of its hand-off
// checklist for FormatMarkdown: letters, digits, '-' and '.' only.
func FileName(c wif.Connection, format string) string {
	name := slug(c.Name)
	switch format {
	case FormatShell:
		return name + "-env.sh"
	case FormatDotenv:
		return name + ".env"
	case FormatK8s:
		return name + "-k8s.yaml"
	case FormatSystemd:
		return systemdEnvFile(c)
	case FormatMarkdown:
		return name + "-handoff.md"
	case FormatAuthentikBlueprint:
		return name + "-authentik-blueprint.yaml"
	case FormatAuthentikTerraform:
		return name + "-authentik.tf"
	}
	if id, ok := strings.CutPrefix(format, "refresh-"); ok {
		if k, found := refreshKindOf(id); found {
			return k.file(c)
		}
	}
	return name + ".txt"
}

func systemdEnvFile(c wif.Connection) string { return slug(c.Name) + "-systemd.env" }
