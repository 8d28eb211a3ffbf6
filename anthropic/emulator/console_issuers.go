package emulator

import (
	"fmt"
	"net/http"
)

const defaultMaxJWTLifetime = 3600

func (c *console) issuer(id string) (*FederationIssuer, *apiError) {
	if i := c.issuers[id]; i != nil {
		return i, nil
	}
	return nil, notFound("federation issuer", id)
}

func issuerSeq(i *FederationIssuer) int64     { return i.seq }
func issuerArchived(i *FederationIssuer) bool { return i.ArchivedAt != nil }

func listIssuers(c *call) (any, *apiError) {
	q := c.r.URL.Query()
	withArchived, e := includeArchived(q)
	if e != nil {
		return nil, e
	}
	return paginate(q, newestFirst(c.c.issuers, issuerSeq, issuerArchived, withArchived))
}

func getIssuer(c *call) (any, *apiError) {
	return c.c.issuer(c.r.PathValue("id"))
}

var issuerFields = []string{"name", "issuer_url", "jwks", "max_jwt_lifetime_seconds", "check_jti"}

func createIssuer(c *call) (any, *apiError) {
	b, e := readBody(c.r, issuerFields...)
	if e != nil {
		return nil, e
	}
	i := FederationIssuer{Type: "federation_issuer", MaxJWTLifetimeSeconds: defaultMaxJWTLifetime, CheckJTI: true, JWKS: JWKSSource{Type: "discovery"}}
	if !b.has("name") {
		return nil, badField("name", "Field required")
	}
	if !b.has("issuer_url") {
		return nil, badField("issuer_url", "Field required")
	}
	if e := c.c.applyIssuer(b, &i, ""); e != nil {
		return nil, e
	}
	i.ID, i.CreatedAt, i.UpdatedAt, i.seq = "fdis_"+randomID(), c.now, c.now, c.c.next()
	c.c.issuers[i.ID] = &i
	return i, nil
}

// applyIssuer reads the issuer fields present in b into i and checks the result; self is the
// issuer's own ID on an update.
func (c *console) applyIssuer(b body, i *FederationIssuer, self string) *apiError {
	if _, e := b.str("", "name", &i.Name); e != nil {
		return e
	}
	if _, e := b.str("", "issuer_url", &i.IssuerURL); e != nil {
		return e
	}
	if _, e := b.integer("max_jwt_lifetime_seconds", &i.MaxJWTLifetimeSeconds); e != nil {
		return e
	}
	if _, e := b.boolean("check_jti", &i.CheckJTI); e != nil {
		return e
	}
	jb, e := b.object("", "jwks")
	if e != nil {
		return e
	}
	if jb != nil {
		if i.JWKS, e = c.decodeJWKS(jb, i.IssuerURL); e != nil {
			return e
		}
	}
	return c.checkIssuer(*i, self)
}

func (c *console) checkIssuer(i FederationIssuer, self string) *apiError {
	if e := checkName(i.Name); e != nil {
		return e
	}
	if i.IssuerURL == "" {
		return badField("issuer_url", "String should have at least 1 character")
	}
	if e := checkRange("max_jwt_lifetime_seconds", i.MaxJWTLifetimeSeconds, 1, maxMaxJWTLifetime); e != nil {
		return e
	}
	if e := c.checkJWKS(i.JWKS, i.IssuerURL); e != nil {
		return e
	}
	for _, o := range c.issuers {
		switch {
		case o.ID == self || o.ArchivedAt != nil:
		case o.Name == i.Name:
			return conflict("name", "a federation issuer named %q already exists (%s)", i.Name, o.ID)
		case o.IssuerURL == i.IssuerURL:
			return conflict("issuer_url", "federation issuer %s already has issuer_url %q", o.ID, i.IssuerURL)
		}
	}
	return nil
}

func updateIssuer(c *call) (any, *apiError) {
	i, e := c.c.issuer(c.r.PathValue("id"))
	if e != nil {
		return nil, e
	}
	b, e := readBody(c.r, append(issuerFields, "jwks_polling_disabled")...)
	if e != nil {
		return nil, e
	}
	if i.ArchivedAt != nil {
		return nil, badField("federation_issuer_id", "federation issuer %s is archived and cannot be updated", i.ID)
	}
	if id := c.c.liveRuleUsing(func(r *FederationRule) bool { return r.IssuerID == i.ID && !oauthWritable(r.OAuthScope) }); id != "" {
		return nil, forbidden("federation issuer %s backs rule %s, whose scope needs a Console session to change", i.ID, id)
	}
	changed := *i
	if e := c.c.applyIssuer(b, &changed, i.ID); e != nil {
		return nil, e
	}
	var polling bool
	if sent, e := b.boolean("jwks_polling_disabled", &polling); e != nil || sent && polling {
		return nil, firstError(e, badField("jwks_polling_disabled", "only false is accepted (to re-enable polling)"))
	} else if sent {
		changed.JWKSPollingDisabledAt = nil
	}
	changed.UpdatedAt = c.now
	*i = changed
	return i, nil
}

func archiveIssuer(c *call) (any, *apiError) {
	i, e := c.c.issuer(c.r.PathValue("id"))
	if e != nil || i.ArchivedAt != nil {
		return i, e
	}
	if id := c.c.liveRuleUsing(func(r *FederationRule) bool { return r.IssuerID == i.ID }); id != "" {
		return nil, &apiError{http.StatusBadRequest, errInvalidReq, fmt.Sprintf("federation issuer %s is used by live federation rule %s; archive the rule first", i.ID, id)}
	}
	now := c.now
	i.ArchivedAt, i.UpdatedAt = &now, now
	return i, nil
}
