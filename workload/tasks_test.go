package workload

import (
	"strings"
	"testing"

	"github.com/wifwiz/wifwiz/verify"
)

func taskStates(tasks []Task) map[string]Task {
	m := map[string]Task{}
	for _, t := range tasks {
		m[t.Title] = t
	}
	return m
}

const (
	taskVerified   = "Verification passes with these settings"
	taskWarnings   = "No warning is left open"
	taskSecret     = "The client secret is where audits and the token refresher run"
	taskFixAK      = "Fix the authentik settings the verification failed on"
	taskFixConsole = "Fix the Console settings the verification failed on"
)

func TestTasks(t *testing.T) {
	cases := []struct {
		name string
		cl   Checklist
		want map[string]string // title → state; a title absent from want must be absent
	}{
		{"Passing", Checklist{Connection: fullConnection(), LastRun: passingRun(), SecretUsable: true},
			map[string]string{taskVerified: TaskDone, taskWarnings: TaskOpen, taskSecret: TaskDone}},
		{"Failing", Checklist{Connection: fullConnection(), LastRun: failingRun()},
			map[string]string{taskVerified: TaskOpen, taskFixAK: TaskOpen, taskFixConsole: TaskOpen, taskWarnings: TaskDone, taskSecret: TaskOpen}},
		{"Never", Checklist{Connection: draftConnection()}, map[string]string{taskVerified: TaskOpen, taskSecret: TaskOpen}},
		{"Stale", Checklist{Connection: fullConnection(), LastRun: func() *LastRun { r := failingRun(); r.Stale = true; return r }()},
			map[string]string{taskVerified: TaskOpen, taskWarnings: TaskDone, taskSecret: TaskOpen}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got := taskStates(tc.cl.Tasks())
			for title, state := range tc.want {
				if got[title].State != state {
					t.Errorf("%q = %q, want %q", title, got[title].State, state)
				}
			}
			for _, title := range []string{taskFixAK, taskFixConsole, taskWarnings} {
				if _, want := tc.want[title]; !want && got[title].Title != "" {
					t.Errorf("unexpected task %q", title)
				}
			}
			for _, task := range tc.cl.Tasks() {
				if task.Owner == "" || task.Detail == "" {
					t.Errorf("task %q lacks an owner or a detail", task.Title)
				}
			}
		})
	}
	if d := taskStates(Checklist{Connection: fullConnection(), LastRun: failingRun()}.Tasks())[taskFixConsole].Detail; !strings.Contains(d, "Subject prefix") {
		t.Errorf("the Console fix task does not name the setting: %q", d)
	}
}

// TestMarkdownChecklistBoxes: done tasks are ticked, the others are open boxes to tick.
func TestMarkdownChecklistBoxes(t *testing.T) {
	md := Markdown(Checklist{Connection: fullConnection(), LastRun: passingRun(), SecretUsable: true}, Options{})
	_, section, _ := strings.Cut(md, "## Checklist\n\n")
	section, _, _ = strings.Cut(section, "\n\n")
	lines := strings.Split(section, "\n")
	if len(lines) < 5 {
		t.Fatalf("checklist has %d items:\n%s", len(lines), section)
	}
	for _, l := range lines {
		done := strings.HasPrefix(l, "- [x] ")
		if !done && !strings.HasPrefix(l, "- [ ] ") {
			t.Errorf("not a task list item: %q", l)
		}
		if done != strings.Contains(l, ") — done.") {
			t.Errorf("box and state disagree: %q", l)
		}
	}
}

// TestOpenWarningsIncludeWarnedChecks: a warned check is an open warning (never "None." under
// a warn row).
func TestOpenWarningsIncludeWarnedChecks(t *testing.T) {
	cl := Checklist{Connection: fullConnection(), LastRun: passingRun()}
	md := Markdown(cl, Options{})
	_, section, _ := strings.Cut(md, "## Open warnings\n\n")
	if strings.HasPrefix(section, "None.") || !strings.Contains(section, "issuer.public warned: the issuer host resolves to a private address") {
		t.Errorf("open warnings = %q", section)
	}
	cl.LastRun = &LastRun{OK: true, Checks: []verify.Check{{ID: verify.CheckClaimIss, Status: verify.Pass}}}
	if len(cl.OpenWarnings()) != 0 {
		t.Errorf("warnings for an all-pass run: %v", cl.OpenWarnings())
	}
}
