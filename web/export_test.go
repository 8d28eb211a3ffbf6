package web_test

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/wifwiz/wifwiz/workload"
)

func TestExportDownload(t *testing.T) {
	h := newHistoryApp(t, true)
	h.auditOnce(t)
	download := func(format string) page {
		return h.post(h.path("/export"), url.Values{"format": {format}}, h.csrf(h.path("")))
	}
	for _, format := range []string{"shell", "dotenv", "k8s", "systemd", "markdown"} {
		t.Run(format, func(t *testing.T) {
			p := download(format)
			if p.status != 200 {
				t.Fatalf("status %d", p.status)
			}
			want := `attachment; filename="` + workload.FileName(h.conn, format) + `"`
			if got := p.header.Get("Content-Disposition"); got != want {
				t.Errorf("Content-Disposition = %q, want %q", got, want)
			}
			if format != "markdown" {
				env, _ := workload.Render(h.conn, format, workload.Options{})
				if p.body != env {
					t.Errorf("download differs from workload.Render:\n%s", p.body)
				}
			} else if !strings.Contains(p.body, "# Hand-off checklist: history") || !strings.Contains(p.body, "`env:WIFWIZ_SECRET_HISTORY`") {
				t.Errorf("markdown download:\n%s", p.body)
			}
			if strings.Contains(p.body, h.p.ClientSecret) || jwtLike(p.body) {
				t.Error("the download holds the secret or a JWT")
			}
		})
	}
	events, _ := h.db.ListEvents(context.Background(), h.conn.ID)
	var exported []string
	for _, e := range events {
		if e.Kind == "exported" {
			exported = append(exported, e.Detail)
		}
	}
	if len(exported) != 5 || exported[0] != "markdown via download" {
		t.Errorf("exported events = %v, want one per download, newest first", exported)
	}
	if p := download("yaml"); p.status != http.StatusUnprocessableEntity || !strings.Contains(p.text(`[data-testid="error-message"]`), "shell, dotenv") {
		t.Errorf("unknown format: status %d, %q", p.status, p.text(`[data-testid="error-message"]`))
	}
	// A GET never writes: the export is a POST with the CSRF token, and a GET records nothing.
	if p := h.get(h.path("/export?format=shell")); p.status != http.StatusMethodNotAllowed && p.status != http.StatusNotFound {
		t.Errorf("GET export: status %d, want it refused", p.status)
	}
	if p := h.post(h.path("/export"), url.Values{"format": {"shell"}}, ""); p.status != http.StatusForbidden {
		t.Errorf("export without the CSRF token: status %d, want 403", p.status)
	}
	if after, _ := h.db.ListEvents(context.Background(), h.conn.ID); len(after) != len(events) {
		t.Errorf("refused exports recorded events: %d → %d", len(events), len(after))
	}
}

func TestExportRefreshSetupDownload(t *testing.T) {
	a, _ := newDemoApp(t)
	base := startDemoConnection(t, a)
	id := strings.TrimSuffix(strings.TrimPrefix(base, "/connections/"), "/wizard/")
	p := a.post("/connections/"+id+"/export", url.Values{"format": {"refresh-systemd-unit"}}, a.csrf(base+"1"))
	if p.status != http.StatusOK {
		t.Fatalf("status %d: %s", p.status, p.body)
	}
	if cd := p.header.Get("Content-Disposition"); !strings.Contains(cd, `filename="wifwiz-token-demo.service"`) {
		t.Fatalf("Content-Disposition = %q", cd)
	}
	if !strings.Contains(p.body, "ExecStart=") || !strings.Contains(p.body, "LoadCredential=") {
		t.Fatalf("not a systemd unit:\n%s", p.body)
	}
}
