package actions_test

import (
	"testing"

	"github.com/wifwiz/wifwiz/actions"
	"github.com/wifwiz/wifwiz/wif"
)

func TestConnectionStatus(t *testing.T) {
	sample := wif.Run{Trigger: wif.TriggerSample}
	failed := wif.Run{Trigger: wif.TriggerWizard}
	passed := wif.Run{Trigger: wif.TriggerAudit, OK: true}
	cases := []struct {
		name string
		step int
		runs []wif.Run
		want string
	}{
		{"NothingYet", actions.StepBasics, nil, wif.StatusDraft},
		{"UnfinishedWizardWithAFailedSample", actions.StepSample, []wif.Run{sample}, wif.StatusDraft},
		{"UnfinishedWizardWithAnyRun", actions.StepSample, []wif.Run{passed}, wif.StatusDraft},
		{"ConsoleSavedOnlySampled", actions.StepConsole, []wif.Run{sample}, wif.StatusDraft},
		{"ConsoleSavedFailing", actions.StepConsole, []wif.Run{failed, sample}, wif.StatusFailing},
		{"SampleAfterAPass", actions.StepCount, []wif.Run{sample, passed}, wif.StatusVerified},
	}
	for _, tc := range cases {
		if got := actions.ConnectionStatus(tc.step, tc.runs); got != tc.want {
			t.Errorf("%s: %q, want %q", tc.name, got, tc.want)
		}
	}
}
