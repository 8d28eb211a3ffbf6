package probe

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/wifwiz/wifwiz/verify"
	"github.com/wifwiz/wifwiz/wif"
)

// RunStore is what Record needs from persistence.
type RunStore interface {
	LastPassingRun(ctx context.Context, connectionID int64) (*wif.Run, error)
	AddRun(ctx context.Context, r *wif.Run, actor string) error
}

// Record stores a report as a run of conn, with its drift from the last passing run.
func Record(ctx context.Context, st RunStore, conn wif.Connection, rep verify.Report, trigger wif.Trigger, actor string) (*wif.Run, error) {
	body, err := json.Marshal(rep)
	if err != nil {
		return nil, fmt.Errorf("encode report: %w", err)
	}
	run := &wif.Run{ConnectionID: conn.ID, At: rep.StartedAt, Trigger: trigger, OK: rep.OK,
		Summary: SummaryText(rep.Summary), ReportJSON: body}
	if rep.Token != nil {
		run.TokenFingerprint = rep.Token.SHA256
	}
	last, err := st.LastPassingRun(ctx, conn.ID)
	if err != nil {
		return nil, fmt.Errorf("read the last passing run of %q: %w", conn.Name, err)
	}
	if last != nil {
		var prev verify.Report
		if err := json.Unmarshal(last.ReportJSON, &prev); err != nil {
			return nil, fmt.Errorf("decode run %d of %q: %w", last.ID, conn.Name, err)
		}
		run.Drift = Drift(prev, rep)
	}
	if err := st.AddRun(ctx, run, actor); err != nil {
		return nil, err
	}
	return run, nil
}

// SummaryText reads like "16 pass, 1 warn, 1 fail, 2 skip".
func SummaryText(s verify.Summary) string {
	return fmt.Sprintf("%d pass, %d warn, %d fail, %d skip", s.Pass, s.Warn, s.Fail, s.Skip)
}

// DecodeReport reads a stored run's report.
func DecodeReport(run wif.Run) (verify.Report, error) {
	var rep verify.Report
	if err := json.Unmarshal(run.ReportJSON, &rep); err != nil {
		return rep, fmt.Errorf("decode report of run %d: %w", run.ID, err)
	}
	return rep, nil
}
