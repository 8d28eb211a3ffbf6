package verify

import "time"

// NumericDate reads a time claim decoded either from a token (json.Number) or from a stored
// report (float64), as seconds since the epoch.
func NumericDate(v any) (float64, bool) { return numericDate(v) }

// Lifetime is the token's exp − iat, when both are numbers and exp is later.
func (t *Token) Lifetime() (time.Duration, bool) {
	if t == nil {
		return 0, false
	}
	exp, ok1 := numericDate(t.Claims["exp"])
	iat, ok2 := numericDate(t.Claims["iat"])
	if !ok1 || !ok2 || exp <= iat {
		return 0, false
	}
	return time.Duration(exp-iat) * time.Second, true
}
