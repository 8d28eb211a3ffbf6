package actions

import (
	"context"

	"github.com/wifwiz/wifwiz/wif"
)

// planAuthentik is the authentik side of a plan: the OAuth2 provider and its application.
func (s *Service) planAuthentik(ctx context.Context, r PlanRequest) ([]wif.PlanStep, error) {
	return nil, wif.Errorf(wif.EINVALID, "planning the authentik side is not available yet")
}

func (s *Service) applyAuthentik(ctx context.Context, r PlanRequest) (Applied, error) {
	return Applied{}, wif.Errorf(wif.EINVALID, "applying the authentik side is not available yet")
}
