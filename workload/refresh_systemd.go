package workload

import (
	"path"
	"strings"

	"github.com/wifwiz/wifwiz/wif"
)

// credentialName is the systemd credential holding the authentik client secret.
const credentialName = "client-secret"

// unitName is the systemd service that runs wifwiz token for c.
func unitName(c wif.Connection) string {
	return "wifwiz-token-" + slug(c.Name) + ".service"
}

func systemdUnit(c wif.Connection, o Options) string {
	var t text
	t.comment(header(c)...)
	t.comment(unitInstructions(c, o)...)
	t.comment(missingSettings(c)...)
	t.line("")
	t.line("[Unit]")
	t.line("Description=wifwiz token: authentik identity token for " + slug(c.Name))
	t.line("Wants=network-online.target")
	t.line("After=network-online.target")
	t.line("")
	t.line("[Service]")
	t.line("Type=exec")
	t.line("User=" + o.ServiceUser)
	t.line("LoadCredential=" + credentialName + ":" + strings.ReplaceAll(o.ClientSecretFile, "%", "%%"))
	t.line("ExecStart=" + execStart(c, o))
	t.line("Restart=always")
	t.line("RestartSec=10")
	tokenDirectory(&t, path.Dir(o.TokenFile))
	t.line("NoNewPrivileges=yes")
	t.line("PrivateTmp=yes")
	t.line("ProtectSystem=strict")
	t.line("ProtectHome=yes")
	t.line("")
	t.line("[Install]")
	t.line("WantedBy=multi-user.target")
	return t.String()
}

func unitInstructions(c wif.Connection, o Options) []string {
	unit := unitName(c)
	return []string{
		"A systemd service that keeps the identity token file fresh with wifwiz token.",
		scheduleNote(c, "It"), perProcess,
		"Install it as /etc/systemd/system/" + unit + ", then:",
		"  systemctl daemon-reload && systemctl enable --now " + unit,
		"Put the authentik client secret in " + o.ClientSecretFile + " (owner root, mode 0600): systemd hands it " +
			"to the service as a credential (LoadCredential=), so it is never in this unit or on a command line.",
		"It runs as the dedicated user " + o.ServiceUser + " (useradd --system " + o.ServiceUser + "). wifwiz " +
			"token writes the token file with mode 0600, so the workload runs as that user too. Its unit gets:",
		"  [Unit]",
		"  Wants=" + unit,
		"  After=" + unit,
		"  [Service]",
		"  User=" + o.ServiceUser,
		"  EnvironmentFile=" + EnvFilePath(c),
		"  UnsetEnvironment=" + strings.Join(Overriding, " "),
		caNote(c, caFileFor(c)),
	}
}

// execStart is wifwiz token's command line, reading the secret from the credential (%d is the
// credentials directory).
func execStart(c wif.Connection, o Options) string {
	args := append([]string{o.RefreshCommand}, tokenFlags(c, o, "", caFileFor(c))...)
	return systemdExec(args) + " \\\n  --client-secret-file %d/" + credentialName
}

// tokenDirectory makes the token file's folder writable: a runtime directory owned by the
// service user when it is under /run, else a writable path that must exist.
func tokenDirectory(t *text, dir string) {
	for _, run := range []string{"/run/", "/var/run/"} {
		rel, ok := strings.CutPrefix(dir, run)
		if name, quotable := systemdLiteral(rel); ok && quotable {
			t.comment("The token's folder, owned by the service user, kept across restarts.")
			t.line("RuntimeDirectory=" + name)
			t.line("RuntimeDirectoryMode=0700")
			t.line("RuntimeDirectoryPreserve=yes")
			return
		}
	}
	t.comment("The token's folder must exist and belong to the service user.")
	t.line("ReadWritePaths=" + systemdPath(dir))
}
