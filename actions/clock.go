package actions

import (
	"context"
	"time"

	"github.com/jonboulle/clockwork"
)

// Clock is the time source of the scheduled audits and the alert deliveries; tests give a fake
// one (clockwork.NewFakeClock) so that nothing waits on wall time.
type Clock = clockwork.Clock

// sleepUntil waits on c until at, or until wake; false when ctx ended first. The timer is
// stopped on every way out, so a fake clock counts only the waits still pending.
func sleepUntil(ctx context.Context, c Clock, at time.Time, wake <-chan struct{}) bool {
	if ctx.Err() != nil {
		return false
	}
	d := at.Sub(c.Now())
	if d <= 0 {
		return true
	}
	t := c.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return false
	case <-wake:
		return true
	case <-t.Chan():
		return ctx.Err() == nil
	}
}
