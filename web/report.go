package web

import (
	"time"

	"github.com/wifwiz/wifwiz/verify"
	"github.com/wifwiz/wifwiz/views"
	"github.com/wifwiz/wifwiz/wif"
)

// reportView groups a run's checks the way the report reads: the failures that block
// Anthropic, then every check that did not pass (failed, warned, skipped), then the passing.
func reportView(conn wif.Connection, run wif.Run, rep verify.Report) views.ReportView {
	rv := views.ReportView{At: utcTime(run.At), OK: rep.OK, Summary: run.Summary, Sample: run.Trigger == wif.TriggerSample}
	var skipped []views.CheckRow
	for _, row := range diagnose(conn, rep).refine(checkRows(rep.Checks)) {
		switch verify.Status(row.Status) {
		case verify.Fail:
			rv.Failed = append(rv.Failed, row)
		case verify.Warn:
			rv.Warned = append(rv.Warned, row)
		case verify.Pass:
			rv.Passed = append(rv.Passed, row)
		default:
			skipped = append(skipped, row)
		}
	}
	rv.NotPassed = append(append(append(rv.NotPassed, rv.Failed...), rv.Warned...), skipped...)
	return rv
}

func utcTime(t time.Time) string { return t.UTC().Format("2006-01-02 15:04:05 UTC") }
