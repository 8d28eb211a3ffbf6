package views

import (
	"strconv"
	"strings"
)

// CheckRow is one row of a verification report.
type CheckRow struct {
	ID       string
	Status   string
	Expected string
	Actual   string
	Message  string
	Fix      string
	FixHref  string // where the fix is made in wifwiz, when it is made here
	FixLink  string
}

// Diagnosis is the one cause a failed request points to, leading a step's result: what it is,
// and a link to where it is fixed.
type Diagnosis struct {
	Cause string // untrusted-ca, wrong-secret
	Title string
	Text  string
	Href  string
	Link  string
	Focus string // the id of the field on this page the link focuses (with JavaScript)
	Aside string // the rarer cause, when the fix does not help
}

// RunningCheck is a live check still running for the connection, shown by the step pages until
// it ends, so that a reload does not invite a second request.
type RunningCheck struct {
	PollURL string // htmx polls it; when done it loads the result's step
	Steps   []ProgressStep
	Since   string // "12 seconds ago"
}

// Segment is part of a value; Diff marks the part that differs from the other side, and
// Missing names what the other side has here that this one lacks.
type Segment struct {
	Text    string
	Diff    bool
	Missing string
}

// Highlight splits a and b into their common prefix, differing middle and common suffix, so a
// missing trailing slash or a different host stands out at a glance.
func Highlight(a, b string) (as, bs []Segment) {
	if a == b || a == "" || b == "" {
		return []Segment{{Text: a}}, []Segment{{Text: b}}
	}
	p := commonPrefix(a, b)
	s := commonSuffix(a[p:], b[p:])
	return segments(a, p, s, b[p:len(b)-s]), segments(b, p, s, a[p:len(a)-s])
}

func segments(v string, prefix, suffix int, other string) []Segment {
	mid := v[prefix : len(v)-suffix]
	out := []Segment{{Text: v[:prefix]}}
	if mid == "" {
		out = append(out, Segment{Diff: true, Missing: other})
	} else {
		out = append(out, Segment{Text: mid, Diff: true})
	}
	return append(out, Segment{Text: v[len(v)-suffix:]})
}

func commonPrefix(a, b string) int {
	n := 0
	for n < len(a) && n < len(b) && a[n] == b[n] {
		n++
	}
	return n
}

func commonSuffix(a, b string) int {
	n := 0
	for n < len(a) && n < len(b) && a[len(a)-1-n] == b[len(b)-1-n] {
		n++
	}
	return n
}

// Compared is a failed row whose expected and actual both start with a quoted value: the values
// are compared character by character; the quotes and the rest of each cell are plain segments.
type Compared struct {
	Expected, Actual []Segment
}

// compare returns the highlighted values of a failed or warned row, or ok=false when the row's
// expected and actual are prose (such as "present") rather than two values.
func (r CheckRow) compare() (Compared, bool) {
	if r.Status != "fail" && r.Status != "warn" {
		return Compared{}, false
	}
	e, eRest, ok1 := quotedHead(r.Expected)
	a, aRest, ok2 := quotedHead(r.Actual)
	if !ok1 || !ok2 || e == a {
		return Compared{}, false
	}
	es, as := Highlight(e, a)
	return Compared{Expected: quoted(es, eRest), Actual: quoted(as, aRest)}, true
}

// quoted writes the compared values back in their quoted form: escapes stay escapes (an escape
// sequence or a bidi override from the network is shown, never acted on).
func quoted(segs []Segment, rest string) []Segment {
	out := []Segment{{Text: `"`}}
	for _, s := range segs {
		s.Text, s.Missing = escaped(s.Text), escaped(s.Missing)
		out = append(out, s)
	}
	return append(out, Segment{Text: `"` + rest})
}

// escaped is s as it appears between the quotes of strconv.Quote.
func escaped(s string) string {
	if s == "" {
		return ""
	}
	q := strconv.Quote(s)
	return q[1 : len(q)-1]
}

func quotedHead(s string) (value, rest string, ok bool) {
	q, err := strconv.QuotedPrefix(s)
	if err != nil {
		return "", "", false
	}
	v, err := strconv.Unquote(q)
	return v, s[len(q):], err == nil
}

// LifetimeBar is one bar of the lifetime picture.
type LifetimeBar struct {
	Label   string
	Seconds int64
	Note    string
	Status  string // pass, warn, fail: how this bar relates to its limit
}

func itoa(n int) string { return strconv.Itoa(n) }

func i64(n int64) string { return strconv.FormatInt(n, 10) }

// barWidth scales s to a bar of at most 1000 units against the largest bar.
func barWidth(s, largest int64) string {
	if largest <= 0 {
		return "0"
	}
	return strconv.FormatInt(max(4, s*1000/largest), 10)
}

// checkAnchor is the id of a check's row, which the list of blockers links to.
func checkAnchor(id string) string { return "check-" + id }

// statusMark is a verdict's text mark: ✓ pass, ! warn, ✗ fail, — skip.
func statusMark(status string) string {
	switch status {
	case "pass":
		return "✓"
	case "warn":
		return "!"
	case "fail":
		return "✗"
	}
	return "—"
}

// countOf reads like "1 check passed" or "3 checks passed".
func countOf(n int, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return strconv.Itoa(n) + " " + many
}

func itWord(n int) string {
	if n == 1 {
		return "it is"
	}
	return "they are"
}

func orDash(s string) string {
	if s == "" {
		return "—"
	}
	return s
}

func largest(bars []LifetimeBar) int64 {
	var m int64
	for _, b := range bars {
		m = max(m, b.Seconds)
	}
	return m
}

// HumanSeconds reads 5400 as "1 h 30 min".
func HumanSeconds(s int64) string {
	h, m, sec := s/3600, s%3600/60, s%60
	var parts []string
	if h > 0 {
		parts = append(parts, strconv.FormatInt(h, 10)+" h")
	}
	if m > 0 {
		parts = append(parts, strconv.FormatInt(m, 10)+" min")
	}
	if sec > 0 || len(parts) == 0 {
		parts = append(parts, strconv.FormatInt(sec, 10)+" s")
	}
	return strings.Join(parts, " ")
}
