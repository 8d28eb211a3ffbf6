package emulator

import (
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"
)

var timedeltaUnits = map[string]time.Duration{
	"microseconds": time.Microsecond, "milliseconds": time.Millisecond, "seconds": time.Second,
	"minutes": time.Minute, "hours": time.Hour, "days": 24 * time.Hour, "weeks": 7 * 24 * time.Hour,
}

// parseTimedelta reads a validity as authentik does: key=value pairs joined with ';', keys
// compared without case, unknown keys skipped, at least one known key, fractional values allowed.
func parseTimedelta(s string) (time.Duration, error) {
	var (
		total float64
		known int
	)
	for _, pair := range strings.Split(s, ";") {
		key, value, ok := strings.Cut(pair, "=")
		if !ok || strings.Contains(value, "=") {
			return 0, fmt.Errorf("%q is not a key=value pair", pair)
		}
		unit, isKnown := timedeltaUnits[strings.ToLower(key)]
		if !isKnown {
			continue
		}
		f, err := strconv.ParseFloat(strings.TrimSpace(value), 64)
		if err != nil || math.IsNaN(f) || math.IsInf(f, 0) {
			return 0, fmt.Errorf("%q is not a number", value)
		}
		total += f * float64(unit)
		known++
	}
	if known == 0 {
		return 0, errors.New("no valid keys")
	}
	return time.Duration(total), nil
}

// validityError is the message authentik's validator gives a validity it cannot read.
func validityError(s string) string {
	return s + " is not in the correct format of 'hours=3;minutes=1'."
}
