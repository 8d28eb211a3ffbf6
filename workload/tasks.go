package workload

import (
	"fmt"
	"strings"

	"github.com/wifwiz/wifwiz/verify"
	"github.com/wifwiz/wifwiz/wif"
)

// Task states of the hand-off checklist.
const (
	TaskDone    = "done"       // wifwiz has seen it done
	TaskOpen    = "open"       // something must be done
	TaskConfirm = "to confirm" // wifwiz cannot see it: the new owner confirms it
)

// Who does a task.
const (
	OwnerConnection = "connection owner"
	OwnerAuthentik  = "authentik admin"
	OwnerConsole    = "Anthropic Console admin"
	OwnerWorkload   = "workload owner"
)

// Task is one item of the hand-off checklist: what to do, who does it, and how it stands.
type Task struct {
	Title  string
	Owner  string
	State  string // TaskDone, TaskOpen or TaskConfirm
	Detail string
}

// Tasks are what the person taking the connection over checks or does, from what wifwiz
// recorded: the verification, the settings it failed on by side, the open warnings, the
// secret's place, and what only the workload's owner can see.
func (cl Checklist) Tasks() []Task {
	tasks := []Task{cl.verificationTask()}
	tasks = append(tasks, cl.fixTasks()...)
	if cl.LastRun != nil {
		tasks = append(tasks, cl.warningsTask())
	}
	tasks = append(tasks, cl.secretTask(),
		Task{Title: "The workload has the environment below, and neither ANTHROPIC_API_KEY nor ANTHROPIC_AUTH_TOKEN",
			Owner: OwnerWorkload, State: TaskConfirm, Detail: "Either variable takes precedence over federation."},
		Task{Title: "One token refresher per workload process keeps its identity token file fresh",
			Owner: OwnerWorkload, State: TaskConfirm, Detail: "Each exchange uses up the token in the file; see the token refresh setups."},
		Task{Title: "Audits re-verify the connection regularly", Owner: OwnerConnection, State: TaskConfirm,
			Detail: "For example a scheduled wifwiz audit; it reports drift such as a rotated key."})
	return tasks
}

func (cl Checklist) verificationTask() Task {
	t := Task{Title: "Verification passes with these settings", Owner: OwnerConnection, State: TaskOpen}
	run := cl.LastRun
	switch {
	case run == nil:
		t.Detail = "Never verified: verify it on the connection page or with wifwiz check."
	case run.Stale:
		t.Detail = fmt.Sprintf("The settings changed after the last verification (%s): verify again.", mdTime(run.At))
	case !run.OK:
		t.Detail = fmt.Sprintf("The last verification (%s) failed on %s.", mdTime(run.At), strings.Join(failedIDs(run.Checks), ", "))
	default:
		t.State, t.Detail = TaskDone, fmt.Sprintf("Passed on %s (%s).", mdTime(run.At), run.Trigger)
	}
	return t
}

func failedIDs(checks []verify.Check) []string {
	var ids []string
	for _, ch := range checks {
		if ch.Status == verify.Fail {
			ids = append(ids, ch.ID)
		}
	}
	return ids
}

// fixTasks name the settings the last run failed on, one task per side that has any.
func (cl Checklist) fixTasks() []Task {
	verdicts := cl.verdicts()
	var authentik, console []string
	for i, f := range wif.Fields {
		if verdicts[f.Name] != verify.Fail {
			continue
		}
		if i < consoleStart() {
			authentik = append(authentik, f.Label)
		} else {
			console = append(console, f.Label)
		}
	}
	var tasks []Task
	if len(authentik) > 0 {
		tasks = append(tasks, Task{Title: "Fix the authentik settings the verification failed on", Owner: OwnerAuthentik,
			State: TaskOpen, Detail: strings.Join(authentik, ", ") + ": see Checks that did not pass."})
	}
	if len(console) > 0 {
		tasks = append(tasks, Task{Title: "Fix the Console settings the verification failed on", Owner: OwnerConsole,
			State: TaskOpen, Detail: strings.Join(console, ", ") + ": see Checks that did not pass."})
	}
	return tasks
}

func (cl Checklist) warningsTask() Task {
	t := Task{Title: "No warning is left open", Owner: OwnerConnection, State: TaskDone, Detail: "None is open."}
	if n := len(cl.OpenWarnings()); n > 0 {
		t.State, t.Detail = TaskOpen, fmt.Sprintf("%d open: see Open warnings.", n)
	}
	return t
}

func (cl Checklist) secretTask() Task {
	t := Task{Title: "The client secret is where audits and the token refresher run", Owner: OwnerAuthentik, State: TaskOpen}
	ref, malformed := secretRef(cl.Connection)
	switch {
	case malformed:
		t.Detail = "The recorded reference is not of the form env:NAME or file:/path: see Where the secret lives."
	case ref == "":
		t.Detail = "No reference is recorded: record where it lives (env:NAME or file:/path) in the wizard's sample token step."
	case cl.SecretUsable:
		t.State, t.Detail = TaskDone, "At "+ref+"; wifwiz read it when it made this checklist."
	default:
		t.Detail = "Recorded at " + ref + ", which does not resolve where wifwiz made this checklist."
	}
	return t
}
