package wif

import (
	"strings"
	"testing"
)

func TestPersonActorRoundTrip(t *testing.T) {
	cases := []struct {
		sub, name   string
		fallbacks   []string
		wantActor   string
		wantName    string
		wantSubject string
	}{
		{"alice", "Alice Example", nil, "Alice Example <alice>", "Alice Example", "alice"},
		{"3f9a", "", []string{"", "bob@example.com"}, "bob@example.com <3f9a>", "bob@example.com", "3f9a"},
		{"u1", "", nil, "u1 <u1>", "u1", "u1"},
		{"evil>sub", "Mallory <root> \x1b[31m\nEvil", nil, "Mallory root [31m Evil <evilsub>", "Mallory root [31m Evil", "evilsub"},
		{"s", "  spaced   name  ", nil, "spaced name <s>", "spaced name", "s"},
	}
	for _, c := range cases {
		p := NewPerson(c.sub, c.name, c.fallbacks...)
		if got := p.Actor(); got != c.wantActor {
			t.Errorf("NewPerson(%q, %q).Actor() = %q, want %q", c.sub, c.name, got, c.wantActor)
		}
		back, ok := ParseActor(p.Actor())
		if !ok || back.Name != c.wantName || back.Subject != c.wantSubject {
			t.Errorf("ParseActor(%q) = %+v %v", p.Actor(), back, ok)
		}
	}
}

func TestPersonNameIsBounded(t *testing.T) {
	p := NewPerson(strings.Repeat("s", 400), strings.Repeat("é", 300))
	if len(p.Name) > maxPersonName || len(p.Subject) > maxPersonSubject {
		t.Fatalf("name %d bytes, subject %d bytes", len(p.Name), len(p.Subject))
	}
	if !strings.HasPrefix(p.Name, "é") || strings.ContainsRune(p.Name, '\uFFFD') {
		t.Fatalf("cut inside a rune: %q", p.Name[len(p.Name)-4:])
	}
}

func TestParseActorOtherActors(t *testing.T) {
	for _, a := range []string{"browser", "cli:alice", "audit", "", "<x>", "name <>", " <sub>", "a <b> c", "a <b<c>"} {
		if p, ok := ParseActor(a); ok {
			t.Errorf("ParseActor(%q) = %+v, want no person", a, p)
		}
	}
}

func TestRolePolicy(t *testing.T) {
	p := RolePolicy{EditorGroup: "wifwiz-editors", ViewerGroup: "wifwiz-viewers"}
	cases := []struct {
		groups []string
		want   Role
	}{
		{[]string{"staff", "wifwiz-editors"}, RoleEditor},
		{[]string{"wifwiz-viewers", "wifwiz-editors"}, RoleEditor},
		{[]string{"wifwiz-viewers"}, RoleViewer},
		{[]string{"WIFWIZ-EDITORS"}, RoleNone},
		{nil, RoleNone},
	}
	for _, c := range cases {
		if got := p.RoleOf(c.groups); got != c.want {
			t.Errorf("RoleOf(%q) = %q, want %q", c.groups, got, c.want)
		}
	}
	if got := (RolePolicy{EditorGroup: "ed"}).RoleOf([]string{""}); got != RoleNone {
		t.Errorf("an empty group name matched the unset viewer group: %q", got)
	}
	if m := p.Missing(RoleViewer, RoleEditor); !strings.Contains(m, "“wifwiz-editors”") {
		t.Errorf("Missing(viewer, editor) = %q", m)
	}
	if m := p.Missing(RoleNone, RoleViewer); !strings.Contains(m, "“wifwiz-viewers”") || !strings.Contains(m, "“wifwiz-editors”") {
		t.Errorf("Missing(none, viewer) = %q", m)
	}
	if m := p.Missing(RoleEditor, RoleEditor); m != "" {
		t.Errorf("an editor misses %q", m)
	}
	if !RoleEditor.CanEdit() || RoleViewer.CanEdit() || !RoleViewer.CanRead() || RoleNone.CanRead() {
		t.Error("role permissions")
	}
}
