package workload

import (
	"fmt"
	"slices"
	"strings"
)

// refreshPrefix marks the export formats of the token refresh setups (refresh-systemd-unit, …).
const refreshPrefix = "refresh-"

// ExportFormats are the environment block's formats, the hand-off checklist's, the token
// refresh setups' (the same files the wizard's last step shows), then authentik's side as code.
func ExportFormats() []string {
	fs := Formats()
	if !slices.Contains(fs, FormatMarkdown) {
		fs = append(fs, FormatMarkdown)
	}
	for _, id := range RefreshSetupIDs {
		fs = append(fs, refreshPrefix+id)
	}
	return append(fs, AuthentikFormats()...)
}

// Export is one downloadable document.
type Export struct {
	Format      string
	FileName    string
	ContentType string
	Body        string
}

// RenderExport renders the document a workload or a teammate is handed in format: the
// environment block exactly as the wizard's workload step shows it, a token refresh setup, the
// hand-off checklist (from cl) in Markdown, or authentik's provider and application as a
// blueprint or Terraform (with o.Authentik's facts).
func RenderExport(cl Checklist, format string, o Options) (Export, error) {
	c := cl.Connection
	out := Export{Format: format, FileName: FileName(c, format), ContentType: contentType(format)}
	if err := StoredProblem(c); err != nil {
		return out, err
	}
	switch id, isRefresh := strings.CutPrefix(format, refreshPrefix); {
	case isRefresh:
		setup, found := RefreshSetup(c, o, id)
		if !found {
			return out, fmt.Errorf("no token refresh setup %q", id)
		}
		out.Body = setup.Content
	case format == FormatMarkdown:
		out.Body = Markdown(cl, o)
	case slices.Contains(AuthentikFormats(), format):
		text, err := RenderAuthentik(c, format, o.Authentik)
		if err != nil {
			return out, fmt.Errorf("render %s for %q: %w", format, c.Name, err)
		}
		out.Body = text
	default:
		text, err := Render(c, format, o)
		if err != nil {
			return out, fmt.Errorf("render %s for %q: %w", format, c.Name, err)
		}
		out.Body = text
	}
	return out, nil
}

func contentType(format string) string {
	switch format {
	case FormatMarkdown:
		return "text/markdown; charset=utf-8"
	case FormatK8s, refreshPrefix + "k8s-sidecar", FormatAuthentikBlueprint:
		return "application/yaml; charset=utf-8"
	}
	return "text/plain; charset=utf-8"
}
