package authentik

import (
	"fmt"

	"github.com/wifwiz/wifwiz/verify"
	"github.com/wifwiz/wifwiz/wif"
)

// Steps of Observe, as a Progress hears of them.
const (
	StepDiscovery = wif.StepDiscovery
	StepJWKS      = wif.StepJWKS
	StepToken     = wif.StepToken
	StepResolve   = wif.StepResolve
)

// StepResult is one finished step of Observe.
type StepResult = wif.ProbeStep

// Progress is told as each attempted step of Observe finishes, for a page that shows the
// steps live. JWKS, token and resolution finish concurrently: it must be safe for concurrent use.
type Progress func(StepResult)

func (p Progress) fetched(step string, status int, errMsg string) {
	if p == nil {
		return
	}
	r := StepResult{Step: step, OK: errMsg == "" && status == 200, Detail: fmt.Sprintf("HTTP %d", status)}
	if errMsg != "" {
		r.Detail = errMsg
	}
	p(r)
}

func (p Progress) fetch(step string, f verify.Fetch) { p.fetched(step, f.Status, f.Err) }

func (p Progress) resolved(addrs []string, errMsg string) {
	if p == nil {
		return
	}
	r := StepResult{Step: StepResolve, OK: errMsg == "", Detail: fmt.Sprint(addrs)}
	if errMsg != "" {
		r.Detail = errMsg
	}
	p(r)
}
