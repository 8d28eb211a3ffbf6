package web

import (
	"crypto/rand"
	"net/http"
	"sync"
	"time"

	"github.com/labstack/echo/v4"
	"github.com/wifwiz/wifwiz/wif"
)

// held keeps what an admin API action found — a provider read through authentik's API, a plan —
// for a short while, so that its POST can redirect to a page that shows it (post/redirect/get):
// a reload or the back button then shows the result again without sending the API token, which
// is typed for one request and never kept. What is held is no secret: the values typed on the
// step (never a token or a client secret) and what authentik returned about its settings. It
// lives in memory, for one person (their actor) and one connection, for heldFor.
type held struct {
	mu    sync.Mutex
	items map[string]heldItem
	order []string // keys, oldest first
}

type heldItem struct {
	connID int64
	actor  string
	at     time.Time
	value  any
}

const (
	heldFor = 30 * time.Minute
	maxHeld = 500
)

func newHeld() *held { return &held{items: map[string]heldItem{}} }

// put keeps value and returns the key a page asks for it by.
func (h *held) put(connID int64, actor string, now time.Time, value any) string {
	key := rand.Text()
	h.mu.Lock()
	defer h.mu.Unlock()
	h.items[key] = heldItem{connID: connID, actor: actor, at: now, value: value}
	h.order = append(h.order, key)
	kept := h.order[:0]
	for i, k := range h.order {
		if now.Sub(h.items[k].at) > heldFor || len(h.order)-i > maxHeld {
			delete(h.items, k)
			continue
		}
		kept = append(kept, k)
	}
	h.order = kept
	return key
}

// get is the value kept under key for this connection and person; ok is false when it is
// unknown, someone else's, or expired.
func (h *held) get(connID int64, actor, key string, now time.Time) (any, bool) {
	h.mu.Lock()
	defer h.mu.Unlock()
	it, ok := h.items[key]
	if !ok || it.connID != connID || it.actor != actor || now.Sub(it.at) > heldFor {
		return nil, false
	}
	return it.value, true
}

// holdResult keeps r for the one who asked and redirects to the wizard step showing it;
// fragment names the part of the page to open at.
func (s *Server) holdResult(c echo.Context, conn *wif.Connection, step int, r any, fragment string) error {
	key := s.held.put(conn.ID, actorOf(c), s.app.Now(), r)
	return c.Redirect(http.StatusSeeOther, wizardPath(conn.ID, step)+"?held="+key+fragment)
}
