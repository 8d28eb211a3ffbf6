package workload

import (
	"fmt"
	"path"
	"time"
)

// FormatServeUnit is the export of a systemd service running `wifwiz serve` (not per connection).
const FormatServeUnit = "serve-systemd-unit"

// ServeUnitOptions say how the server runs. Zero fields take the defaults.
type ServeUnitOptions struct {
	Binary      string        // absolute path of wifwiz; default /usr/local/bin/wifwiz
	Addr        string        // default 127.0.0.1:8080
	AuditEvery  time.Duration // 0: no scheduled audits
	MetricsAddr string        // a loopback address for /metrics without the token; "": none
	PublicURL   string
}

// ServeUnitName is the unit's file name.
const ServeUnitName = "wifwiz.service"

// serveStateDir is where systemd keeps the database (StateDirectory=wifwiz).
const serveStateDir = "/var/lib/wifwiz"

// ServeUnit renders a hardened systemd service for `wifwiz serve`: a dynamic user, its state
// directory for the database, the access token from an environment file, restart on failure.
func ServeUnit(o ServeUnitOptions) string {
	if o.Binary == "" {
		o.Binary = "/usr/local/bin/wifwiz"
	}
	if o.Addr == "" {
		o.Addr = "127.0.0.1:8080"
	}
	args := []string{o.Binary, "serve", "--addr", o.Addr, "--db", path.Join(serveStateDir, "wifwiz.db")}
	if o.AuditEvery > 0 {
		args = append(args, "--audit-every", o.AuditEvery.String())
	}
	if o.MetricsAddr != "" {
		args = append(args, "--metrics-addr", o.MetricsAddr)
	}
	if o.PublicURL != "" {
		args = append(args, "--public-url", o.PublicURL)
	}
	var t text
	t.comment("wifwiz serve as a systemd service: the wizard, scheduled audits, /metrics, /healthz, /readyz and alerts.",
		"Install: sudo install -m 0644 "+ServeUnitName+" /etc/systemd/system/ && sudo systemctl daemon-reload && sudo systemctl enable --now wifwiz",
		"Off loopback, serve requires an access token: put WIFWIZ_ACCESS_TOKEN=… (and WIFWIZ_ALERT_WEBHOOK=… if you like) in /etc/wifwiz/serve.env, mode 0600.",
		"Secret references the web may set: environment variables starting WIFWIZ_SECRET_ in that file, or files under --secrets-dir.")
	t.line("")
	t.line("[Unit]")
	t.line("Description=wifwiz: Anthropic Workload Identity Federation with authentik")
	t.line("Wants=network-online.target")
	t.line("After=network-online.target")
	t.line("")
	t.line("[Service]")
	t.line("Type=exec")
	t.line("DynamicUser=yes")
	t.line("StateDirectory=wifwiz")
	t.line("StateDirectoryMode=0700")
	t.line("EnvironmentFile=-/etc/wifwiz/serve.env")
	t.line("ExecStart=" + systemdExec(args))
	t.line("Restart=on-failure")
	t.line("RestartSec=5")
	t.line(fmt.Sprintf("TimeoutStopSec=%d", 30))
	for _, l := range []string{"NoNewPrivileges=yes", "PrivateTmp=yes", "PrivateDevices=yes", "ProtectSystem=strict",
		"ProtectHome=yes", "ProtectKernelTunables=yes", "ProtectKernelModules=yes", "ProtectControlGroups=yes",
		"RestrictAddressFamilies=AF_INET AF_INET6 AF_UNIX", "RestrictNamespaces=yes", "RestrictRealtime=yes",
		"LockPersonality=yes", "MemoryDenyWriteExecute=yes", "SystemCallArchitectures=native", "CapabilityBoundingSet=",
		"UMask=0077"} {
		t.line(l)
	}
	t.line("")
	t.line("[Install]")
	t.line("WantedBy=multi-user.target")
	return t.String()
}
