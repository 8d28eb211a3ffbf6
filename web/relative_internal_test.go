package web

import (
	"testing"
	"time"

	"github.com/wifwiz/wifwiz/actions"
)

func TestRelativeIsSingularForOne(t *testing.T) {
	for d, want := range map[time.Duration]string{
		-time.Second:            "1 second ago",
		-300 * time.Millisecond: "just now",
		0:                       "just now",
		-2 * time.Second:        "2 seconds ago",
		time.Minute:             "in 1 minute",
		-90 * time.Minute:       "90 minutes ago",
		3 * time.Hour:           "in 3 hours",
		-49 * time.Hour:         "2 days ago",
		-24 * 3 * time.Hour:     "3 days ago",
	} {
		if got := relative(d); got != want {
			t.Errorf("relative(%s) = %q, want %q", d, got, want)
		}
	}
}

func TestDurationWords(t *testing.T) {
	for d, want := range map[time.Duration]string{
		time.Hour:        "1 hour",
		12 * time.Hour:   "12 hours",
		time.Minute:      "1 minute",
		30 * time.Minute: "30 minutes",
		90 * time.Minute: "90 minutes",
		90 * time.Second: "1m30s",
	} {
		if got := actions.DurationWords(d); got != want {
			t.Errorf("DurationWords(%s) = %q, want %q", d, got, want)
		}
	}
}
