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

// Refresher keeps Out holding a valid token from Source. Zero fields take the defaults.
type Refresher struct {
	Source          Source
	Out             string  // token file path
	Clock           Clock   // nil: the system clock
	RefreshAt       float64 // share of the lifetime after which to refresh, in (0, 1]; 0: 0.5
	MinBeforeExpiry time.Duration
	Backoff         Backoff
	Logger          *slog.Logger // nil: discard
}

// Once fetches one token and writes it. The file is untouched when that fails.
func (r *Refresher) Once(ctx context.Context) error {
	if err := r.check(); err != nil {
		return err
	}
	_, err := r.refresh(ctx)
	if err != nil {
		r.logger().Warn("identity token refresh failed", "path", r.Out, "error", err.Error(), "on_disk", r.onDisk())
	}
	return err
}

// Run keeps the file fresh until ctx is done, then returns nil. It returns an error only for a
// misconfigured Refresher. A valid token already on disk is kept until its own refresh time;
// a failed refresh leaves the file as it is and is retried with backoff.
func (r *Refresher) Run(ctx context.Context) error {
	if err := r.check(); err != nil {
		return err
	}
	next := r.startTime()
	for failures := 0; ; {
		if !r.sleepUntil(ctx, next) {
			return nil
		}
		tok, err := r.refresh(ctx)
		if ctx.Err() != nil {
			return nil
		}
		if err == nil {
			failures, next = 0, r.next(tok)
			r.logger().Info("next identity token refresh", "path", r.Out, "at", stamp(next))
			continue
		}
		failures++
		next = r.now().Add(r.Backoff.Delay(failures))
		r.logger().Warn("identity token refresh failed", "path", r.Out, "error", err.Error(),
			"attempt", failures, "retry_at", stamp(next), "on_disk", r.onDisk())
	}
}

func (r *Refresher) check() error {
	switch {
	case r.Source == nil:
		return errors.New("refresher: no token source")
	case r.Out == "":
		return errors.New("refresher: no output file")
	case r.RefreshAt < 0 || r.RefreshAt > 1:
		return fmt.Errorf("refresher: refresh point %.2f must be a share of the lifetime between 0 and 1", r.RefreshAt)
	case r.MinBeforeExpiry < 0:
		return errors.New("refresher: the margin before expiry cannot be negative")
	}
	return nil
}

// startTime schedules from a token already on disk when it is still valid, otherwise now.
func (r *Refresher) startTime() time.Time {
	now := r.now()
	tok, err := ReadTokenFile(r.Out)
	if err != nil || !tok.Expiry.After(now) {
		return now
	}
	next := r.next(tok)
	r.logger().Info("valid identity token already on disk", "path", r.Out,
		"expires", stamp(tok.Expiry), "next_refresh", stamp(next))
	return next
}

func (r *Refresher) refresh(ctx context.Context) (Token, error) {
	tok, err := r.Source.Fetch(ctx)
	if err != nil {
		return Token{}, fmt.Errorf("fetching identity token: %w", err)
	}
	now := r.now()
	if tok, err = acceptable(tok, now); err != nil {
		return Token{}, err
	}
	if err := WriteFile(r.Out, []byte(tok.Raw+"\n")); err != nil {
		return Token{}, err
	}
	r.logger().Info("identity token refreshed", "path", r.Out, "expires", stamp(tok.Expiry),
		"lifetime", tok.Expiry.Sub(tok.IssuedAt).Round(time.Second).String())
	return tok, nil
}

// acceptable refuses what must never replace the file: an empty, oversized, malformed or
// already expired token. An unknown issue time becomes now.
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
	return t, nil
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

func (r *Refresher) next(t Token) time.Time {
	share, margin := r.RefreshAt, r.MinBeforeExpiry
	if share == 0 {
		share = DefaultRefreshAt
	}
	if margin == 0 {
		margin = DefaultMinBeforeExpiry
	}
	return NextRefresh(t, r.now(), share, margin)
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
