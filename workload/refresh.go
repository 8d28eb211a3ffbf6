package workload

import (
	"strconv"
	"strings"

	"github.com/wifwiz/wifwiz/wif"
)

// Setup is one way to keep the identity token file fresh, as a file to save.
type Setup struct {
	ID       string // stable: wifwiz export --format refresh-<ID>
	Name     string
	Filename string
	Content  string
}

// refreshKind is one refresh setup: its ID, what it is, its file name and how to render it.
type refreshKind struct {
	id, name string
	file     func(wif.Connection) string
	content  func(wif.Connection, Options) string
}

// refreshKinds, in the order RefreshSetups lists them.
var refreshKinds = []refreshKind{
	{"token-stored", "wifwiz token (stored connection)",
		func(c wif.Connection) string { return slug(c.Name) + "-token-stored.sh" }, storedCommandScript},
	{"token-flags", "wifwiz token (flags only)",
		func(c wif.Connection) string { return slug(c.Name) + "-token-flags.sh" }, flagsCommandScript},
	{"systemd-unit", "systemd service for wifwiz token", unitName, systemdUnit},
	{"systemd-env", "systemd EnvironmentFile for the workload",
		systemdEnvFile,
		func(c wif.Connection, o Options) string { return renderSystemd(c, EnvVars(c, o)) }},
	{"k8s-sidecar", "Kubernetes sidecar", k8sFile, k8sManifest},
	{"cron", "curl + jq script for cron", curlFile, curlScript},
}

// RefreshSetupIDs are the refresh setups' IDs, in the order RefreshSetups lists them.
var RefreshSetupIDs = func() []string {
	ids := make([]string, len(refreshKinds))
	for i, k := range refreshKinds {
		ids[i] = k.id
	}
	return ids
}()

// RefreshSetupName says what the refresh setup with the given ID is, without rendering it.
func RefreshSetupName(id string) (string, bool) {
	k, ok := refreshKindOf(id)
	return k.name, ok
}

func refreshKindOf(id string) (refreshKind, bool) {
	for _, k := range refreshKinds {
		if k.id == id {
			return k, true
		}
	}
	return refreshKind{}, false
}

// Placeholders in refresh setups for authentik settings not recorded yet.
const (
	placeholderIssuer   = "<issuer URL from authentik>"
	placeholderClientID = "<client ID from authentik>"
)

// RefreshSetups lists the token refresh setups for c: the wifwiz token command line (from the
// stored connection, and from flags only), a systemd unit and the workload's EnvironmentFile, a Kubernetes sidecar, and a curl+jq script for cron.
// They always use a token file (Options.TokenFile): a refresher cannot set another process's
// environment. Call Options.Validate first; quoting keeps odd values literal either way.
func RefreshSetups(c wif.Connection, o Options) []Setup {
	setups := make([]Setup, len(refreshKinds))
	for i, k := range refreshKinds {
		setups[i] = k.render(c, o)
	}
	return setups
}

// RefreshSetup renders the refresh setup with the given ID.
func RefreshSetup(c wif.Connection, o Options, id string) (Setup, bool) {
	k, ok := refreshKindOf(id)
	if !ok {
		return Setup{}, false
	}
	return k.render(c, o), true
}

func (k refreshKind) render(c wif.Connection, o Options) Setup {
	o = o.withDefaults()
	o.TokenSource = TokenFromFile
	return Setup{ID: k.id, Name: k.name, Filename: k.file(c), Content: k.content(c, o)}
}

// tokenFlags are the flags-only arguments of wifwiz token for c. secretFile is empty when the
// secret comes from WIFWIZ_CLIENT_SECRET; caFile is where the connection's extra CA is saved.
func tokenFlags(c wif.Connection, o Options, secretFile, caFile string) []string {
	args := []string{"token", "--issuer", or(c.IssuerURL, placeholderIssuer)}
	if c.DiscoveryBase != "" && c.DiscoveryBase != wif.DiscoveryBaseFor(c.IssuerURL) {
		args = append(args, "--discovery-base", c.DiscoveryBase)
	}
	if c.TokenURL != "" {
		args = append(args, "--token-url", c.TokenURL)
	}
	args = append(args, "--client-id", or(c.ClientID, placeholderClientID))
	if secretFile != "" {
		args = append(args, "--client-secret-file", secretFile)
	}
	args = append(args, optionalFlags(c, caFile)...)
	if c.TokenLifetime != 0 {
		args = append(args, "--token-lifetime", strconv.FormatInt(secs(c.TokenLifetime), 10))
	}
	args = append(args, "--out", o.TokenFile)
	for i := range args {
		args[i] = redactTokens(args[i])
	}
	return args
}

// optionalFlags are --scope, --token-field and --ca-file when they differ from the defaults.
func optionalFlags(c wif.Connection, caFile string) []string {
	var args []string
	if c.Scope != "" && c.Scope != wif.DefaultScope {
		args = append(args, "--scope", c.Scope)
	}
	if c.TokenField != "" && c.TokenField != wif.TokenFieldAuto {
		args = append(args, "--token-field", c.TokenField)
	}
	if c.CAPEM != "" {
		args = append(args, "--ca-file", caFile)
	}
	return args
}

// missingSettings are TODO comments for authentik settings the setups need but c lacks.
func missingSettings(c wif.Connection) []string {
	var todo []string
	if c.IssuerURL == "" {
		todo = append(todo, "TODO: the issuer URL is not recorded yet (wizard step 1): replace "+placeholderIssuer+".")
	}
	if c.ClientID == "" {
		todo = append(todo, "TODO: the client ID is not recorded yet (wizard step 2): replace "+placeholderClientID+".")
	}
	return todo
}

// caFileFor is where the host setups expect the connection's extra CA certificate (public data).
func caFileFor(c wif.Connection) string {
	return "/etc/wifwiz/" + slug(c.Name) + "-ca.pem"
}

// caNote tells where to save the extra CA certificate, when the connection has one.
func caNote(c wif.Connection, where string) string {
	if c.CAPEM == "" {
		return ""
	}
	return "Save the connection's extra CA certificate (public; in the hand-off checklist) as " + where + "."
}

// shellCommand writes args as a shell command, quoting the arguments that need it, one flag
// and its value per line.
func shellCommand(args []string) string {
	return commandLines(args, shellWord)
}

// commandLines quotes args and puts the command and its subcommand on the first line, then each
// flag with its value on a continuation line.
func commandLines(args []string, quote func(string) string) string {
	var lines []string
	for i, a := range args {
		lines = appendWord(lines, quote(a), i == 0 || i >= 2 && strings.HasPrefix(a, "--"))
	}
	return strings.Join(lines, " \\\n  ")
}

// appendWord starts a new line with word, or adds it to the last line.
func appendWord(lines []string, word string, newLine bool) []string {
	if newLine || len(lines) == 0 {
		return append(lines, word)
	}
	lines[len(lines)-1] += " " + word
	return lines
}
