package actions

import (
	"context"
	"fmt"
	"strings"

	"github.com/wifwiz/wifwiz/rule"
	"github.com/wifwiz/wifwiz/wif"
)

// The wizard's steps.
const (
	StepBasics = iota + 1
	StepProvider
	StepSample
	StepConsole
	StepReport
	StepWorkload
	StepCount = StepWorkload
)

// StepEdit is one saved wizard step: Edited is Stored with the step's form bound onto it (and
// Version set to the version the form was rendered from).
type StepEdit struct {
	Stored     wif.Connection
	Edited     wif.Connection
	Step       int
	BindErrors wif.FieldErrors // what the form binding found (e.g. a lifetime that is not a number)
	Actor      string
}

// StepSaved is the outcome of SaveStep: field errors or a conflict leave the stored connection
// as it was; otherwise Connection is the saved one.
type StepSaved struct {
	Connection  wif.Connection
	Fields      wif.FieldErrors
	Conflict    string   // another tab or person saved first
	DroppedRefs []string // references dropped because their origin changed ("secret", …)
}

// OK is true when the step was saved.
func (r StepSaved) OK() bool { return len(r.Fields) == 0 && r.Conflict == "" }

// ValidateStep applies a wizard step's validation.
func ValidateStep(step int, c wif.Connection) wif.FieldErrors {
	switch step {
	case StepBasics:
		return wif.ValidateBasics(c)
	case StepProvider:
		fe := wif.ValidateProvider(c)
		fe.Add(wif.FieldProviderName, wif.ValidateBasics(c)[wif.FieldProviderName])
		return fe
	case StepSample:
		return wif.ValidateProvider(c)
	case StepConsole:
		fe := wif.ValidateConsole(c)
		if c.Condition != "" && !fe.Has(wif.FieldCondition) {
			if _, err := rule.Compile(c.Condition); err != nil {
				fe.Add(wif.FieldCondition, "CEL condition: "+strings.TrimPrefix(err.Error(), "condition: ")+" — Anthropic refuses such a rule.")
			}
		}
		return fe
	}
	return wif.FieldErrors{}
}

// SaveStep validates a web edit with its step's rules and the secret-reference rules, then
// saves it and marks the step done. A refused step stores nothing.
func (s *Service) SaveStep(ctx context.Context, e StepEdit) (StepSaved, error) {
	c := e.Edited
	fe := wif.FieldErrors{}
	fe.Merge(e.BindErrors)
	fe.Merge(ValidateStep(e.Step, c))
	dropped, refErrs := s.bindRefs(&e.Stored, &c, true)
	fe.Merge(refErrs)
	if len(fe) > 0 {
		return StepSaved{Fields: fe}, nil
	}
	c.Step = max(c.Step, e.Step)
	return s.update(ctx, c, e.Actor, dropped)
}

// MarkStep records that the wizard reached step (no field changes).
func (s *Service) MarkStep(ctx context.Context, c wif.Connection, step int, actor string) error {
	if c.Step >= step {
		return nil
	}
	c.Step = step
	err := s.store.UpdateConnection(ctx, &c, actor)
	if wif.ErrorCode(err) == wif.ECONFLICT {
		return nil // another save moved it on meanwhile; the step is a hint, not a setting
	}
	return err
}

func (s *Service) update(ctx context.Context, c wif.Connection, actor string, dropped []string) (StepSaved, error) {
	err := s.store.UpdateConnection(ctx, &c, actor)
	switch wif.ErrorCode(err) {
	case "":
	case wif.ECONFLICT:
		return StepSaved{Conflict: err.Error()}, nil
	case wif.EINVALID:
		if fields := wif.ErrorFields(err); fields != nil {
			return StepSaved{Fields: fields}, nil
		}
		return StepSaved{}, err
	default:
		return StepSaved{}, err
	}
	for _, what := range dropped {
		if err := s.store.AddEvent(ctx, &wif.Event{ConnectionID: c.ID, Kind: wif.EventEdited, Actor: actor,
			Detail: what + " reference dropped: the origin it is sent to changed since it was recorded"}); err != nil {
			return StepSaved{}, err
		}
	}
	return StepSaved{Connection: c, DroppedRefs: dropped}, nil
}

// CreateConnection creates a connection with only a name (the wizard's first page).
func (s *Service) CreateConnection(ctx context.Context, name, actor string) (*wif.Connection, wif.FieldErrors, error) {
	c := &wif.Connection{Name: name}
	if fe := wif.ValidateName(name); len(fe) > 0 {
		return nil, fe, nil
	}
	err := s.store.CreateConnection(ctx, c, actor)
	if fields := wif.ErrorFields(err); fields != nil {
		return nil, fields, nil
	}
	if err != nil {
		return nil, nil, err
	}
	return c, nil, nil
}

// CreateDemoConnection stores base (the demo issuer's pre-filled connection) under the first
// free name: demo, demo-2, …
func (s *Service) CreateDemoConnection(ctx context.Context, base wif.Connection, actor string) (*wif.Connection, error) {
	base.SecretRefOrigin = wif.SecretOrigin(base)
	for i := 1; i <= 100; i++ {
		conn := base
		if i > 1 {
			conn.Name = fmt.Sprintf("%s-%d", base.Name, i)
		}
		err := s.store.CreateConnection(ctx, &conn, actor)
		if err == nil {
			return &conn, nil
		}
		if wif.ErrorFields(err) == nil {
			return nil, err
		}
	}
	return nil, fmt.Errorf("no free name for a demo connection after %s-100: rename some", base.Name)
}
