package views

import (
	"bytes"
	"context"
	"strings"
	"testing"

	"github.com/PuerkitoBio/goquery"
)

func TestHighlight(t *testing.T) {
	tests := []struct {
		a, b         string
		aDiff, bDiff string
		aMiss, bMiss string
	}{
		{a: "https://h/application/o/s/", b: "https://h/application/o/s", aDiff: "/", bMiss: "/"},
		{a: "https://public.example/x/", b: "https://internal.lan/x/", aDiff: "public.example", bDiff: "internal.lan"},
	}
	for _, tt := range tests {
		as, bs := Highlight(tt.a, tt.b)
		if got := diffOf(as); got.text != tt.aDiff || got.missing != tt.aMiss {
			t.Errorf("Highlight(%q, %q) a side = %+v", tt.a, tt.b, got)
		}
		if got := diffOf(bs); got.text != tt.bDiff || got.missing != tt.bMiss {
			t.Errorf("Highlight(%q, %q) b side = %+v", tt.a, tt.b, got)
		}
		if joined(as) != tt.a || joined(bs) != tt.b {
			t.Errorf("segments do not rebuild the values: %q %q", joined(as), joined(bs))
		}
	}
}

type diffPart struct{ text, missing string }

func diffOf(segs []Segment) diffPart {
	for _, s := range segs {
		if s.Diff {
			return diffPart{s.Text, s.Missing}
		}
	}
	return diffPart{}
}

func joined(segs []Segment) string {
	var b strings.Builder
	for _, s := range segs {
		b.WriteString(s.Text)
	}
	return b.String()
}

func TestCheckTableMarksTheMissingSlash(t *testing.T) {
	rows := []CheckRow{{ID: "claim.iss", Status: "fail",
		Expected: `"https://ak.example/application/o/batch/", the Console's Issuer URL, byte for byte`,
		Actual:   `"https://ak.example/application/o/batch"`, Message: "differs", Fix: "add the slash"}}
	var buf bytes.Buffer
	if err := checkTable(rows).Render(context.Background(), &buf); err != nil {
		t.Fatal(err)
	}
	doc, _ := goquery.NewDocumentFromReader(&buf)
	exp := doc.Find(`[data-check="claim.iss"] [data-testid="expected"] mark.diff`)
	act := doc.Find(`[data-check="claim.iss"] [data-testid="actual"] mark.diff`)
	if strings.TrimSpace(exp.Text()) != "/" {
		t.Fatalf("expected side marks %q, want the slash", exp.Text())
	}
	if !strings.Contains(act.Text(), "missing /") {
		t.Fatalf("actual side marks %q, want a visible 'missing /'", act.Text())
	}
	if strings.Contains(buf.String(), "@segmentsOf") {
		t.Fatal("component call rendered as text")
	}
	cell := strings.Join(strings.Fields(doc.Find(`[data-testid="expected"]`).Text()), " ")
	if !strings.HasPrefix(cell, `"https://ak.example/application/o/batch/", the Console's`) {
		t.Fatalf("expected cell reads %q", cell)
	}
}

// TestCompareKeepsEscapesEscaped: the highlighted difference of two quoted values shows an escape
// sequence or a bidi override from the network as its escape, never as the character.
func TestCompareKeepsEscapesEscaped(t *testing.T) {
	row := CheckRow{Status: "fail", Expected: `"https://a.example/"`, Actual: `"https://a.example/\x1b[31m\u202eevil"`}
	c, ok := row.compare()
	if !ok {
		t.Fatal("not compared")
	}
	var all strings.Builder
	for _, s := range append(c.Expected, c.Actual...) {
		all.WriteString(s.Text + s.Missing)
	}
	if strings.ContainsAny(all.String(), "\x1b\u202e") || !strings.Contains(all.String(), `\x1b[31m\u202eevil`) {
		t.Fatalf("segments: %q", all.String())
	}
}
