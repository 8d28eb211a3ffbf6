package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"

	"github.com/wifwiz/wifwiz/wif"
)

// CreateAuditJob records a new audit as running.
func (s *DB) CreateAuditJob(ctx context.Context, j *wif.AuditJob) error {
	_, err := s.exec(ctx, "record audit "+j.ID, `INSERT INTO audit_jobs (id, started_at, state, trigger, actor, total) VALUES (?, ?, ?, ?, ?, ?)`,
		j.ID, unixMilli(j.StartedAt), j.State, string(j.Trigger), j.Actor, j.Total)
	return err
}

// AddAuditResult appends one connection's result to a running audit.
func (s *DB) AddAuditResult(ctx context.Context, jobID string, r wif.AuditResult) error {
	drift, err := json.Marshal(nonNilDrift(r.Drift))
	if err != nil {
		return fmt.Errorf("encode drift: %w", err)
	}
	_, err = s.exec(ctx, fmt.Sprintf("record the result of %q in audit %s", r.ConnectionName, jobID),
		`INSERT INTO audit_results (job_id, seq, connection_id, connection_name, status, run_id, summary, reason, drift_json)
		VALUES (?, (SELECT COUNT(*) FROM audit_results WHERE job_id = ?), ?, ?, ?, ?, ?, ?, ?)`,
		jobID, jobID, r.ConnectionID, r.ConnectionName, string(r.Status), r.RunID, r.Summary, r.Reason, string(drift))
	return err
}

// FinishAuditJob sets a running audit's final state.
func (s *DB) FinishAuditJob(ctx context.Context, jobID, state string) error {
	_, err := s.exec(ctx, "finish audit "+jobID, `UPDATE audit_jobs SET state = ?, finished_at = ? WHERE id = ?`, state, unixMilli(s.now()), jobID)
	return err
}

// InterruptRunningAuditJobs marks every audit still recorded as running as interrupted: called at
// start, when no audit of this process can be running. It returns how many there were.
func (s *DB) InterruptRunningAuditJobs(ctx context.Context) (int, error) {
	res, err := s.exec(ctx, "mark unfinished audits as interrupted", `UPDATE audit_jobs SET state = ?, finished_at = ? WHERE state = ?`,
		wif.AuditInterrupted, unixMilli(s.now()), wif.AuditRunning)
	if err != nil {
		return 0, err
	}
	n, _ := res.RowsAffected()
	return int(n), nil
}

// GetAuditJob reads an audit with its results; an unknown ID is ENOTFOUND.
func (s *DB) GetAuditJob(ctx context.Context, id string) (*wif.AuditJob, error) {
	return s.auditJob(ctx, `WHERE id = ?`, id)
}

// LatestAuditJob is the newest audit, nil when there was none.
func (s *DB) LatestAuditJob(ctx context.Context) (*wif.AuditJob, error) {
	j, err := s.auditJob(ctx, `ORDER BY started_at DESC, rowid DESC LIMIT 1`)
	if wif.ErrorCode(err) == wif.ENOTFOUND {
		return nil, nil
	}
	return j, err
}

func (s *DB) auditJob(ctx context.Context, where string, args ...any) (*wif.AuditJob, error) {
	var j wif.AuditJob
	var started, finished int64
	var trigger string
	err := s.reads.QueryRowContext(ctx, `SELECT id, started_at, finished_at, state, trigger, actor, total FROM audit_jobs `+where, args...).
		Scan(&j.ID, &started, &finished, &j.State, &trigger, &j.Actor, &j.Total)
	if err == sql.ErrNoRows {
		return nil, wif.Errorf(wif.ENOTFOUND, "There is no such audit; it may have been started by an earlier wifwiz database.")
	}
	if err != nil {
		return nil, fmt.Errorf("read audit: %w", err)
	}
	j.StartedAt, j.Trigger = fromMilli(started), wif.Trigger(trigger)
	if finished != 0 {
		j.FinishedAt = fromMilli(finished)
	}
	if j.Results, err = s.auditResults(ctx, j.ID); err != nil {
		return nil, err
	}
	return &j, nil
}

func (s *DB) auditResults(ctx context.Context, jobID string) ([]wif.AuditResult, error) {
	rows, err := s.reads.QueryContext(ctx, `SELECT connection_id, connection_name, status, run_id, summary, reason, drift_json
		FROM audit_results WHERE job_id = ? ORDER BY seq`, jobID)
	if err != nil {
		return nil, fmt.Errorf("read the results of audit %s: %w", jobID, err)
	}
	defer rows.Close()
	var out []wif.AuditResult
	for rows.Next() {
		var r wif.AuditResult
		var status, drift string
		if err := rows.Scan(&r.ConnectionID, &r.ConnectionName, &status, &r.RunID, &r.Summary, &r.Reason, &drift); err != nil {
			return nil, fmt.Errorf("read the results of audit %s: %w", jobID, err)
		}
		r.Status = wif.AuditStatus(status)
		if err := json.Unmarshal([]byte(drift), &r.Drift); err != nil {
			return nil, fmt.Errorf("decode drift in audit %s: %w", jobID, err)
		}
		out = append(out, r)
	}
	return out, rows.Err()
}

func nonNilDrift(d []wif.Drift) []wif.Drift {
	if d == nil {
		return []wif.Drift{}
	}
	return d
}
