package emulator

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"regexp"
)

// Objects an admin made in the Console before a client arrives, under IDs the caller chooses —
// so that something configured elsewhere (the built-in demo's connection) can name them. Each is
// created by the management API's own create call, with its fields and validation, then given
// its ID.

var (
	issuerIDPattern = regexp.MustCompile(`^fdis_[A-Za-z0-9_-]+$`)
	// seedCaller is an interactive Console session: the objects are as a person made them.
	seedCaller = ConsoleToken{Scopes: []string{scopeOrgAdmin}}
)

// AddServiceAccount creates a service account from the fields of a create request
// (POST /v1/organizations/service_accounts) under id (svac_…).
func (s *Server) AddServiceAccount(id string, fields any) (ServiceAccount, error) {
	var out ServiceAccount
	err := s.seed(id, serviceAcctPattern, fields, createAccount, func(c *console, made any) {
		out = *moveTo(c.accounts, made.(ServiceAccount).ID, id, func(a *ServiceAccount) { a.ID = id })
	})
	return out, err
}

// AddFederationIssuer creates an issuer from the fields of a create request
// (POST /v1/organizations/federation_issuers) under id (fdis_…).
func (s *Server) AddFederationIssuer(id string, fields any) (FederationIssuer, error) {
	var out FederationIssuer
	err := s.seed(id, issuerIDPattern, fields, createIssuer, func(c *console, made any) {
		out = *moveTo(c.issuers, made.(FederationIssuer).ID, id, func(i *FederationIssuer) { i.ID = id })
	})
	return out, err
}

// AddFederationRule creates a rule from the fields of a create request
// (POST /v1/organizations/federation_rules) under id (fdrl_…).
func (s *Server) AddFederationRule(id string, fields any) (FederationRule, error) {
	var out FederationRule
	err := s.seed(id, ruleIDPattern, fields, createRule, func(c *console, made any) {
		out = c.ruleView(moveTo(c.rules, made.(FederationRule).ID, id, func(r *FederationRule) { r.ID = id }))
	})
	return out, err
}

// moveTo files the object made under id instead, with setID giving it that ID.
func moveTo[T any](m map[string]*T, made, id string, setID func(*T)) *T {
	o := m[made]
	delete(m, made)
	setID(o)
	m[id] = o
	return o
}

// seed runs create on fields as an interactive caller; rekey moves the object made to id.
func (s *Server) seed(id string, pattern *regexp.Regexp, fields any, create consoleHandler, rekey func(c *console, made any)) error {
	if !pattern.MatchString(id) {
		return fmt.Errorf("emulator: %q is not an ID of the form %s", id, pattern)
	}
	data, err := json.Marshal(fields)
	if err != nil {
		return fmt.Errorf("emulator: encode the fields of %s: %w", id, err)
	}
	req, err := http.NewRequestWithContext(context.Background(), http.MethodPost, consolePrefix, bytes.NewReader(data))
	if err != nil {
		return fmt.Errorf("emulator: %w", err)
	}
	now := s.clock()
	s.cmu.Lock()
	defer s.cmu.Unlock()
	c := s.console
	if c.accounts[id] != nil || c.issuers[id] != nil || c.rules[id] != nil {
		return fmt.Errorf("emulator: Console object %s exists", id)
	}
	made, e := create(&call{r: req, token: seedCaller, now: now, c: c})
	if e != nil {
		return fmt.Errorf("emulator: create %s: %s", id, e.msg)
	}
	rekey(c, made)
	return nil
}
