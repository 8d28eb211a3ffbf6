package actions

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/wifwiz/wifwiz/verify"
	"github.com/wifwiz/wifwiz/wif"
)

// VerifyTimeout bounds one live verification started from a page or the command line (each
// outbound request has its own, shorter, timeout).
const VerifyTimeout = 45 * time.Second

// VerifyRequest is one verification to run and record.
type VerifyRequest struct {
	Connection wif.Connection
	Secret     string // the client secret for this run only; empty: see UseStoredSecret
	// UseStoredSecret resolves the connection's secret reference when Secret is empty.
	UseStoredSecret bool
	Exchange        bool
	RequireIDs      bool
	Credentials     Credentials // typed for this run; empty ones come from the connection's references
	Trigger         wif.Trigger // empty: wizard
	Actor           string
	Progress        func(wif.ProbeStep) // optional
}

// Verified is a recorded verification.
type Verified struct {
	Run    *wif.Run
	Report verify.Report
}

// VerifyAndRecord runs one verification with its own deadline and stores it as a run of the
// connection, with its drift from the last passing run. A connection that cannot be verified as
// recorded (an unreadable CA, a malformed validity, no secret) is an EINVALID error.
func (s *Service) VerifyAndRecord(ctx context.Context, r VerifyRequest) (*Verified, error) {
	if r.Secret == "" && r.UseStoredSecret {
		secret, err := s.storedSecret(r.Connection)
		if err != nil {
			return nil, err
		}
		r.Secret = secret
	}
	creds, err := s.credentials(r.Connection, r.Credentials)
	if err != nil {
		return nil, err
	}
	ctx, cancel := context.WithTimeout(ctx, VerifyTimeout)
	defer cancel()
	rep, err := probe(ctx, s.verifier.Verify, wif.ProbeRequest{Connection: r.Connection, Secret: r.Secret,
		RequireIDs: r.RequireIDs, Exchange: r.Exchange, Progress: r.Progress,
		ConsoleToken: creds.ConsoleToken, AuthentikToken: creds.AuthentikToken})
	if err != nil {
		return nil, &wif.Error{Code: wif.EINVALID, Message: "This connection cannot be verified as recorded: " + err.Error()}
	}
	if r.Trigger == "" {
		r.Trigger = wizardTrigger(r.Connection)
	}
	run, err := s.RecordRun(ctx, r.Connection, rep, r.Trigger, r.Actor)
	if err != nil {
		return nil, err
	}
	return &Verified{Run: run, Report: rep}, nil
}

// wizardTrigger tells a sample token requested before the Console settings exist from a
// verification of both sides.
func wizardTrigger(c wif.Connection) wif.Trigger {
	if c.Step < StepConsole {
		return wif.TriggerSample
	}
	return wif.TriggerWizard
}

// RecordRun stores a report as a run of conn, with its drift from the last passing run, and
// records an alert when the run changes the connection's state (see alertFor). Runs are recorded
// one at a time, so that each change is seen once.
func (s *Service) RecordRun(ctx context.Context, conn wif.Connection, rep verify.Report, trigger wif.Trigger, actor string) (*wif.Run, error) {
	s.watch.record.Lock()
	defer s.watch.record.Unlock()
	prev, err := s.store.ListRunSummaries(ctx, conn.ID, 1)
	if err != nil {
		return nil, fmt.Errorf("read the last run of %q: %w", conn.Name, err)
	}
	run, err := s.recordRun(ctx, conn, rep, trigger, actor)
	if err != nil {
		return nil, err
	}
	// A sample token's run, before the Console settings exist, judges only authentik's side: it
	// is no state of the connection to alert on.
	if len(prev) > 0 && prev[0].Trigger != wif.TriggerSample && trigger != wif.TriggerSample {
		if err := s.alertOnChange(ctx, conn, prev[0], *run, rep); err != nil {
			return run, err
		}
	}
	return run, nil
}

func (s *Service) recordRun(ctx context.Context, conn wif.Connection, rep verify.Report, trigger wif.Trigger, actor string) (*wif.Run, error) {
	body, err := json.Marshal(rep)
	if err != nil {
		return nil, fmt.Errorf("encode report: %w", err)
	}
	run := &wif.Run{ConnectionID: conn.ID, At: rep.StartedAt, Trigger: trigger, OK: rep.OK,
		Summary: SummaryText(rep.Summary), ReportJSON: body}
	if rep.Token != nil {
		run.TokenFingerprint = rep.Token.SHA256
	}
	last, err := s.store.LastPassingRun(ctx, conn.ID)
	if err != nil {
		return nil, fmt.Errorf("read the last passing run of %q: %w", conn.Name, err)
	}
	if last != nil {
		prev, err := DecodeReport(*last)
		if err != nil {
			return nil, err
		}
		run.Drift = verify.Drift(prev, rep)
	}
	if err := s.store.AddRun(ctx, run, actor); err != nil {
		return nil, err
	}
	return run, nil
}

// SummaryText reads like "16 pass, 1 warn, 1 fail, 2 skip".
func SummaryText(s verify.Summary) string {
	return fmt.Sprintf("%d pass, %d warn, %d fail, %d skip", s.Pass, s.Warn, s.Fail, s.Skip)
}
