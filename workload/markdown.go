package workload

import (
	"strings"
	"time"

	"github.com/wifwiz/wifwiz/verify"
)

// mdText escapes free text for a Markdown paragraph or table cell: one line, tokens redacted,
// and every character that could start markup or raw HTML backslash-escaped.
func mdText(s string) string {
	return backslashEscape(strings.TrimSpace(oneLine(s)), "\\`*_[]<>|~&#!")
}

// mdCode writes a value as an inline code span safe in a table cell.
func mdCode(s string) string {
	s = oneLine(s)
	if strings.TrimSpace(s) == "" {
		return ""
	}
	fence := strings.Repeat("`", longestRun(s, '`')+1)
	if strings.HasPrefix(s, "`") || strings.HasSuffix(s, "`") {
		s = " " + s + " "
	}
	return fence + strings.ReplaceAll(s, "|", `\|`) + fence
}

// mdFenced writes text as a fenced code block whose fence no line of text can close.
func mdFenced(info, s string) string {
	fence := strings.Repeat("`", max(3, longestRun(s, '`')+1))
	return fence + info + "\n" + strings.TrimRight(redactTokens(s), "\n") + "\n" + fence + "\n"
}

func longestRun(s string, r rune) int {
	longest, run := 0, 0
	for _, c := range s {
		if c == r {
			run++
			longest = max(longest, run)
		} else {
			run = 0
		}
	}
	return longest
}

// mdTime shows a time in UTC to the minute.
func mdTime(t time.Time) string {
	if t.IsZero() {
		return "unknown time"
	}
	return t.UTC().Format("2006-01-02 15:04 UTC")
}

// Marks of the hand-off checklist: text marks any font has, each with its word.
const (
	markPass    = "✓"
	markWarn    = "!"
	markFail    = "✗"
	markUnknown = "—"
)

// Mark is the text mark of a verdict: ✓ pass, ! warn, ✗ fail, — anything else.
func Mark(s verify.Status) string {
	switch s {
	case verify.Pass:
		return markPass
	case verify.Warn:
		return markWarn
	case verify.Fail:
		return markFail
	}
	return markUnknown
}

// MarkWords say a verdict's mark in words, for readers who do not see the mark.
func MarkWords(s verify.Status) string {
	switch s {
	case verify.Pass:
		return "passed"
	case verify.Warn:
		return "passed with a warning"
	case verify.Fail:
		return "failed"
	case verify.Skip:
		return "skipped"
	}
	return "not checked"
}

func markText(s verify.Status) string { return Mark(s) + " " + MarkWords(s) }
