package workload

import (
	"strings"

	"github.com/wifwiz/wifwiz/wif"
)

const overridingWhy = "take precedence over federation, even when empty."

func renderShell(c wif.Connection, vars []EnvVar) string {
	var t text
	t.comment(append(header(c), envSecretNote)...)
	t.line("")
	t.comment(strings.Join(Overriding, " and ") + " " + overridingWhy)
	t.line("unset " + strings.Join(Overriding, " "))
	for _, v := range vars {
		t.comment(v.Comment)
		switch v.Kind {
		case SetByWorkload:
			t.line("unset " + EnvIdentityTokenFile)
		default:
			t.line("export " + v.Name + "=" + shellQuote(v.Value))
		}
	}
	return t.String()
}

func renderDotenv(c wif.Connection, vars []EnvVar) string {
	var t text
	t.comment(append(header(c), envSecretNote)...)
	t.comment("A dotenv file cannot unset variables: remove " + strings.Join(Overriding, " and ") +
		"\nfrom the workload's environment yourself. They " + overridingWhy)
	t.line("")
	assignments(&t, vars, dotenvQuote)
	return t.String()
}

// EnvFilePath is where the systemd setups expect the workload's EnvironmentFile.
func EnvFilePath(c wif.Connection) string {
	return "/etc/wifwiz/" + slug(c.Name) + ".env"
}

func renderSystemd(c wif.Connection, vars []EnvVar) string {
	var t text
	t.comment(append(header(c), envSecretNote)...)
	t.comment("An EnvironmentFile for the workload's unit. Save it as "+EnvFilePath(c)+" and add to the unit:",
		"  [Service]",
		"  EnvironmentFile="+EnvFilePath(c),
		"  UnsetEnvironment="+strings.Join(Overriding, " "),
		"UnsetEnvironment= removes those variables: they "+overridingWhy)
	t.line("")
	assignments(&t, vars, systemdEnvQuote)
	return t.String()
}

// assignments writes NAME=value lines, each under its comment; a variable the workload sets
// itself is a comment only.
func assignments(t *text, vars []EnvVar, quote func(string) string) {
	for _, v := range vars {
		t.comment(v.Comment)
		if v.Kind != SetByWorkload {
			t.line(v.Name + "=" + quote(v.Value))
		}
	}
}
