package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/wifwiz/wifwiz/wif"
)

// connectionColumns lists the columns in the order scanConnection and connectionArgs use.
const connectionColumns = `name, demo, step, authentik_url, app_slug, provider_name, issuer_url,
	discovery_base, token_url, client_id, access_token_validity, subject_mode, scope, token_field,
	ca_pem, secret_ref, service_account_id, issuer_name, jwks_source, inline_jwks, rule_name,
	subject_prefix, audience, oauth_scope, token_lifetime_s, max_identity_token_lifetime_s,
	federation_rule_id, organization_id, workspace_id, anthropic_base_url, secret_ref_origin,
	claims_json, condition, issuer_id, console_token_ref, console_token_ref_origin, authentik_token_ref,
	authentik_token_ref_origin, provider_pk`

const connectionColumnCount = 39

func connectionArgs(c *wif.Connection) []any {
	claims, _ := json.Marshal(nonNilClaims(c.Claims)) // a map of strings always encodes
	return []any{c.Name, c.Demo, c.Step, c.AuthentikURL, c.AppSlug, c.ProviderName, c.IssuerURL,
		c.DiscoveryBase, c.TokenURL, c.ClientID, c.AccessTokenValidity, c.SubjectMode, c.Scope, c.TokenField,
		c.CAPEM, c.SecretRef, c.ServiceAccountID, c.IssuerName, c.JWKSSource, c.InlineJWKS, c.RuleName,
		c.SubjectPrefix, c.Audience, c.OAuthScope, int64(c.TokenLifetime / time.Second),
		int64(c.MaxIdentityTokenLifetime / time.Second), c.FederationRuleID, c.OrganizationID, c.WorkspaceID,
		c.AnthropicBaseURL, c.SecretRefOrigin,
		string(claims), c.Condition, c.IssuerID, c.ConsoleTokenRef, c.ConsoleTokenRefOrigin, c.AuthentikTokenRef,
		c.AuthentikTokenRefOrigin, c.ProviderPK}
}

func nonNilClaims(m map[string]string) map[string]string {
	if m == nil {
		return map[string]string{}
	}
	return m
}

type scanner interface{ Scan(dest ...any) error }

func scanConnection(row scanner) (*wif.Connection, error) {
	var c wif.Connection
	var tokenLifetime, maxLifetime, created, updated int64
	var claims string
	err := row.Scan(&c.ID, &c.Version, &created, &updated,
		&c.Name, &c.Demo, &c.Step, &c.AuthentikURL, &c.AppSlug, &c.ProviderName, &c.IssuerURL,
		&c.DiscoveryBase, &c.TokenURL, &c.ClientID, &c.AccessTokenValidity, &c.SubjectMode, &c.Scope, &c.TokenField,
		&c.CAPEM, &c.SecretRef, &c.ServiceAccountID, &c.IssuerName, &c.JWKSSource, &c.InlineJWKS, &c.RuleName,
		&c.SubjectPrefix, &c.Audience, &c.OAuthScope, &tokenLifetime, &maxLifetime,
		&c.FederationRuleID, &c.OrganizationID, &c.WorkspaceID, &c.AnthropicBaseURL, &c.SecretRefOrigin,
		&claims, &c.Condition, &c.IssuerID, &c.ConsoleTokenRef, &c.ConsoleTokenRefOrigin, &c.AuthentikTokenRef,
		&c.AuthentikTokenRefOrigin, &c.ProviderPK)
	if err != nil {
		return nil, err
	}
	// A damaged value must not make the connection unreadable: it is shown, and refused where
	// it would be used.
	if err := json.Unmarshal([]byte(claims), &c.Claims); err != nil {
		c.Claims = nil
		c.Unreadable = map[string]string{wif.FieldClaims: "Claims matchers: the stored value is not a JSON object of strings — record them again (wizard step 4, or wifwiz check --claim … --save)."}
	}
	if len(c.Claims) == 0 {
		c.Claims = nil
	}
	c.TokenLifetime = time.Duration(tokenLifetime) * time.Second
	c.MaxIdentityTokenLifetime = time.Duration(maxLifetime) * time.Second
	c.CreatedAt, c.UpdatedAt = fromMilli(created), fromMilli(updated)
	return &c, nil
}

const selectConnection = `SELECT id, version, created_at, updated_at, ` + connectionColumns + ` FROM connections`

// CreateConnection inserts c, sets its ID, Version and times, and records a "created" event
// naming every setting it was created with.
// A name already in use (case-insensitive) is an EINVALID error on the "name" field.
func (s *DB) CreateConnection(ctx context.Context, c *wif.Connection, actor string) error {
	now := s.now()
	placeholders := strings.Repeat("?, ", connectionColumnCount+2) + "?"
	q := `INSERT INTO connections (version, created_at, updated_at, ` + connectionColumns + `) VALUES (` + placeholders + `)`
	return s.inTx(ctx, func(tx *sql.Tx) error {
		args := append([]any{1, unixMilli(now), unixMilli(now)}, connectionArgs(c)...)
		res, err := tx.ExecContext(ctx, q, args...)
		if isUniqueViolation(err) {
			return nameTaken(c.Name)
		}
		if err != nil {
			return fmt.Errorf("insert connection %q: %w", c.Name, err)
		}
		if c.ID, err = res.LastInsertId(); err != nil {
			return fmt.Errorf("insert connection %q: %w", c.Name, err)
		}
		c.Version, c.CreatedAt, c.UpdatedAt = 1, now, now
		return insertEvent(ctx, tx, &wif.Event{ConnectionID: c.ID, At: now, Kind: wif.EventCreated, Actor: actor,
			Fields: wif.Diff(wif.Connection{}, *c).Names()})
	})
}

func nameTaken(name string) error {
	return &wif.Error{Code: wif.EINVALID, Message: "That name is already used.",
		Fields: map[string]string{"name": fmt.Sprintf("A connection named %q already exists — choose another name or open the existing one.", name)}}
}

func isUniqueViolation(err error) bool {
	return err != nil && strings.Contains(err.Error(), "UNIQUE constraint failed")
}

// GetConnection returns the connection with the given ID, or an ENOTFOUND error.
func (s *DB) GetConnection(ctx context.Context, id int64) (*wif.Connection, error) {
	return s.getConnection(ctx, s.reads, `WHERE id = ?`, id, fmt.Sprintf("connection %d", id))
}

// GetConnectionByName returns the connection with the given name (case-insensitive).
func (s *DB) GetConnectionByName(ctx context.Context, name string) (*wif.Connection, error) {
	return s.getConnection(ctx, s.reads, `WHERE name = ?`, name, fmt.Sprintf("connection %q", name))
}

type querier interface {
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

func (s *DB) getConnection(ctx context.Context, q querier, where string, arg any, what string) (*wif.Connection, error) {
	c, err := scanConnection(q.QueryRowContext(ctx, selectConnection+` `+where, arg))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, wif.Errorf(wif.ENOTFOUND, "There is no %s.", what)
	}
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", what, err)
	}
	return c, nil
}

// UpdateConnection saves c if c.Version is still the stored version; otherwise it returns an
// ECONFLICT error and changes nothing, so two tabs never silently overwrite each other.
// On success c.Version is incremented and an "edited" event names every changed field.
func (s *DB) UpdateConnection(ctx context.Context, c *wif.Connection, actor string) error {
	now := s.now()
	return s.inTx(ctx, func(tx *sql.Tx) error {
		old, err := s.getConnection(ctx, tx, `WHERE id = ?`, c.ID, fmt.Sprintf("connection %d", c.ID))
		if err != nil {
			return err
		}
		if old.Version != c.Version {
			return wif.Errorf(wif.ECONFLICT, "Connection %q was changed elsewhere (now version %d, you edited version %d). Reload it to see the other change, then apply yours again.", old.Name, old.Version, c.Version)
		}
		changes := wif.Diff(*old, *c)
		if len(changes) == 0 && old.Step == c.Step {
			return nil
		}
		if err := updateRow(ctx, tx, c, now); err != nil {
			return err
		}
		c.Version, c.UpdatedAt = c.Version+1, now
		if len(changes) == 0 {
			return nil
		}
		return insertEvent(ctx, tx, &wif.Event{ConnectionID: c.ID, At: now, Kind: wif.EventEdited, Actor: actor,
			Detail: changes.String(), Fields: changes.Names()})
	})
}

func updateRow(ctx context.Context, tx *sql.Tx, c *wif.Connection, now time.Time) error {
	cols := strings.Split(connectionColumns, ",")
	for i := range cols {
		cols[i] = strings.TrimSpace(cols[i]) + " = ?"
	}
	q := `UPDATE connections SET version = version + 1, updated_at = ?, ` + strings.Join(cols, ", ") + ` WHERE id = ? AND version = ?`
	args := append([]any{unixMilli(now)}, connectionArgs(c)...)
	res, err := tx.ExecContext(ctx, q, append(args, c.ID, c.Version)...)
	if isUniqueViolation(err) {
		return nameTaken(c.Name)
	}
	if err != nil {
		return fmt.Errorf("update connection %q: %w", c.Name, err)
	}
	if n, _ := res.RowsAffected(); n != 1 {
		return wif.Errorf(wif.ECONFLICT, "Connection %q was changed elsewhere; reload it and apply your change again.", c.Name)
	}
	return nil
}

// DeleteConnection removes a connection with its runs and events.
func (s *DB) DeleteConnection(ctx context.Context, id int64) error {
	res, err := s.exec(ctx, fmt.Sprintf("delete connection %d", id), `DELETE FROM connections WHERE id = ?`, id)
	if err != nil {
		return err
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return wif.Errorf(wif.ENOTFOUND, "There is no connection %d.", id)
	}
	return nil
}
