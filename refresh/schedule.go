package refresh

import (
	"math/rand/v2"
	"time"
)

// Defaults of the refresh schedule.
const (
	DefaultRefreshAt       = 0.5             // share of the token's lifetime
	DefaultMinBeforeExpiry = 2 * time.Minute // the SDKs refresh their access token 120 s before expiry (anthropic.md)
	DefaultBackoffInitial  = time.Second
	DefaultBackoffMax      = 5 * time.Minute
)

// NextRefresh is when a token should be replaced: the earlier of issuedAt + share × lifetime and
// expiry − minBefore, never before now.
//
// expiry − minBefore counts only while it is still ahead of now: for a token whose whole
// lifetime is shorter than minBefore it would otherwise ask for a refresh at once, forever.
func NextRefresh(t Token, now time.Time, share float64, minBefore time.Duration) time.Time {
	issued := t.IssuedAt
	if issued.IsZero() || issued.After(now) {
		issued = now
	}
	at := issued.Add(time.Duration(share * float64(t.Expiry.Sub(issued))))
	if late := t.Expiry.Add(-minBefore); late.After(now) && late.Before(at) {
		at = late
	}
	if at.Before(now) {
		return now
	}
	return at
}

// Backoff spaces retries after failed refreshes: exponential from Initial, capped at Max, each
// delay jittered to between half and all of it so that many sidecars do not retry in step.
type Backoff struct {
	Initial time.Duration
	Max     time.Duration
	Rand    func() float64 // in [0, 1); nil: math/rand/v2
}

// Delay is the wait before retry number attempt (1 for the first retry).
func (b Backoff) Delay(attempt int) time.Duration {
	initial, ceiling, random := b.Initial, b.Max, b.Rand
	if initial <= 0 {
		initial = DefaultBackoffInitial
	}
	if ceiling <= 0 {
		ceiling = DefaultBackoffMax
	}
	if random == nil {
		random = rand.Float64
	}
	d := initial
	for i := 1; i < attempt && d < ceiling; i++ {
		d *= 2
	}
	d = min(d, ceiling)
	return d/2 + time.Duration(random()*float64(d/2))
}
