package wif

import (
	"testing"
	"time"
)

func TestAuthentikHasGrantTypes(t *testing.T) {
	for v, want := range map[string][2]bool{
		"": {false, false}, "garbage": {false, false}, "2025.12.4": {false, true}, "2026.2.2": {false, true},
		"2026.5.0-rc1": {false, false}, "2026.5.0": {true, true}, "v2026.5.1": {true, true}, "2026.8.0": {true, true}, "2027.1": {true, true},
	} {
		if has, known := AuthentikHasGrantTypes(v); has != want[0] || known != want[1] {
			t.Errorf("%q: has %v known %v, want %v", v, has, known, want)
		}
	}
}

func TestWantedProviderFor(t *testing.T) {
	c := Connection{AppSlug: "batch", AccessTokenValidity: "1h30m", MaxIdentityTokenLifetime: 2 * time.Hour}
	w := WantedProviderFor(c, "", "")
	if w.Name != "batch" || w.SubMode != SubUsername || w.IssuerMode != IssuerModePerProvider || w.AccessTokenValidity != "minutes=90" {
		t.Errorf("wanted %+v", w)
	}
	c.SubjectMode, c.AccessTokenValidity, c.MaxIdentityTokenLifetime = SubHashedUserID, "hours=3", 0
	if w := WantedProviderFor(c, "", ""); w.SubMode != SubHashedUserID || w.AccessTokenValidity != "hours=1" {
		t.Errorf("recorded mode and validity over the default maximum: %+v", w)
	}
	if w := WantedProviderFor(c, SubUserUUID, "k"); w.SubMode != SubUserUUID || w.SigningKeyName != "k" {
		t.Errorf("chosen: %+v", w)
	}
	c.SubjectMode = SubEmail
	if w := WantedProviderFor(c, "", ""); w.SubMode != SubUsername {
		t.Errorf("an email subject mode is never wanted: %+v", w)
	}
	if SubjectModeProblem(SubEmail) == "" || SubjectModeProblem("nope") == "" || SubjectModeProblem(SubUPN) != "" {
		t.Error("SubjectModeProblem")
	}
	if ValidityString(45*time.Second) != "seconds=45" {
		t.Error("ValidityString")
	}
}
