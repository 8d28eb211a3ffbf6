package refresh

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"time"
	"unicode"

	"github.com/wifwiz/wifwiz/wif"
)

// Refresher keeps Out holding a valid token from Source, rewritten as often as Policy says.
// Zero fields take the defaults.
type Refresher struct {
	Source  Source
	Out     string // token file path
	Clock   Clock  // nil: the system clock
	Policy  Policy
	Force   bool // run even when Policy cannot keep every exchange possible (then logged as an error)
	Backoff Backoff
	Logger  *slog.Logger // nil: discard
	// Observe, when set, hears of every refresh attempt as it ends (for metrics).
	Observe func(Attempt)
}

// Attempt is one refresh as the refresher saw it.
type Attempt struct {
	At       time.Time
	OK       bool
	Expiry   time.Time // the written token's exp; zero when the attempt failed
	Next     time.Time // when the next refresh is due
	Failures int       // consecutive failures, this one included; 0 after a success
}

func (r *Refresher) observe(a Attempt) {
	if r.Observe != nil {
		r.Observe(a)
	}
}

// Once fetches one token and writes it. The file is untouched when that fails, and when the
// token's schedule cannot keep every exchange possible (a *ScheduleError) unless Force.
func (r *Refresher) Once(ctx context.Context) error {
	if err := r.check(); err != nil {
		return err
	}
	_, err := r.refresh(ctx, !r.Force)
	if err != nil && !isSchedule(err) {
		r.logger().Warn("identity token refresh failed", "path", r.Out, "error", err.Error(), "on_disk", r.onDisk())
	}
	return err
}

// Run keeps the file fresh until ctx is done, then returns nil. It returns an error for a
// misconfigured Refresher, and a *ScheduleError when the first token's schedule cannot keep
// every exchange possible (unless Force). A valid token already on disk is kept until its own
// refresh time; a failed refresh leaves the file as it is and is retried with backoff.
func (r *Refresher) Run(ctx context.Context) error {
	if err := r.check(); err != nil {
		return err
	}
	next, strict := r.startTime(), !r.Force
	for failures := 0; ; {
		if !r.sleepUntil(ctx, next) {
			return nil
		}
		at, err := r.refresh(ctx, strict)
		switch {
		case ctx.Err() != nil:
			return nil
		case err == nil:
			failures, next, strict = 0, at, false
			continue
		case strict && isSchedule(err):
			return err
		}
		failures++
		next = r.now().Add(r.Backoff.Delay(failures))
		r.observe(Attempt{At: r.now(), Next: next, Failures: failures})
		r.logger().Warn("identity token refresh failed", "path", r.Out, "error", err.Error(),
			"attempt", failures, "retry_at", stamp(next), "on_disk", r.onDisk())
	}
}

func isSchedule(err error) bool {
	var se *ScheduleError
	return errors.As(err, &se)
}

func (r *Refresher) check() error {
	switch {
	case r.Source == nil:
		return errors.New("refresher: no token source")
	case r.Out == "":
		return errors.New("refresher: no output file")
	}
	if err := r.Policy.Validate(); err != nil {
		return fmt.Errorf("refresher: %w", err)
	}
	if err := r.Policy.CheckRule(); err != nil && !r.Force {
		return err
	}
	return nil
}

// startTime schedules from a token already on disk when it is still valid, counting from its
// iat (the earliest it can have been written), otherwise now.
func (r *Refresher) startTime() time.Time {
	now := r.now()
	tok, err := ReadTokenFile(r.Out)
	if err != nil || !tok.Expiry.After(now) || tok.IssuedAt.IsZero() {
		return now
	}
	next, _, err := r.Policy.Next(tok, minTime(tok.IssuedAt, now), now)
	if err != nil {
		return now
	}
	r.logger().Info("valid identity token already on disk", "path", r.Out,
		"expires", stamp(tok.Expiry), "next_refresh", stamp(next))
	return next
}

// refresh fetches a token and writes it, and says when to replace it. When strict, a token
// whose schedule cannot keep every exchange possible is not written.
func (r *Refresher) refresh(ctx context.Context, strict bool) (time.Time, error) {
	tok, err := r.Source.Fetch(ctx)
	if err != nil {
		return time.Time{}, fmt.Errorf("fetching identity token: %w", err)
	}
	now := r.now()
	if tok, err = acceptable(tok, now); err != nil {
		return time.Time{}, err
	}
	next, plan, planErr := r.Policy.Next(tok, now, now)
	if planErr != nil && strict {
		return time.Time{}, planErr
	}
	if err := WriteFile(r.Out, []byte(tok.Raw+"\n")); err != nil {
		return time.Time{}, err
	}
	r.logger().Info("identity token refreshed", "path", r.Out, "expires", stamp(tok.Expiry),
		"lifetime", tok.Expiry.Sub(tok.IssuedAt).Round(time.Second).String(), "next_refresh", stamp(next),
		"interval", plan.Interval.Round(time.Second).String(), "bound", plan.Bound,
		"minted", plan.Minted.Round(time.Second).String())
	if planErr != nil {
		r.logger().Error("this schedule cannot keep every exchange possible (forced)", "path", r.Out, "problem", planErr.Error())
	}
	r.observe(Attempt{At: now, OK: true, Expiry: tok.Expiry, Next: next})
	return next, nil
}

// acceptable refuses what must never replace the file: an empty, oversized, malformed or
// already expired token, and one whose exp/iat Anthropic would refuse. An unknown issue time
// becomes now.
func acceptable(t Token, now time.Time) (Token, error) {
	t.Raw = strings.TrimSpace(t.Raw)
	switch {
	case t.Raw == "":
		return t, errors.New("the source returned an empty token")
	case len(t.Raw) > wif.MaxTokenBytes:
		return t, fmt.Errorf("the source returned a %d-byte token; Anthropic accepts at most %d", len(t.Raw), wif.MaxTokenBytes)
	case strings.ContainsFunc(t.Raw, unicode.IsSpace):
		return t, errors.New("the source returned a token containing whitespace")
	case t.Expiry.IsZero():
		return t, errors.New("the source returned a token without expiry")
	case !t.Expiry.After(now):
		return t, fmt.Errorf("the source returned a token that expired at %s", stamp(t.Expiry))
	}
	if t.IssuedAt.IsZero() {
		t.IssuedAt = now
	}
	return t, checkTimes(t, now)
}

// checkTimes refuses an iat Anthropic would call in the future, and a lifetime it never accepts.
func checkTimes(t Token, now time.Time) error {
	life := t.Expiry.Sub(t.IssuedAt)
	switch {
	case t.IssuedAt.After(now.Add(wif.Leeway)):
		return fmt.Errorf("the source returned a token issued at %s, %d s ahead of this host's clock: Anthropic "+
			"refuses tokens issued in the future (%d s leeway); check the clocks of authentik and this host",
			stamp(t.IssuedAt), secs(t.IssuedAt.Sub(now)), secs(wif.Leeway))
	case life <= 0:
		return fmt.Errorf("the source returned a token whose exp (%s) is not after its iat (%s)", stamp(t.Expiry), stamp(t.IssuedAt))
	case life > wif.MaxMaxIdentityTokenLifetime:
		return fmt.Errorf("the source returned a token valid for %d s (exp − iat); Anthropic accepts at most %d s: "+
			"lower authentik's Access token validity", secs(life), secs(wif.MaxMaxIdentityTokenLifetime))
	}
	return nil
}

func minTime(a, b time.Time) time.Time {
	if a.Before(b) {
		return a
	}
	return b
}

func (r *Refresher) sleepUntil(ctx context.Context, at time.Time) bool {
	if ctx.Err() != nil {
		return false
	}
	d := at.Sub(r.now())
	if d <= 0 {
		return true
	}
	select {
	case <-ctx.Done():
		return false
	case <-r.clock().After(d):
		return ctx.Err() == nil
	}
}

// onDisk describes the file's token for a log line, without the token.
func (r *Refresher) onDisk() string {
	tok, err := ReadTokenFile(r.Out)
	switch {
	case err != nil:
		return "no readable token"
	case tok.Expiry.After(r.now()):
		return "valid until " + stamp(tok.Expiry)
	}
	return "expired at " + stamp(tok.Expiry)
}

func (r *Refresher) clock() Clock {
	if r.Clock == nil {
		return systemClock{}
	}
	return r.Clock
}

func (r *Refresher) now() time.Time { return r.clock().Now() }

func (r *Refresher) logger() *slog.Logger {
	if r.Logger == nil {
		return slog.New(slog.DiscardHandler)
	}
	return r.Logger
}

func stamp(t time.Time) string { return t.UTC().Format(time.RFC3339) }
