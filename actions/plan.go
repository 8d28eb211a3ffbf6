package actions

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"

	"github.com/wifwiz/wifwiz/wif"
)

// Credentials are the admin API tokens a plan or an apply uses, for that request only: never
// stored, logged or shown. An empty one is taken from the connection's reference, when it has one.
type Credentials struct {
	ConsoleToken   string // an Anthropic OAuth access token with the org:admin scope
	AuthentikToken string // an authentik API token
}

// PlanChoices are what the admin may choose instead of wifwiz's defaults.
type PlanChoices struct {
	OAuthScope    string // the rule's scope; default workspace:inference
	WorkspaceID   string // the workspace the rule and the service account's membership are for
	TokenLifetime int    // the rule's token lifetime in seconds; 0: from the connection
	SigningKey    string // the authentik keypair's name; empty: the first RSA/EC keypair with a private key
	SubjectMode   string // the provider's subject mode; default user_username
}

// PlanRequest asks what applying would do for a connection.
type PlanRequest struct {
	Connection  wif.Connection
	Side        string // wif.SideAuthentik, wif.SideConsole, or "" for both
	Credentials Credentials
	Choices     PlanChoices
	// ExpectDigest, when set, is the PlanDigest of the plan the admin consented to: Apply changes
	// nothing unless the plan it computes now is that one.
	ExpectDigest string
}

// PlanDigest identifies a plan's steps, so that consent given to one plan is not taken for
// another.
func PlanDigest(p wif.Plan) string {
	b, _ := json.Marshal(p.Steps)
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:])
}

// Applied is what an apply did: the plan it carried out, the connection with every created ID
// recorded, and — once, when a provider was created — its client secret, for the caller to hand
// to the admin and forget.
type Applied struct {
	Plan         wif.Plan
	Connection   wif.Connection
	ClientSecret string
}

// Plan reads the side(s) through their admin APIs and says, field by field, what Apply would
// create or change. It changes nothing.
func (s *Service) Plan(ctx context.Context, r PlanRequest) (wif.Plan, error) {
	plan := wif.Plan{Connection: r.Connection.Name}
	for _, side := range sides(r.Side) {
		steps, err := s.planSide(ctx, side, r)
		if err != nil {
			return plan, err
		}
		plan.Steps = append(plan.Steps, steps...)
	}
	return plan, nil
}

// Apply carries out what Plan says, side by side, and records every created or found ID on the
// stored connection. It is idempotent: a second apply finds what the first created and changes
// only what differs.
func (s *Service) Apply(ctx context.Context, r PlanRequest, actor string) (Applied, error) {
	out := Applied{Plan: wif.Plan{Connection: r.Connection.Name}, Connection: r.Connection}
	if r.ExpectDigest != "" {
		now, err := s.Plan(ctx, r)
		if err != nil {
			return out, err
		}
		if PlanDigest(now) != r.ExpectDigest {
			return out, wif.Errorf(wif.ECONFLICT, "The plan changed since it was shown (someone changed the Console, authentik or the connection meanwhile): nothing was applied. Review the new plan.")
		}
	}
	for _, side := range sides(r.Side) {
		r.Connection = out.Connection
		done, err := s.applySide(ctx, side, r)
		out.Plan.Steps = append(out.Plan.Steps, done.Plan.Steps...)
		if done.ClientSecret != "" {
			out.ClientSecret = done.ClientSecret
		}
		if done.Connection.ID != 0 {
			out.Connection = done.Connection
		}
		if err != nil {
			return out, err
		}
	}
	if err := s.store.UpdateConnection(ctx, &out.Connection, actor); err != nil {
		return out, fmt.Errorf("record the applied IDs on %q: %w", out.Connection.Name, err)
	}
	return out, nil
}

// sides is the order a plan covers them: authentik first, since the Console's issuer and rule
// are made from what authentik issues.
func sides(side string) []string {
	switch side {
	case wif.SideAuthentik, wif.SideConsole:
		return []string{side}
	}
	return []string{wif.SideAuthentik, wif.SideConsole}
}

// ValidSide reports whether side names a side (or both, when empty).
func ValidSide(side string) bool {
	return side == "" || side == "both" || side == wif.SideAuthentik || side == wif.SideConsole
}

func (s *Service) planSide(ctx context.Context, side string, r PlanRequest) ([]wif.PlanStep, error) {
	switch side {
	case wif.SideAuthentik:
		return s.planAuthentik(ctx, r)
	default:
		return s.planConsole(ctx, r)
	}
}

func (s *Service) applySide(ctx context.Context, side string, r PlanRequest) (Applied, error) {
	switch side {
	case wif.SideAuthentik:
		return s.applyAuthentik(ctx, r)
	default:
		return s.applyConsole(ctx, r)
	}
}
