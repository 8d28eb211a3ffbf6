package main

// fix is a slowness the figures showed and the change that removed it. Before is what the
// harness measured on the code before the change (on the machine of that run); the current
// figure is in the section named.
type fix struct {
	Title, Where, Cause string
	Before, After       string
	Section             string
}

// fixes, oldest first.
var fixes = []fix{}

func renderFixes(p printer, res *results) {
	p("## Fixes")
	p("")
	if len(fixes) == 0 {
		p("None yet.")
		p("")
		return
	}
	p("What the figures showed slow, and what changed. *Before* and *after* were measured by this harness on the commits")
	p("either side of the change; the current figure is in the section named.")
	p("")
	p("| fix | where | cause | before | after | see |")
	p("|---|---|---|---|---|---|")
	for _, f := range fixes {
		p("| %s | `%s` | %s | %s | %s | %s |", f.Title, f.Where, f.Cause, f.Before, f.After, f.Section)
	}
	p("")
}
