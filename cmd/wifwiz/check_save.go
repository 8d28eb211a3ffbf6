package main

import (
	"context"
	"fmt"
	"os/user"
	"strings"

	"github.com/wifwiz/wifwiz/probe"
	"github.com/wifwiz/wifwiz/store"
	"github.com/wifwiz/wifwiz/verify"
	"github.com/wifwiz/wifwiz/wif"
)

// saveTarget is the stored connection --save NAME updates, or nil when NAME is new.
func saveTarget(ctx context.Context, db *store.DB, name string) (*wif.Connection, error) {
	c, err := db.GetConnectionByName(ctx, name)
	if wif.ErrorCode(err) == wif.ENOTFOUND {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("read connection %q: %w", name, err)
	}
	return c, nil
}

// validateSave checks what a flag-built connection can be checked for before it is stored:
// its name and the form of its secret reference (never echoed: it may be a pasted secret).
func validateSave(c wif.Connection) error {
	if p := wif.ValidateBasics(c)[wif.FieldName]; p != "" {
		return usagef("--save: %s", p)
	}
	if p := wif.ValidateProvider(c)[wif.FieldSecretRef]; p != "" {
		return usagef("--secret-ref: %s", p)
	}
	return nil
}

// saveAndRecord creates or updates the connection, then records the run with trigger cli.
func saveAndRecord(ctx context.Context, db *store.DB, conn wif.Connection, target *wif.Connection, rep verify.Report) error {
	actor := cliActor()
	fillBasics(&conn)
	if target == nil {
		conn.ID, conn.Version = 0, 0
		if err := db.CreateConnection(ctx, &conn, actor); err != nil {
			return fmt.Errorf("save connection %q: %w", conn.Name, err)
		}
	} else {
		conn.ID, conn.Version, conn.Demo, conn.CreatedAt = target.ID, target.Version, target.Demo, target.CreatedAt
		if err := db.UpdateConnection(ctx, &conn, actor); err != nil {
			return fmt.Errorf("save connection %q: %w", conn.Name, err)
		}
	}
	if _, err := probe.Record(ctx, db, conn, rep, wif.TriggerCLI, actor); err != nil {
		return fmt.Errorf("record the run of %q: %w", conn.Name, err)
	}
	return nil
}

// fillBasics derives the wizard's authentik URL and application slug from an authentik
// per-provider issuer URL when they are not recorded, so the saved connection opens in the
// wizard with step 1 filled in.
func fillBasics(c *wif.Connection) {
	if c.AuthentikURL != "" || c.AppSlug != "" {
		return
	}
	base, rest, ok := strings.Cut(c.IssuerURL, wif.AuthentikIssuerPath)
	slug := strings.TrimSuffix(rest, "/")
	if !ok || base == "" || slug == "" || strings.Contains(slug, "/") {
		return
	}
	c.AuthentikURL, c.AppSlug = base, slug
}

// cliActor names who ran the command in the connection's timeline.
func cliActor() string {
	if u, err := user.Current(); err == nil && u.Username != "" {
		return "cli:" + u.Username
	}
	return "cli:unknown"
}
