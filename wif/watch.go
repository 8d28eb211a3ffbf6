package wif

import "time"

// ConnectionWatch is what watching a connection reads of its history: its newest run, its newest
// passing run, the signing key its issuer uses and since when, and its drift by kind.
type ConnectionWatch struct {
	Connection  Connection
	Last        *Run      // the newest run with its report; nil when never verified
	LastSuccess time.Time // when the newest passing run started; zero when none passed
	Kid         string    // the kid of the newest run that obtained a token; "" when none did
	KidSince    time.Time // the first run of the unbroken line of runs whose token had Kid
	KidChanged  bool      // an earlier run's token had another kid
	Drift       map[string]int
}

// AuditCount is how many audits of a trigger ended in a state.
type AuditCount struct {
	Trigger Trigger
	State   string
	Count   int
}
