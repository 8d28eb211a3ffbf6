package wif

// The systems a plan changes.
const (
	SideAuthentik = "authentik"
	SideConsole   = "console"
)

// PlanAction is what applying a plan step does.
type PlanAction string

const (
	PlanCreate PlanAction = "create"
	PlanUpdate PlanAction = "update"
	PlanKeep   PlanAction = "no change"
)

// PlanField is one field of an object a plan creates or changes: its value now ("" when the
// object does not exist yet) and the value applying sets.
type PlanField struct {
	Name    string `json:"name"`
	Current string `json:"current"`
	Wanted  string `json:"wanted"`
}

// PlanStep is one object of authentik or the Console and what applying does to it.
type PlanStep struct {
	Side   string      `json:"side"`   // SideAuthentik or SideConsole
	Object string      `json:"object"` // e.g. "OAuth2 provider", "federation rule"
	Name   string      `json:"name"`
	ID     string      `json:"id,omitempty"` // the existing object's ID; empty when it is created
	Action PlanAction  `json:"action"`
	Fields []PlanField `json:"fields"` // create: every field set; update: those that differ
	Note   string      `json:"note,omitempty"`
}

// Plan is what `apply` would create or change for a connection, in the order it would do it.
type Plan struct {
	Connection string     `json:"connection"`
	Steps      []PlanStep `json:"steps"`
}

// Changes counts the steps that create or change something.
func (p Plan) Changes() int {
	n := 0
	for _, s := range p.Steps {
		if s.Action != PlanKeep {
			n++
		}
	}
	return n
}
