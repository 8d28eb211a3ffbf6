package verify

import (
	"fmt"
	"slices"
	"strings"

	"github.com/wifwiz/wifwiz/wif"
)

// Contradiction is a setting recorded for authentik's provider that a sample token shows to be
// otherwise.
type Contradiction struct {
	Setting  string // authentik's label: "Subject mode", "Issuer mode"
	Recorded string
	Observed string
	Message  string
	Fix      string
}

// ModeContradictions compares the subject mode and issuer mode recorded for c with what its sample
// token shows: a 64-hex sub comes from the hashed user ID mode, a username-shaped one from the
// username mode; an iss without /application/o/<slug>/ from the global issuer mode. Only an
// authentik connection with a recorded slug is judged; an empty list means no contradiction.
func ModeContradictions(c wif.Connection, tok *Token) []Contradiction {
	if tok == nil {
		return nil
	}
	var out []Contradiction
	if sub, ok := tok.Claims["sub"].(string); ok && c.SubjectMode != "" {
		if modes, shape := subModesOf(sub); len(modes) > 0 && !slices.Contains(modes, c.SubjectMode) {
			out = append(out, Contradiction{Setting: "Subject mode", Recorded: c.SubjectMode, Observed: modes[0],
				Message: fmt.Sprintf("The token's sub %s is %s, which authentik gives in subject mode \"%s\" — not \"%s\" as recorded.",
					quote(short(sub)), shape, wif.SubjectModeLabel(modes[0]), wif.SubjectModeLabel(c.SubjectMode)),
				Fix: fmt.Sprintf("Record Subject mode \"%s\" on the authentik provider step, or edit the provider in authentik → Advanced protocol settings → Subject mode: choose \"%s\", then request a new sample token.",
					wif.SubjectModeLabel(modes[0]), wif.SubjectModeLabel(c.SubjectMode))})
		}
	}
	if iss, ok := tok.Claims["iss"].(string); ok && c.AppSlug != "" && c.IssuerURL != "" {
		if d, found := issuerModeContradiction(c, iss); found {
			out = append(out, d)
		}
	}
	return out
}

// subModesOf lists the subject modes that give a sub of this shape, with the shape in words.
func subModesOf(sub string) ([]string, string) {
	switch {
	case sub == "":
		return []string{wif.SubEmail}, "empty"
	case wif.LooksHashed(sub):
		return []string{wif.SubHashedUserID, wif.SubUPN}, "a 64-character hex hash"
	case wif.LooksServiceAccountUsername(sub):
		return []string{wif.SubUsername}, "the service account's username"
	case uuidSub.MatchString(sub):
		return []string{wif.SubUserUUID}, "a UUID"
	case numericSub.MatchString(sub):
		return []string{wif.SubUserID}, "a numeric user ID"
	}
	return nil, ""
}

func issuerModeContradiction(c wif.Connection, iss string) (Contradiction, bool) {
	recorded := wif.IssuerModeOf(c)
	observed := wif.IssuerModeGlobal
	if strings.Contains(iss, wif.AuthentikIssuerPath+c.AppSlug+"/") {
		observed = wif.IssuerModePerProvider
	}
	if observed == recorded {
		return Contradiction{}, false
	}
	d := Contradiction{Setting: "Issuer mode", Recorded: recorded, Observed: observed}
	if observed == wif.IssuerModeGlobal {
		d.Message = fmt.Sprintf("The token's iss %s does not name the slug %s: the provider's Issuer mode is global (\"Same identifier is used for all providers\"), but the recorded issuer URL %s is the per-provider one.", quote(short(iss)), c.AppSlug, c.IssuerURL)
		d.Fix = "Edit the provider in authentik → Advanced protocol settings → Issuer mode: choose \"Each provider has a different issuer, based on the application slug\", or choose the global issuer mode on the Basics step; then request a new sample token."
	} else {
		d.Message = fmt.Sprintf("The token's iss %s names the slug %s: the provider's Issuer mode is per provider, but the recorded issuer URL %s is the global one.", quote(short(iss)), c.AppSlug, c.IssuerURL)
		d.Fix = "Choose the per-provider issuer mode on the Basics step (the issuer URL becomes …/application/o/" + c.AppSlug + "/), or edit the provider in authentik → Advanced protocol settings → Issuer mode: choose \"Same identifier is used for all providers\"."
	}
	return d, true
}
