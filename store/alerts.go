package store

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"github.com/wifwiz/wifwiz/wif"
)

// AddAlertWebhook stores a webhook set on the alerts page — its URL, or its reference and never
// the URL it gives; a URL or reference already stored is ECONFLICT.
func (s *DB) AddAlertWebhook(ctx context.Context, t *wif.AlertTarget) error {
	if (t.URL == "") == (t.Ref == "") {
		return fmt.Errorf("store webhook: give a URL or a reference, not both or neither")
	}
	res, err := s.exec(ctx, "store webhook", `INSERT INTO alert_webhooks (url, ref, format, added_by, created_at) VALUES (?, ?, ?, ?, ?)`,
		t.URL, t.Ref, t.Format, t.AddedBy, unixMilli(s.now()))
	if isUniqueViolation(err) {
		return wif.Errorf(wif.ECONFLICT, "This webhook is already on the list.")
	}
	if err != nil {
		return err
	}
	t.ID, err = res.LastInsertId()
	return err
}

// DeleteAlertWebhook removes a stored webhook; an unknown ID is ENOTFOUND.
func (s *DB) DeleteAlertWebhook(ctx context.Context, id int64) error {
	res, err := s.exec(ctx, fmt.Sprintf("delete webhook %d", id), `DELETE FROM alert_webhooks WHERE id = ?`, id)
	if err != nil {
		return err
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return wif.Errorf(wif.ENOTFOUND, "There is no webhook %d.", id)
	}
	return nil
}

// ListAlertWebhooks lists the stored webhooks, oldest first.
func (s *DB) ListAlertWebhooks(ctx context.Context) ([]wif.AlertTarget, error) {
	rows, err := s.reads.QueryContext(ctx, `SELECT id, url, ref, format, added_by FROM alert_webhooks ORDER BY id`)
	if err != nil {
		return nil, fmt.Errorf("list webhooks: %w", err)
	}
	defer rows.Close()
	var out []wif.AlertTarget
	for rows.Next() {
		var t wif.AlertTarget
		if err := rows.Scan(&t.ID, &t.URL, &t.Ref, &t.Format, &t.AddedBy); err != nil {
			return nil, fmt.Errorf("list webhooks: %w", err)
		}
		out = append(out, t)
	}
	return out, rows.Err()
}

// AddAlert records an alert for delivery.
func (s *DB) AddAlert(ctx context.Context, a *wif.Alert) error {
	var conn any
	if a.ConnectionID != 0 {
		conn = a.ConnectionID
	}
	res, err := s.exec(ctx, fmt.Sprintf("record %s alert", a.Kind),
		`INSERT INTO alerts (at, kind, connection_id, connection_name, run_id, payload_json) VALUES (?, ?, ?, ?, ?, ?)`,
		unixMilli(a.At), string(a.Kind), conn, a.ConnectionName, a.RunID, string(a.Payload))
	if err != nil {
		return err
	}
	a.ID, err = res.LastInsertId()
	return err
}

// GetAlert reads one alert; an unknown ID is ENOTFOUND.
func (s *DB) GetAlert(ctx context.Context, id int64) (*wif.Alert, error) {
	var a wif.Alert
	var at int64
	var kind, payload string
	var conn sql.NullInt64
	err := s.reads.QueryRowContext(ctx, `SELECT id, at, kind, connection_id, connection_name, run_id, payload_json FROM alerts WHERE id = ?`, id).
		Scan(&a.ID, &at, &kind, &conn, &a.ConnectionName, &a.RunID, &payload)
	if err == sql.ErrNoRows {
		return nil, wif.Errorf(wif.ENOTFOUND, "There is no alert %d.", id)
	}
	if err != nil {
		return nil, fmt.Errorf("read alert %d: %w", id, err)
	}
	a.At, a.Kind, a.ConnectionID, a.Payload = fromMilli(at), wif.AlertKind(kind), conn.Int64, []byte(payload)
	return &a, nil
}

// DispatchAlerts creates a pending delivery of every alert not yet dispatched to each target,
// due at now, and marks those alerts dispatched, in one transaction. It returns how many
// deliveries it created.
func (s *DB) DispatchAlerts(ctx context.Context, targets []wif.AlertTarget, at time.Time) (int, error) {
	now := unixMilli(at)
	n := 0
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		rows, err := tx.QueryContext(ctx, `SELECT id FROM alerts WHERE dispatched = 0 ORDER BY id`)
		if err != nil {
			return fmt.Errorf("read alerts to dispatch: %w", err)
		}
		var ids []int64
		for rows.Next() {
			var id int64
			if err := rows.Scan(&id); err != nil {
				rows.Close()
				return err
			}
			ids = append(ids, id)
		}
		rows.Close()
		for _, id := range ids {
			for _, t := range targets {
				res, err := tx.ExecContext(ctx, `INSERT OR IGNORE INTO alert_deliveries (alert_id, target, label, format, state, next_at, updated_at)
					VALUES (?, ?, ?, ?, ?, ?, ?)`, id, t.Key(), t.Label(), t.Format, wif.DeliveryPending, now, now)
				if err != nil {
					return fmt.Errorf("create delivery of alert %d: %w", id, err)
				}
				k, _ := res.RowsAffected()
				n += int(k)
			}
			if _, err := tx.ExecContext(ctx, `UPDATE alerts SET dispatched = 1 WHERE id = ?`, id); err != nil {
				return fmt.Errorf("mark alert %d dispatched: %w", id, err)
			}
		}
		return nil
	})
	return n, err
}

const selectDelivery = `SELECT d.id, d.alert_id, d.target, d.label, d.format, d.state, d.attempts, d.next_at, d.last_status,
	d.last_error, d.updated_at, a.kind, a.connection_name, a.at FROM alert_deliveries d JOIN alerts a ON a.id = d.alert_id`

func scanDelivery(row scanner) (wif.AlertDelivery, error) {
	var d wif.AlertDelivery
	var next, updated, at int64
	var kind string
	err := row.Scan(&d.ID, &d.AlertID, &d.Target, &d.Label, &d.Format, &d.State, &d.Attempts, &next, &d.LastStatus,
		&d.LastError, &updated, &kind, &d.ConnectionName, &at)
	d.NextAt, d.UpdatedAt, d.AlertKind, d.AlertAt = fromMilli(next), fromMilli(updated), wif.AlertKind(kind), fromMilli(at)
	return d, err
}

func (s *DB) deliveries(ctx context.Context, q string, args ...any) ([]wif.AlertDelivery, error) {
	rows, err := s.reads.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, fmt.Errorf("read deliveries: %w", err)
	}
	defer rows.Close()
	var out []wif.AlertDelivery
	for rows.Next() {
		d, err := scanDelivery(rows)
		if err != nil {
			return nil, fmt.Errorf("read deliveries: %w", err)
		}
		out = append(out, d)
	}
	return out, rows.Err()
}

// DueDeliveries are the pending deliveries due at or before now, oldest first, at most limit.
func (s *DB) DueDeliveries(ctx context.Context, now time.Time, limit int) ([]wif.AlertDelivery, error) {
	return s.deliveries(ctx, selectDelivery+` WHERE d.state = ? AND d.next_at <= ? ORDER BY d.next_at, d.id LIMIT ?`,
		wif.DeliveryPending, unixMilli(now), limit)
}

// NextDeliveryAt is when the earliest pending delivery is due; zero when none is pending.
func (s *DB) NextDeliveryAt(ctx context.Context) (time.Time, error) {
	var next sql.NullInt64
	err := s.reads.QueryRowContext(ctx, `SELECT MIN(next_at) FROM alert_deliveries WHERE state = ?`, wif.DeliveryPending).Scan(&next)
	if err != nil || !next.Valid {
		return time.Time{}, err
	}
	return fromMilli(next.Int64), nil
}

// RecentDeliveries are the newest deliveries, newest first, at most limit.
func (s *DB) RecentDeliveries(ctx context.Context, limit int) ([]wif.AlertDelivery, error) {
	return s.deliveries(ctx, selectDelivery+` ORDER BY d.id DESC LIMIT ?`, limit)
}

// UpdateDelivery records an attempt's outcome: its state, attempts, next due time, status and error.
func (s *DB) UpdateDelivery(ctx context.Context, d wif.AlertDelivery) error {
	_, err := s.exec(ctx, fmt.Sprintf("record delivery %d", d.ID),
		`UPDATE alert_deliveries SET state = ?, attempts = ?, next_at = ?, last_status = ?, last_error = ?, updated_at = ? WHERE id = ?`,
		d.State, d.Attempts, unixMilli(d.NextAt), d.LastStatus, d.LastError, unixMilli(s.now()), d.ID)
	return err
}

// CountDeliveries counts deliveries by state.
func (s *DB) CountDeliveries(ctx context.Context) (map[string]int, error) {
	rows, err := s.reads.QueryContext(ctx, `SELECT state, COUNT(*) FROM alert_deliveries GROUP BY state`)
	if err != nil {
		return nil, fmt.Errorf("count deliveries: %w", err)
	}
	defer rows.Close()
	out := map[string]int{}
	for rows.Next() {
		var st string
		var n int
		if err := rows.Scan(&st, &n); err != nil {
			return nil, fmt.Errorf("count deliveries: %w", err)
		}
		out[st] = n
	}
	return out, rows.Err()
}
