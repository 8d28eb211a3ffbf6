package wif

import (
	"slices"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
)

// Person is someone signed in through the OIDC provider: the ID token's subject and the name it
// shows. Changes they make are recorded under Actor().
type Person struct {
	Subject string // the ID token's sub: stable, unique at the provider
	Name    string // display name; may change between sign-ins
}

// Limits on what an ID token may put into the timeline.
const (
	maxPersonName    = 200
	maxPersonSubject = 255
)

// NewPerson cleans what an ID token says about its user: control characters and the angle
// brackets of the actor form are dropped, each part is bounded, and an empty name falls back to
// the first non-empty of fallbacks (preferred_username, email), then to the subject.
func NewPerson(subject, name string, fallbacks ...string) Person {
	p := Person{Subject: cleanPart(subject, maxPersonSubject)}
	for _, n := range append([]string{name}, fallbacks...) {
		if p.Name = cleanPart(n, maxPersonName); p.Name != "" {
			break
		}
	}
	if p.Name == "" {
		p.Name = p.Subject
	}
	return p
}

func cleanPart(s string, limit int) string {
	s = strings.ToValidUTF8(s, "")
	s = strings.Map(func(r rune) rune {
		switch {
		case r == '<' || r == '>':
			return -1
		case unicode.IsControl(r):
			return ' '
		}
		return r
	}, s)
	s = strings.Join(strings.Fields(s), " ")
	for len(s) > limit {
		_, size := utf8.DecodeLastRuneInString(s)
		s = s[:len(s)-size]
	}
	return s
}

// Actor is how the person's changes are recorded in a connection's timeline: "Name <subject>",
// like a mail address. Neither part holds an angle bracket (NewPerson drops them), so ParseActor
// reads it back unambiguously.
func (p Person) Actor() string { return p.Name + " <" + p.Subject + ">" }

// ParseActor reads an actor string of a signed-in person. The other actors — "browser" (no
// sign-in or the access token), "cli:<user>" (the command line), "audit" (a scheduled or
// command-line audit) — are not persons: ok is false.
func ParseActor(actor string) (p Person, ok bool) {
	name, rest, found := strings.Cut(actor, " <")
	if !found || !strings.HasSuffix(rest, ">") {
		return Person{}, false
	}
	sub := strings.TrimSuffix(rest, ">")
	if name == "" || sub == "" || strings.ContainsAny(sub, "<>") {
		return Person{}, false
	}
	return Person{Subject: sub, Name: name}, true
}

// Role is what a signed-in person may do.
type Role string

// Roles, from the groups claim (RolePolicy).
const (
	RoleNone   Role = ""       // refused
	RoleViewer Role = "viewer" // reads connections, reports, history, hand-off pages; downloads exports
	RoleEditor Role = "editor" // also runs the wizard, verifies, applies and audits
)

// CanEdit says whether the role may change anything or cause a request to authentik or Anthropic.
func (r Role) CanEdit() bool { return r == RoleEditor }

// CanRead says whether the role may read connections and their history.
func (r Role) CanRead() bool { return r == RoleEditor || r == RoleViewer }

// RolePolicy maps the groups claim to a role: the editor group, else the viewer group, else none.
type RolePolicy struct {
	EditorGroup string
	ViewerGroup string // optional
}

// RoleOf is the role of a person in groups.
func (p RolePolicy) RoleOf(groups []string) Role {
	has := func(g string) bool { return g != "" && slices.Contains(groups, g) }
	switch {
	case has(p.EditorGroup):
		return RoleEditor
	case has(p.ViewerGroup):
		return RoleViewer
	}
	return RoleNone
}

// Missing says which group a person with role lacks to reach want, for the refusal page.
func (p RolePolicy) Missing(role, want Role) string {
	switch {
	case want == RoleEditor && role != RoleEditor:
		return "Changing anything needs membership of the group " + quoted(p.EditorGroup) + " in authentik."
	case want == RoleViewer && role == RoleNone && p.ViewerGroup != "":
		return "Using wifwiz needs membership of the group " + quoted(p.ViewerGroup) + " (read only) or " + quoted(p.EditorGroup) + " in authentik."
	case want == RoleViewer && role == RoleNone:
		return "Using wifwiz needs membership of the group " + quoted(p.EditorGroup) + " in authentik."
	}
	return ""
}

func quoted(s string) string { return "“" + s + "”" }

// Identity is what a verified sign-in says about its person.
type Identity struct {
	Person Person
	Groups []string
}

// Session is a signed-in browser. Only a hash of its cookie is stored; the cookie itself never is.
type Session struct {
	IDHash    string // hex SHA-256 of the cookie value
	Person    Person
	Groups    []string
	CreatedAt time.Time
	LastSeen  time.Time
	ExpiresAt time.Time // absolute end, whatever the activity
}
