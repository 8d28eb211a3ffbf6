package web_test

import (
	"strings"
	"testing"

	"github.com/PuerkitoBio/goquery"
)

// TestFormsAreLabelled walks every page of a demo connection and checks what a screen reader
// and a keyboard user need: each visible form control has a label, the page has one h1 and a
// main landmark, and no positive tabindex reorders the focus.
func TestFormsAreLabelled(t *testing.T) {
	a, _ := newDemoApp(t)
	base := startDemoConnection(t, a)
	a.submit(base+"1", nil)
	a.submit(base+"2", nil)
	a.submit(base+"3", nil)
	a.submit(base+"4", nil)
	conn := strings.TrimSuffix(base, "/wizard/")
	pages := []string{"/", "/connections/new", "/audit", conn, conn + "/handoff"}
	for n := 1; n <= 6; n++ {
		pages = append(pages, base+string(rune('0'+n)))
	}
	for _, path := range pages {
		p := a.get(path)
		if p.status != 200 {
			t.Errorf("%s: status %d", path, p.status)
			continue
		}
		if n := p.doc.Find("h1").Length(); n != 1 {
			t.Errorf("%s: %d h1 elements", path, n)
		}
		if p.doc.Find("main#main").Length() != 1 {
			t.Errorf("%s: no main landmark", path)
		}
		p.doc.Find("input, select, textarea").Each(func(_ int, s *goquery.Selection) {
			if typ, _ := s.Attr("type"); typ == "hidden" {
				return
			}
			if !labelled(p.doc, s) {
				name, _ := s.Attr("name")
				t.Errorf("%s: control %q has no label", path, name)
			}
		})
		p.doc.Find("[tabindex]").Each(func(_ int, s *goquery.Selection) {
			if v, _ := s.Attr("tabindex"); v != "-1" && v != "0" {
				t.Errorf("%s: tabindex=%s reorders the focus", path, v)
			}
		})
	}
}

func labelled(doc *goquery.Document, s *goquery.Selection) bool {
	if _, ok := s.Attr("aria-label"); ok {
		return true
	}
	if _, ok := s.Attr("aria-labelledby"); ok {
		return true
	}
	if s.ParentsFiltered("label").Length() > 0 {
		return true
	}
	id, ok := s.Attr("id")
	return ok && doc.Find(`label[for="`+id+`"]`).Length() > 0
}
