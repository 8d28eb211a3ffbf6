package main

import (
	"context"
	"fmt"
	"io"
	"slices"
	"strings"
	"time"

	"github.com/wifwiz/wifwiz/actions"
	"github.com/wifwiz/wifwiz/workload"
)

func exportFormats() []string { return workload.ExportFormats() }

func runExport(ctx context.Context, args []string, e env) (int, error) {
	formats := strings.Join(exportFormats(), "|")
	formats += "|" + workload.FormatServeUnit
	fs := newFlagSet("export", "export --connection NAME --format "+formats+" [--db PATH]", e)
	name := fs.String("connection", "", "the stored connection to export")
	format := fs.String("format", "", "what to print: "+formats+" (markdown: the hand-off checklist)")
	dbPath := fs.String("db", defaultDBPath(e), "SQLite database file of stored connections")
	image := fs.String("image", imageName(), "the container image with wifwiz that refresh-k8s-sidecar runs (make image builds "+imageName()+")")
	akTokenFile := fs.String("authentik-token-file", "", "for "+workload.FormatAuthentikBlueprint+" and "+workload.FormatAuthentikTerraform+": file holding an authentik API token (or set "+authentikTokenEnv+"), to read authentik's version and the provider's signing key")
	if err := parseFlags(fs, args, e); err != nil {
		return helpOrUsage(err)
	}
	if *format == workload.FormatServeUnit {
		// The server's own unit belongs to no connection.
		_, err := io.WriteString(e.stdout, workload.ServeUnit(workload.ServeUnitOptions{AuditEvery: time.Hour, MetricsAddr: "127.0.0.1:9464"}))
		return exitOK, err
	}
	switch {
	case *name == "":
		return exitUsage, usagef("give --connection NAME: the stored connection to export")
	case *format == "":
		return exitUsage, usagef("give --format %s", formats)
	case !slices.Contains(exportFormats(), *format):
		return exitUsage, usagef("--format %q is not one of %s", *format, formats)
	}
	db, err := openExistingDB(ctx, *dbPath)
	if err != nil {
		return exitUsage, err
	}
	defer db.Close()
	if db.ReadOnly() {
		fmt.Fprintf(e.stderr, "wifwiz export: note: --db %s is read-only for this user: the export is not recorded in the connection's timeline\n", *dbPath)
	}
	app := newApp(db, e.runner(), e, appOptions{})
	conn, err := stored(ctx, app, *name, *dbPath)
	if err != nil {
		return exitUsage, err
	}
	var creds actions.Credentials
	if slices.Contains(workload.AuthentikFormats(), *format) {
		if creds.AuthentikToken, err = fileOrEnv("authentik-token-file", *akTokenFile, authentikTokenEnv, authentikTokenWhat, e); err != nil {
			return exitUsage, err
		}
	}
	exp, err := app.Export(ctx, actions.ExportRequest{Connection: *conn, Format: *format, Actor: cliActor(), Via: "wifwiz export",
		Image: *image, Credentials: creds})
	if err != nil {
		return exitFail, err
	}
	text := exp.Body
	if _, err := io.WriteString(e.stdout, text); err != nil {
		return exitFail, fmt.Errorf("write the export: %w", err)
	}
	return exitOK, nil
}
