package actions

import (
	"context"

	"github.com/wifwiz/wifwiz/wif"
)

// planConsole is the Console side of a plan: issuer, service account with its membership, rule.
func (s *Service) planConsole(ctx context.Context, r PlanRequest) ([]wif.PlanStep, error) {
	return nil, wif.Errorf(wif.EINVALID, "planning the Console side is not available yet")
}

func (s *Service) applyConsole(ctx context.Context, r PlanRequest) (Applied, error) {
	return Applied{}, wif.Errorf(wif.EINVALID, "applying the Console side is not available yet")
}
