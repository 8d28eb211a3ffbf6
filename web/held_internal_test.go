package web

import (
	"testing"
	"time"
)

func TestHeldKeepsForItsOwnerAWhile(t *testing.T) {
	h := newHeld()
	t0 := time.Date(2026, 5, 1, 12, 0, 0, 0, time.UTC)
	key := h.put(7, "Ann <a1>", t0, "read")
	for _, tc := range []struct {
		name  string
		conn  int64
		actor string
		at    time.Time
		ok    bool
	}{
		{"its owner, soon after", 7, "Ann <a1>", t0.Add(time.Minute), true},
		{"its owner, just within", 7, "Ann <a1>", t0.Add(heldFor), true},
		{"its owner, too late", 7, "Ann <a1>", t0.Add(heldFor + time.Second), false},
		{"another connection", 8, "Ann <a1>", t0, false},
		{"another person", 7, "Bob <b2>", t0, false},
	} {
		if v, ok := h.get(tc.conn, tc.actor, key, tc.at); ok != tc.ok || (ok && v != "read") {
			t.Errorf("%s: %v %v", tc.name, v, ok)
		}
	}
	if _, ok := h.get(7, "Ann <a1>", "not-a-key", t0); ok {
		t.Error("an unknown key was found")
	}
}

func TestHeldForgetsBeyondItsBound(t *testing.T) {
	h := newHeld()
	t0 := time.Date(2026, 5, 1, 12, 0, 0, 0, time.UTC)
	first := h.put(1, "a", t0, 0)
	for i := range maxHeld {
		h.put(1, "a", t0, i+1)
	}
	if _, ok := h.get(1, "a", first, t0); ok {
		t.Error("the oldest result is still kept beyond the bound")
	}
	if len(h.items) != maxHeld || len(h.order) != maxHeld {
		t.Errorf("%d results kept (%d in order), want %d", len(h.items), len(h.order), maxHeld)
	}
	late := h.put(1, "a", t0.Add(heldFor+time.Minute), "late")
	if len(h.items) != 1 {
		t.Errorf("%d results kept after all expired, want the new one", len(h.items))
	}
	if v, ok := h.get(1, "a", late, t0.Add(heldFor+time.Minute)); !ok || v != "late" {
		t.Error("the newest result is lost")
	}
}
