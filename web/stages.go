package web

import (
	"github.com/wifwiz/wifwiz/verify"
	"github.com/wifwiz/wifwiz/wif"
)

// authentikChecks are the checks that depend only on authentik's side. Until the Console step is
// saved, the others compare the token with values not entered yet, so the sample token step
// judges only these.
var authentikChecks = map[string]bool{
	verify.CheckDiscovery: true, verify.CheckJWKS: true, verify.CheckTokenRequest: true,
	verify.CheckTokenFormat: true, verify.CheckHeaderAlg: true, verify.CheckClaimExp: true,
	verify.CheckClaimIat: true, verify.CheckClaimNbf: true, verify.CheckAuthentikProvider: true,
}

// failedChecks returns the failed and warned checks; with consoleDone false, only authentik's.
func failedChecks(rep verify.Report, consoleDone bool) (failed []verify.Check, anyFail bool) {
	for _, ch := range rep.Checks {
		if !consoleDone && !authentikChecks[ch.ID] {
			continue
		}
		if ch.Status == verify.Fail || ch.Status == verify.Warn {
			failed = append(failed, ch)
			anyFail = anyFail || ch.Status == verify.Fail
		}
	}
	return failed, anyFail
}

// sampleProblems are the failed and warned checks of failedChecks, then the settings recorded for
// authentik's provider that the sample token contradicts (its subject and issuer mode), each as
// a failed row: named on the sample step, not two steps later.
func sampleProblems(conn wif.Connection, rep verify.Report, consoleDone bool) (rows []verify.Check, anyFail bool) {
	rows, anyFail = failedChecks(rep, consoleDone)
	for _, d := range verify.ModeContradictions(conn, rep.Token) {
		rows = append(rows, verify.Check{ID: "recorded " + d.Setting, Status: verify.Fail, Expected: d.Recorded,
			Actual: d.Observed, Message: d.Message, Fix: d.Fix})
		anyFail = true
	}
	return rows, anyFail
}
