package web

import "github.com/wifwiz/wifwiz/verify"

// authentikChecks are the checks that depend only on authentik's side. Until the Console step is
// saved, the others compare the token with values not entered yet, so the sample token step
// judges only these.
var authentikChecks = map[string]bool{
	verify.CheckDiscovery: true, verify.CheckJWKS: true, verify.CheckTokenRequest: true,
	verify.CheckTokenFormat: true, verify.CheckHeaderAlg: true, verify.CheckClaimExp: true,
	verify.CheckClaimIat: true, verify.CheckClaimNbf: true,
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
