package workload

import "github.com/wifwiz/wifwiz/wif"

// storedCommandScript runs wifwiz token from the connection stored in wifwiz's database.
func storedCommandScript(c wif.Connection, o Options) string {
	var t text
	t.line("#!/bin/sh")
	t.comment(header(c)...)
	t.comment("wifwiz token keeps the identity token file fresh until stopped (add --once to refresh once),",
		"taking the connection's settings from wifwiz's database.", scheduleNote(c, "It"), perProcess)
	args := []string{o.RefreshCommand, "token", "--connection", c.Name, "--db", o.DBPath}
	ref, _ := secretRef(c)
	if ref == "" {
		t.comment("No usable reference to the client secret is recorded, so it is read from a file (mode 0600).")
		args = append(args, "--client-secret-file", o.ClientSecretFile)
	} else {
		t.comment("wifwiz reads the client secret through the connection's reference " + ref +
			": make it available to this command.")
	}
	t.line("exec " + shellCommand(append(args, "--out", o.TokenFile)))
	return t.String()
}

// flagsCommandScript runs wifwiz token from flags only, without the database.
func flagsCommandScript(c wif.Connection, o Options) string {
	var t text
	t.line("#!/bin/sh")
	t.comment(header(c)...)
	t.comment("wifwiz token keeps the identity token file fresh until stopped (add --once to refresh once),",
		"from flags only: no database needed. The client secret is read from a file (mode 0600), or",
		"from WIFWIZ_CLIENT_SECRET instead of --client-secret-file; never from a flag value.",
		scheduleNote(c, "It"), perProcess, caNote(c, caFileFor(c)))
	t.comment(missingSettings(c)...)
	args := append([]string{o.RefreshCommand}, tokenFlags(c, o, o.ClientSecretFile, caFileFor(c))...)
	t.line("exec " + shellCommand(args))
	return t.String()
}
