package actions

import "github.com/wifwiz/wifwiz/wif"

// BothSides says the wizard recorded authentik's and the Console's settings: before that, a
// verification, an export or a hand-off has nothing to work with.
func BothSides(step int) bool { return step >= StepConsole }

// ConnectionStatus is a connection's badge from its wizard step and its runs, newest first: a
// draft until both sides are recorded, and the sample token's runs never count.
func ConnectionStatus(step int, runs []wif.Run) string {
	for i := range runs {
		if runs[i].Trigger != wif.TriggerSample {
			return StatusOf(step, &runs[i])
		}
	}
	return StatusOf(step, nil)
}

// StatusOf is the badge of a connection at step whose newest run is last (nil: none).
func StatusOf(step int, last *wif.Run) string {
	if !BothSides(step) || last != nil && last.Trigger == wif.TriggerSample {
		return wif.StatusDraft
	}
	return wif.RunStatus(last)
}
