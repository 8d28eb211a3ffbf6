package testenv

import (
	"testing"
	"time"

	"github.com/wifwiz/wifwiz/actions"
	"github.com/wifwiz/wifwiz/authentik/emulator"
	"github.com/wifwiz/wifwiz/oidclogin"
	"github.com/wifwiz/wifwiz/store"
	"github.com/wifwiz/wifwiz/wif"
)

// The emulator's sign-in application and the people who sign in through it.
const (
	LoginSlug   = "wifwiz-login"
	EditorGroup = "wifwiz-editors"
	ViewerGroup = "wifwiz-viewers"
)

// People of the sign-in tests: an editor, a viewer, and someone in neither group.
var (
	Editor   = emulator.User{Username: "erin", Name: "Erin Editor", Email: "erin@example.com", Groups: []string{"staff", EditorGroup}}
	Viewer   = emulator.User{Username: "victor", Name: "Victor Viewer", Email: "victor@example.com", Groups: []string{ViewerGroup}}
	Outsider = emulator.User{Username: "otto", Name: "Otto Outsider", Email: "otto@example.com", Groups: []string{"staff"}}
)

// LoginProvider adds the sign-in provider — authorization code, confidential, redirectURL
// registered, groups in the ID token, sub the username — and the three people.
func LoginProvider(t testing.TB, emu *emulator.Emulator, redirectURL string) emulator.Provider {
	t.Helper()
	p, err := emu.AddProvider(emulator.Provider{Slug: LoginSlug, Name: "wifwiz sign-in", RedirectURIs: []string{redirectURL},
		SubMode: wif.SubUsername, IncludeClaims: true})
	if err != nil {
		t.Fatal(err)
	}
	for _, u := range []emulator.User{Editor, Viewer, Outsider} {
		if _, err := emu.AddUser(u); err != nil {
			t.Fatal(err)
		}
	}
	return p
}

// SignIn wires sign-in through the emulator's login provider p to db, as cmd/wifwiz does, with
// the editor and viewer groups above and the given clock for sessions (nil: time.Now).
func SignIn(t testing.TB, db *store.DB, emu *emulator.Emulator, p emulator.Provider, redirectURL string, now func() time.Time) *actions.SignIn {
	t.Helper()
	rp, err := oidclogin.New(oidclogin.Config{Issuer: emu.IssuerURL(p.Slug), ClientID: p.ClientID, ClientSecret: p.ClientSecret,
		RedirectURL: redirectURL, CAPEM: emu.CAPEM()})
	if err != nil {
		t.Fatal(err)
	}
	return actions.NewSignIn(actions.SignInConfig{Provider: rp, Sessions: db, Now: now,
		Roles: wif.RolePolicy{EditorGroup: EditorGroup, ViewerGroup: ViewerGroup}})
}
