package actions

import (
	"context"
	"fmt"

	"github.com/wifwiz/wifwiz/verify"
	"github.com/wifwiz/wifwiz/wif"
)

// CheckRequest is one verification from the command line, optionally saved.
type CheckRequest struct {
	Connection wif.Connection // built from the flags, over a stored connection when one was named
	Secret     string         // empty: the connection's secret reference
	RequireIDs bool
	Exchange   bool
	// SaveAs stores the connection under this name (creating or updating it) and records the
	// run. Target is the stored connection of that name, nil when the name is new.
	SaveAs      string
	Target      *wif.Connection
	Force       bool // save over a stored connection even when the check fails
	Credentials Credentials
	Actor       string
}

// Checked is the outcome of Check.
type Checked struct {
	Report   verify.Report
	Saved    bool   // the connection and the run were stored
	NotSaved string // why --save stored nothing, when it did not
}

// PrepareSave turns a checked connection into the one --save would store, and validates it
// exactly as the wizard validates each value; the field errors say what to change.
func PrepareSave(c wif.Connection, name string) (wif.Connection, wif.FieldErrors) {
	c.Name = name
	wif.FillAuthentikFromIssuer(&c)
	return c, wif.ValidateRecorded(c)
}

// Check verifies a connection given on the command line and, with SaveAs, stores it and its
// run. A failing check never overwrites a stored connection's settings unless Force.
func (s *Service) Check(ctx context.Context, r CheckRequest) (Checked, error) {
	conn := r.Connection
	if r.SaveAs != "" {
		var fe wif.FieldErrors
		if conn, fe = PrepareSave(conn, r.SaveAs); len(fe) > 0 {
			return Checked{}, &wif.Error{Code: wif.EINVALID, Message: fe.Err().Error(), Fields: fe}
		}
	}
	secret := r.Secret
	if secret == "" {
		var err error
		if secret, err = s.storedSecret(conn); err != nil {
			return Checked{}, err
		}
	}
	creds, err := s.credentials(conn, r.Credentials)
	if err != nil {
		return Checked{}, err
	}
	ctx, cancel := context.WithTimeout(ctx, VerifyTimeout)
	defer cancel()
	rep, err := probe(ctx, s.verifier.Verify, wif.ProbeRequest{Connection: conn, Secret: secret, RequireIDs: r.RequireIDs,
		Exchange: r.Exchange, ConsoleToken: creds.ConsoleToken, AuthentikToken: creds.AuthentikToken})
	if err != nil {
		return Checked{}, &wif.Error{Code: wif.EINVALID, Message: "cannot verify: " + err.Error()}
	}
	out := Checked{Report: rep}
	if r.SaveAs == "" {
		return out, nil
	}
	if !rep.OK && r.Target != nil && !r.Force {
		out.NotSaved = fmt.Sprintf("the check failed, so the stored settings of %q were kept (give --force to save over them)", r.SaveAs)
		return out, nil
	}
	if err := s.saveChecked(ctx, conn, r.Target, rep, r.Actor); err != nil {
		return out, err
	}
	out.Saved = true
	return out, nil
}

func (s *Service) saveChecked(ctx context.Context, conn wif.Connection, target *wif.Connection, rep verify.Report, actor string) error {
	var none wif.Connection
	if _, fe := s.bindRefs(&none, &conn, false); len(fe) > 0 {
		return fe.Err()
	}
	// Both sides are recorded: the wizard has nothing left to ask (the pages offer verifying,
	// exports and the hand-off by it).
	conn.Step = StepCount
	if target == nil {
		conn.ID, conn.Version = 0, 0
		if err := s.store.CreateConnection(ctx, &conn, actor); err != nil {
			return fmt.Errorf("save connection %q: %w", conn.Name, err)
		}
	} else {
		conn.ID, conn.Version, conn.Demo, conn.CreatedAt = target.ID, target.Version, target.Demo, target.CreatedAt
		if err := s.store.UpdateConnection(ctx, &conn, actor); err != nil {
			return fmt.Errorf("save connection %q: %w", conn.Name, err)
		}
	}
	if _, err := s.RecordRun(ctx, conn, rep, wif.TriggerCLI, actor); err != nil {
		return fmt.Errorf("record the run of %q: %w", conn.Name, err)
	}
	return nil
}
