package actions

import (
	"context"
	"fmt"
	"maps"
	"slices"

	"github.com/wifwiz/wifwiz/redact"
	"github.com/wifwiz/wifwiz/verify"
	"github.com/wifwiz/wifwiz/wif"
)

// redactorFor removes everything a request for c carried that is secret: the client secret (also
// as the Basic credentials of c's client ID) and the admin API tokens.
func redactorFor(c wif.Connection, secret string, creds ...string) *redact.Redactor {
	return redact.New(creds...).WithBasic(c.ClientID, secret)
}

// probe runs one verification and redacts what comes back before anything stores, shows or logs
// it: an issuer may echo the request, in any encoding, in any field of its answers.
func probe(ctx context.Context, verifyOne VerifyFunc, req wif.ProbeRequest) (verify.Report, error) {
	for _, f := range slices.Sorted(maps.Keys(req.Connection.Unreadable)) { // the first, the same each time
		return verify.Report{}, fmt.Errorf("the stored %s cannot be read: %s", f, req.Connection.Unreadable[f])
	}
	red := redactorFor(req.Connection, req.Secret, req.ConsoleToken, req.AuthentikToken)
	rep, err := verifyOne(ctx, req)
	return rep.Redact(red), red.Error(err)
}
