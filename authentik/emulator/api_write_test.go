package emulator

import (
	"bytes"
	"encoding/json"
	"net/http"
	"reflect"
	"strings"
	"testing"

	"github.com/wifwiz/wifwiz/wif"
)

// apiCall sends a JSON body (nil: none) with the Bearer token.
func apiCall(t testing.TB, c *http.Client, method, u, token string, body any) answer {
	t.Helper()
	var rd *bytes.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			t.Fatal(err)
		}
		rd = bytes.NewReader(b)
	} else {
		rd = bytes.NewReader(nil)
	}
	req, err := http.NewRequest(method, u, rd)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	return do(t, c, req)
}

// apiFixture is an emulator with the references a provider needs, looked up like a client would.
type apiFixture struct {
	e                   *Emulator
	c                   *http.Client
	api                 string
	authFlow, invalFlow string
	openid, profile     string
}

func newAPIFixture(t *testing.T, opts ...Option) apiFixture {
	t.Helper()
	e := mustStart(t, opts...)
	f := apiFixture{e: e, c: trustingClient(t, e), api: e.URL() + "/api/v3"}
	f.authFlow = f.only(t, "/flows/instances/?designation=authorization&slug=default-provider-authorization-implicit-consent")["pk"].(string)
	f.invalFlow = f.only(t, "/flows/instances/?designation=invalidation&slug=default-provider-invalidation-flow")["pk"].(string)
	f.openid = f.only(t, "/propertymappings/provider/scope/?scope_name=openid")["pk"].(string)
	f.profile = f.only(t, "/propertymappings/provider/scope/?managed=goauthentik.io/providers/oauth2/scope-profile")["pk"].(string)
	return f
}

func (f apiFixture) call(t testing.TB, method, path string, body any) answer {
	t.Helper()
	return apiCall(t, f.c, method, f.api+path, f.e.APIToken(), body)
}

// only is the single result of a list.
func (f apiFixture) only(t testing.TB, path string) map[string]any {
	t.Helper()
	a := f.call(t, http.MethodGet, path, nil)
	results, _ := a.json(t)["results"].([]any)
	if a.status != http.StatusOK || len(results) != 1 {
		t.Fatalf("GET %s: HTTP %d, %d results: %s", path, a.status, len(results), a.body)
	}
	return results[0].(map[string]any)
}

func (f apiFixture) providerBody(name string, extra map[string]any) map[string]any {
	body := map[string]any{"name": name, "authorization_flow": f.authFlow, "invalidation_flow": f.invalFlow,
		"redirect_uris": []any{}, "property_mappings": []string{f.openid, f.profile}}
	for k, v := range extra {
		body[k] = v
	}
	return body
}

// create posts an object and returns it, failing unless the answer is 201.
func (f apiFixture) create(t testing.TB, path string, body any) map[string]any {
	t.Helper()
	a := f.call(t, http.MethodPost, path, body)
	if a.status != http.StatusCreated {
		t.Fatalf("POST %s: HTTP %d %s", path, a.status, a.body)
	}
	return a.json(t)
}

// A provider and an application created through the admin API (providers/oauth2 and
// core/applications viewsets) serve discovery, JWKS and tokens at once, with the settings given:
// signing key, subject mode, access_token_validity in authentik's syntax, issuer mode; no
// signing key gives HS256 and a {} JWKS, an encryption key JWEs.
func TestAPICreatedProviderServesTokens(t *testing.T) {
	f := newAPIFixture(t)
	selfSigned := f.only(t, "/crypto/certificatekeypairs/?name="+strings.ReplaceAll(SelfSignedName, " ", "%20"))
	prov := f.create(t, "/providers/oauth2/", f.providerBody("Batch WIF", map[string]any{
		"signing_key": selfSigned["pk"], "sub_mode": "user_username", "access_token_validity": "hours=1;minutes=30",
		"include_claims_in_id_token": true,
	}))
	if prov["client_secret"] == "" || len(prov["client_id"].(string)) != 40 || prov["assigned_application_slug"] != nil {
		t.Fatalf("created provider %v", prov)
	}
	slug := "batch"
	if a := f.e.URL() + "/application/o/batch/jwks/"; get(t, f.c, a).status != http.StatusNotFound {
		t.Fatal("JWKS served before an application binds the provider")
	}
	app := f.create(t, "/core/applications/", map[string]any{"name": "Batch", "slug": slug, "provider": prov["pk"]})
	if app["provider"] != prov["pk"] || app["provider_obj"].(map[string]any)["assigned_application_slug"] != slug {
		t.Fatalf("created application %v", app)
	}
	p := Provider{ClientID: prov["client_id"].(string), ClientSecret: prov["client_secret"].(string)}

	doc := get(t, f.c, f.e.URL()+"/application/o/batch/.well-known/openid-configuration").json(t)
	if doc["issuer"] != f.e.IssuerURL(slug) {
		t.Errorf("discovery issuer %v", doc["issuer"])
	}
	body := tokens(t, f.c, f.e.URL(), p, "openid profile")
	header, claims := verify(t, body["id_token"].(string), fetchJWKS(t, f.c, f.e.URL()+"/application/o/batch/jwks/"))
	if header["alg"] != "RS256" || header["kid"] != f.e.SelfSigned().KID {
		t.Errorf("header %v, want RS256 with the self-signed keypair's kid", header)
	}
	if claims["sub"] != "ak-Batch WIF-client_credentials" || claims["iss"] != f.e.IssuerURL(slug) ||
		claims["aud"] != p.ClientID || body["expires_in"] != float64(5400) || body["scope"] != "openid profile" {
		t.Errorf("token %v claims %v", body, claims)
	}
	if claims["name"] != "Autogenerated user from application Batch (client credentials)" {
		t.Errorf("name %v: authentik names the account after the application", claims["name"])
	}

	pk := "/providers/oauth2/" + jsonNumber(prov["pk"]) + "/"
	if a := f.call(t, http.MethodPatch, pk, map[string]any{"issuer_mode": "global"}); a.status != http.StatusOK {
		t.Fatalf("PATCH issuer_mode: HTTP %d %s", a.status, a.body)
	}
	if _, claims := decodeJWT(t, tokens(t, f.c, f.e.URL(), p, "openid")["id_token"].(string)); claims["iss"] != f.e.URL()+"/" {
		t.Errorf("global issuer: iss %v", claims["iss"])
	}

	if a := f.call(t, http.MethodPatch, pk, map[string]any{"signing_key": nil}); a.status != http.StatusOK || a.json(t)["signing_key"] != nil {
		t.Fatalf("PATCH signing_key null: HTTP %d %s", a.status, a.body)
	}
	if a := get(t, f.c, f.e.URL()+"/application/o/batch/jwks/"); string(a.body) != "{}" {
		t.Errorf("JWKS without a signing key: %s, want {}", a.body)
	}
	assertStrings(t, get(t, f.c, f.e.URL()+"/application/o/batch/.well-known/openid-configuration").json(t)["id_token_signing_alg_values_supported"], []string{"HS256"})
	if header, _ := decodeJWT(t, tokens(t, f.c, f.e.URL(), p, "openid")["id_token"].(string)); header["alg"] != "HS256" || header["kid"] != nil {
		t.Errorf("header without a signing key %v", header)
	}

	enc := f.only(t, "/crypto/certificatekeypairs/?has_key=true&key_type=rsa")
	if a := f.call(t, http.MethodPatch, pk, map[string]any{"signing_key": enc["pk"], "encryption_key": enc["pk"]}); a.status != http.StatusOK {
		t.Fatalf("PATCH encryption_key: HTTP %d %s", a.status, a.body)
	}
	if token := tokens(t, f.c, f.e.URL(), p, "openid")["id_token"].(string); strings.Count(token, ".") != 4 {
		t.Errorf("with an encryption key the token has %d dots, want a 5-part JWE", strings.Count(token, "."))
	}
}

func jsonNumber(v any) string {
	b, _ := json.Marshal(v)
	return string(b)
}

// Field errors come back as DRF's 400 body: field → messages (serializers of the provider and
// application viewsets, authentik's timedelta validator, the unique constraints).
func TestAPIValidationErrors(t *testing.T) {
	f := newAPIFixture(t)
	existing := f.create(t, "/providers/oauth2/", f.providerBody("taken", map[string]any{"client_id": "taken-id"}))
	f.create(t, "/core/applications/", map[string]any{"name": "Taken", "slug": "taken", "provider": existing["pk"]})
	good := f.providerBody("fresh", nil)
	without := func(key string) map[string]any {
		b := f.providerBody("fresh", nil)
		delete(b, key)
		return b
	}
	with := func(key string, v any) map[string]any {
		b := f.providerBody("fresh", nil)
		b[key] = v
		return b
	}
	for name, tc := range map[string]struct {
		path string
		body any
		want map[string]any
	}{
		"NoName":             {"/providers/oauth2/", without("name"), map[string]any{"name": []any{"This field is required."}}},
		"NoAuthorization":    {"/providers/oauth2/", without("authorization_flow"), map[string]any{"authorization_flow": []any{"This field is required."}}},
		"NoInvalidation":     {"/providers/oauth2/", without("invalidation_flow"), map[string]any{"invalidation_flow": []any{"This field is required."}}},
		"NoRedirectURIs":     {"/providers/oauth2/", without("redirect_uris"), map[string]any{"redirect_uris": []any{"This field is required."}}},
		"BlankName":          {"/providers/oauth2/", with("name", "  "), map[string]any{"name": []any{"This field may not be blank."}}},
		"DuplicateName":      {"/providers/oauth2/", with("name", "taken"), map[string]any{"name": []any{"provider with this name already exists."}}},
		"DuplicateClientID":  {"/providers/oauth2/", with("client_id", "taken-id"), map[string]any{"client_id": []any{"OAuth2/OpenID Provider with this Client ID already exists."}}},
		"BadSubMode":         {"/providers/oauth2/", with("sub_mode", "nickname"), map[string]any{"sub_mode": []any{`"nickname" is not a valid choice.`}}},
		"BadValidity":        {"/providers/oauth2/", with("access_token_validity", "fortnights=1"), map[string]any{"access_token_validity": []any{"fortnights=1 is not in the correct format of 'hours=3;minutes=1'."}}},
		"UnknownSigningKey":  {"/providers/oauth2/", with("signing_key", "00000000-0000-4000-8000-000000000000"), map[string]any{"signing_key": []any{`Invalid pk "00000000-0000-4000-8000-000000000000" - object does not exist.`}}},
		"MalformedFlow":      {"/providers/oauth2/", with("authorization_flow", "implicit"), map[string]any{"authorization_flow": []any{"“implicit” is not a valid UUID."}}},
		"NumberAsFlow":       {"/providers/oauth2/", with("invalidation_flow", 7), map[string]any{"invalidation_flow": []any{"Incorrect type. Expected pk value, received int."}}},
		"BadBoolean":         {"/providers/oauth2/", with("include_claims_in_id_token", "maybe"), map[string]any{"include_claims_in_id_token": []any{"Must be a valid boolean."}}},
		"RedirectURIsString": {"/providers/oauth2/", with("redirect_uris", "https://a.example/cb"), map[string]any{"redirect_uris": map[string]any{"non_field_errors": []any{`Expected a list of items but got type "str".`}}}},
		"RedirectURIItem": {"/providers/oauth2/", with("redirect_uris", []any{map[string]any{"matching_mode": "strict", "url": "https://a.example/cb"}, map[string]any{"matching_mode": "glob"}}),
			map[string]any{"redirect_uris": []any{map[string]any{}, map[string]any{"matching_mode": []any{`"glob" is not a valid choice.`}, "url": []any{"This field is required."}}}}},
		"AppNoSlug":        {"/core/applications/", map[string]any{"name": "x"}, map[string]any{"slug": []any{"This field is required."}}},
		"AppBadSlug":       {"/core/applications/", map[string]any{"name": "x", "slug": "a b"}, map[string]any{"slug": []any{`Enter a valid "slug" consisting of letters, numbers, underscores or hyphens.`}}},
		"AppDuplicateSlug": {"/core/applications/", map[string]any{"name": "x", "slug": "taken"}, map[string]any{"slug": []any{"Application with this slug already exists."}}},
		"AppUnknownProvider": {"/core/applications/", map[string]any{"name": "x", "slug": "x", "provider": 999},
			map[string]any{"provider": []any{`Invalid pk "999" - object does not exist.`}}},
		"AppProviderTaken": {"/core/applications/", map[string]any{"name": "x", "slug": "x", "provider": existing["pk"]},
			map[string]any{"provider": []any{"Application with this provider already exists."}}},
	} {
		t.Run(name, func(t *testing.T) {
			a := f.call(t, http.MethodPost, tc.path, tc.body)
			if a.status != http.StatusBadRequest {
				t.Fatalf("HTTP %d %s, want 400", a.status, a.body)
			}
			if got := a.json(t); !reflect.DeepEqual(got, tc.want) {
				t.Errorf("errors %v, want %v", got, tc.want)
			}
		})
	}
	t.Run("PatchNeedsNoRequiredField", func(t *testing.T) {
		a := f.call(t, http.MethodPatch, "/providers/oauth2/"+jsonNumber(existing["pk"])+"/", map[string]any{"access_token_validity": "minutes=10"})
		if a.status != http.StatusOK || a.json(t)["access_token_validity"] != "minutes=10" {
			t.Errorf("PATCH: HTTP %d %s", a.status, a.body)
		}
	})
	t.Run("PutNeedsEveryRequiredField", func(t *testing.T) {
		a := f.call(t, http.MethodPut, "/providers/oauth2/"+jsonNumber(existing["pk"])+"/", map[string]any{"name": "taken"})
		if got := a.json(t); a.status != http.StatusBadRequest || got["authorization_flow"] == nil || got["redirect_uris"] == nil || got["name"] != nil {
			t.Errorf("PUT with only the name: HTTP %d %s", a.status, a.body)
		}
	})
	t.Run("NotJSON", func(t *testing.T) {
		req, _ := http.NewRequest(http.MethodPost, f.api+"/providers/oauth2/", strings.NewReader("name=x"))
		req.Header.Set("Authorization", "Bearer "+f.e.APIToken())
		if a := do(t, f.c, req); a.status != http.StatusBadRequest || a.json(t)["detail"] == nil {
			t.Errorf("form body: HTTP %d %s", a.status, a.body)
		}
	})
	if a := f.call(t, http.MethodPost, "/providers/oauth2/", good); a.status != http.StatusCreated {
		t.Errorf("the good body was refused: HTTP %d %s", a.status, a.body)
	}
}

// Lists are filtered and paginated as authentik's (the viewsets' filterset_fields, authentik's
// Pagination envelope).
func TestAPIListsFilterAndPaginate(t *testing.T) {
	f := newAPIFixture(t)
	var pks []any
	for _, name := range []string{"c-prov", "a-prov", "b-prov"} {
		pks = append(pks, f.create(t, "/providers/oauth2/", f.providerBody(name, map[string]any{"client_id": name + "-id"}))["pk"])
	}
	app := f.create(t, "/core/applications/", map[string]any{"name": "B", "slug": "b", "provider": pks[2]})

	if got := f.only(t, "/providers/oauth2/?client_id=a-prov-id"); got["name"] != "a-prov" {
		t.Errorf("client_id filter: %v", got["name"])
	}
	if got := f.only(t, "/providers/oauth2/?name=c-prov"); got["client_id"] != "c-prov-id" {
		t.Errorf("name filter: %v", got["client_id"])
	}
	if got := f.only(t, "/providers/oauth2/?application="+app["pk"].(string)); got["name"] != "b-prov" || got["assigned_application_slug"] != "b" {
		t.Errorf("application filter: %v", got)
	}
	if a := f.call(t, http.MethodGet, "/providers/oauth2/?application=00000000-0000-4000-8000-000000000000", nil); a.status != http.StatusBadRequest {
		t.Errorf("unknown application filter: HTTP %d", a.status)
	}

	a := f.call(t, http.MethodGet, "/providers/oauth2/?page_size=2&page=2", nil)
	body := a.json(t)
	want := map[string]any{"next": float64(0), "previous": float64(1), "count": float64(3), "current": float64(2),
		"total_pages": float64(2), "start_index": float64(3), "end_index": float64(3)}
	if !reflect.DeepEqual(body["pagination"], want) {
		t.Errorf("pagination %v, want %v", body["pagination"], want)
	}
	if results := body["results"].([]any); len(results) != 1 || results[0].(map[string]any)["name"] != "c-prov" {
		t.Errorf("page 2 of 2 by name: %v", results)
	}
	if a := f.call(t, http.MethodGet, "/providers/oauth2/?page=9", nil); a.status != http.StatusNotFound {
		t.Errorf("page 9: HTTP %d", a.status)
	}
	if got := f.only(t, "/core/applications/?slug=b"); got["name"] != "B" {
		t.Errorf("application list by slug: %v", got)
	}
}

// An API token whose user lacks write permissions gets 403 with DRF's detail on every write, and
// reads as usual.
func TestAPIReadOnlyToken(t *testing.T) {
	f := newAPIFixture(t, WithReadOnlyAPIToken("read-only"))
	p := mustAdd(t, f.e, Provider{Slug: "claude"})
	pk := "/providers/oauth2/" + jsonNumber(p.PK) + "/"
	for _, w := range []struct{ method, path string }{
		{http.MethodPost, "/providers/oauth2/"}, {http.MethodPut, pk}, {http.MethodPatch, pk}, {http.MethodDelete, pk},
		{http.MethodPost, "/core/applications/"}, {http.MethodPut, "/core/applications/claude/"},
		{http.MethodPatch, "/core/applications/claude/"}, {http.MethodDelete, "/core/applications/claude/"},
		{http.MethodPost, "/crypto/certificatekeypairs/generate/"},
	} {
		a := apiCall(t, f.c, w.method, f.api+w.path, "read-only", map[string]any{"name": "x"})
		if a.status != http.StatusForbidden || a.json(t)["detail"] != "You do not have permission to perform this action." {
			t.Errorf("%s %s: HTTP %d %s, want 403 with detail", w.method, w.path, a.status, a.body)
		}
	}
	if a := apiCall(t, f.c, http.MethodGet, f.api+pk, "read-only", nil); a.status != http.StatusOK {
		t.Errorf("read with the read-only token: HTTP %d", a.status)
	}
	if got, _ := f.e.Provider("claude"); got.Name != "claude" || got.Detached {
		t.Errorf("a refused write changed the provider: %+v", got)
	}
}

// DELETE answers 204; deleting the application unbinds the provider (its discovery is gone and
// the token endpoint refuses with invalid_grant); deleting the provider empties the
// application's provider.
func TestAPIDelete(t *testing.T) {
	f := newAPIFixture(t)
	p := mustAdd(t, f.e, Provider{Slug: "claude"})
	q := mustAdd(t, f.e, Provider{Slug: "other"})
	if a := f.call(t, http.MethodDelete, "/core/applications/claude/", nil); a.status != http.StatusNoContent {
		t.Fatalf("DELETE application: HTTP %d", a.status)
	}
	if a := get(t, f.c, f.e.URL()+"/application/o/claude/.well-known/openid-configuration"); a.status != http.StatusNotFound {
		t.Errorf("discovery after the application is deleted: HTTP %d", a.status)
	}
	if got, _ := wif.ParseAuthentikError(postForm(t, f.c, f.e.URL()+"/application/o/token/", credentials(p, "openid")).body); got.Code != "invalid_grant" {
		t.Errorf("token without an application: %q, want invalid_grant", got.Code)
	}
	if a := f.call(t, http.MethodDelete, "/providers/oauth2/"+jsonNumber(q.PK)+"/", nil); a.status != http.StatusNoContent {
		t.Fatalf("DELETE provider: HTTP %d", a.status)
	}
	if a := f.call(t, http.MethodGet, "/providers/oauth2/"+jsonNumber(q.PK)+"/", nil); a.status != http.StatusNotFound {
		t.Errorf("deleted provider: HTTP %d", a.status)
	}
	if app := f.call(t, http.MethodGet, "/core/applications/other/", nil).json(t); app["provider"] != nil {
		t.Errorf("application of a deleted provider: provider %v", app["provider"])
	}
	if got, _ := wif.ParseAuthentikError(postForm(t, f.c, f.e.URL()+"/application/o/token/", credentials(q, "openid")).body); got.Code != "invalid_client" {
		t.Errorf("token of a deleted provider: %q, want invalid_client", got.Code)
	}
}

// The objects a provider refers to: the default flows by designation and slug, the managed scope
// mappings (managed, scope_name filters), keypairs (has_key, key_type; private_key_available),
// keypair generation and the version.
func TestAPICatalog(t *testing.T) {
	f := newAPIFixture(t, WithVersion("2025.12.4"))
	list := func(path string) []string {
		var names []string
		for _, r := range f.call(t, http.MethodGet, path, nil).json(t)["results"].([]any) {
			names = append(names, r.(map[string]any)["name"].(string)+"|"+str(r.(map[string]any)["slug"])+str(r.(map[string]any)["scope_name"]))
		}
		return names
	}
	assertStrings(t, toAny(list("/flows/instances/?designation=authorization")), []string{
		"Authorize Application|default-provider-authorization-explicit-consent", "Authorize Application|default-provider-authorization-implicit-consent"})
	if a := f.call(t, http.MethodGet, "/flows/instances/default-provider-invalidation-flow/", nil); a.json(t)["designation"] != "invalidation" {
		t.Errorf("flow by slug: %s", a.body)
	}
	assertStrings(t, toAny(list("/propertymappings/provider/scope/?managed=goauthentik.io/providers/oauth2/scope-openid&managed=goauthentik.io/providers/oauth2/scope-email")),
		[]string{"authentik default OAuth Mapping: OpenID 'email'|email", "authentik default OAuth Mapping: OpenID 'openid'|openid"})

	if _, err := f.e.AddKeypair(KeypairSpec{Name: "imported", NoPrivateKey: true}); err != nil {
		t.Fatal(err)
	}
	if _, err := f.e.AddKeypair(KeypairSpec{Name: "edwards", Type: KeyEd25519}); err != nil {
		t.Fatal(err)
	}
	if _, err := f.e.AddKeypair(KeypairSpec{Name: "edwards"}); err == nil {
		t.Error("a second keypair with the same name was accepted")
	}
	assertStrings(t, toAny(list("/crypto/certificatekeypairs/")), []string{"authentik Self-signed Certificate|", "edwards|", "imported|"})
	assertStrings(t, toAny(list("/crypto/certificatekeypairs/?has_key=true")), []string{"authentik Self-signed Certificate|", "edwards|"})
	assertStrings(t, toAny(list("/crypto/certificatekeypairs/?has_key=true&key_type=rsa&key_type=ec")), []string{"authentik Self-signed Certificate|"})
	imported := f.only(t, "/crypto/certificatekeypairs/?name=imported")
	if imported["private_key_available"] != false || imported["key_type"] != "rsa" || !strings.Contains(imported["fingerprint_sha256"].(string), ":") {
		t.Errorf("keypair without a private key: %v", imported)
	}
	gen := f.call(t, http.MethodPost, "/crypto/certificatekeypairs/generate/", map[string]any{"common_name": "wif-ec", "validity_days": 365, "alg": "ecdsa"})
	if got := gen.json(t); gen.status != http.StatusOK || got["key_type"] != "ec" || got["private_key_available"] != true {
		t.Errorf("generate: HTTP %d %s", gen.status, gen.body)
	}
	if v := f.call(t, http.MethodGet, "/admin/version/", nil).json(t); v["version_current"] != "2025.12.4" {
		t.Errorf("version %v", v)
	}
}

func str(v any) string {
	s, _ := v.(string)
	return s
}

// From 2026.5 providers have grant_types and the token endpoint refuses a grant the provider
// lacks with invalid_grant (token/base.py, cause grant_type_not_configured); an empty list is
// refused by the API. Before 2026.5 there is no such field, and one sent is ignored.
func TestAPIGrantTypes(t *testing.T) {
	t.Run("2026.5", func(t *testing.T) {
		f := newAPIFixture(t, WithVersion("2026.5.0"))
		p := mustAdd(t, f.e, Provider{Slug: "claude"})
		pk := "/providers/oauth2/" + jsonNumber(p.PK) + "/"
		if got := f.call(t, http.MethodGet, pk, nil).json(t)["grant_types"]; len(got.([]any)) != len(allGrantTypes) {
			t.Errorf("grant_types %v, want all", got)
		}
		tokens(t, f.c, f.e.URL(), p, "openid")
		if a := f.call(t, http.MethodPatch, pk, map[string]any{"grant_types": []string{"authorization_code"}}); a.status != http.StatusOK {
			t.Fatalf("PATCH grant_types: HTTP %d %s", a.status, a.body)
		}
		a := postForm(t, f.c, f.e.URL()+"/application/o/token/", credentials(p, "openid"))
		if got, _ := wif.ParseAuthentikError(a.body); a.status != http.StatusBadRequest || got.Code != "invalid_grant" {
			t.Errorf("client_credentials not among grant_types: HTTP %d %s, want invalid_grant", a.status, a.body)
		}
		if a := f.call(t, http.MethodPatch, pk, map[string]any{"grant_types": []string{}}); a.status != http.StatusBadRequest ||
			!reflect.DeepEqual(a.json(t)["grant_types"], []any{"This list may not be empty."}) {
			t.Errorf("empty grant_types: HTTP %d %s", a.status, a.body)
		}
		if a := f.call(t, http.MethodPatch, pk, map[string]any{"grant_types": []string{"client_credentials"}}); a.status != http.StatusOK {
			t.Fatalf("PATCH grant_types: HTTP %d %s", a.status, a.body)
		}
		tokens(t, f.c, f.e.URL(), p, "openid")
	})
	t.Run("2026.2", func(t *testing.T) {
		f := newAPIFixture(t)
		p := mustAdd(t, f.e, Provider{Slug: "claude"})
		pk := "/providers/oauth2/" + jsonNumber(p.PK) + "/"
		a := f.call(t, http.MethodPatch, pk, map[string]any{"grant_types": []string{"authorization_code"}})
		if _, has := a.json(t)["grant_types"]; a.status != http.StatusOK || has {
			t.Errorf("PATCH grant_types before 2026.5: HTTP %d %s, want 200 without the field", a.status, a.body)
		}
		tokens(t, f.c, f.e.URL(), p, "openid")
	})
}

// Before 2024.12 redirect_uris is one newline-separated string, in and out.
func TestAPILegacyRedirectURIs(t *testing.T) {
	f := newAPIFixture(t, WithVersion("2024.10.5"))
	prov := f.create(t, "/providers/oauth2/", f.providerBody("old", map[string]any{"redirect_uris": "https://a.example/cb\nhttps://b.example/cb"}))
	if prov["redirect_uris"] != "https://a.example/cb\nhttps://b.example/cb" {
		t.Errorf("redirect_uris %q", prov["redirect_uris"])
	}
}

// A body that is JSON but not an object gets DRF's non_field_errors; one that is not JSON a
// parse error detail.
func TestAPIBodyShapes(t *testing.T) {
	f := newAPIFixture(t)
	for body, want := range map[string]string{`[]`: "non_field_errors", `null`: "non_field_errors", `{`: "detail"} {
		req, _ := http.NewRequest(http.MethodPost, f.api+"/core/applications/", strings.NewReader(body))
		req.Header.Set("Authorization", "Bearer "+f.e.APIToken())
		if a := do(t, f.c, req); a.status != http.StatusBadRequest || a.json(t)[want] == nil {
			t.Errorf("%s: HTTP %d %s, want 400 with %s", body, a.status, a.body, want)
		}
	}
}

// Changing an API-made provider through the Go API keeps what it was made with: no scope
// mappings stays none.
func TestUpdateKeepsEmptyScopes(t *testing.T) {
	f := newAPIFixture(t)
	prov := f.create(t, "/providers/oauth2/", f.providerBody("bare", map[string]any{"property_mappings": []string{}}))
	f.create(t, "/core/applications/", map[string]any{"name": "Bare", "slug": "bare", "provider": prov["pk"]})
	if err := f.e.Update("bare", func(p *Provider) { p.Validity = "minutes=5" }); err != nil {
		t.Fatal(err)
	}
	got := f.call(t, http.MethodGet, "/providers/oauth2/"+jsonNumber(prov["pk"])+"/", nil).json(t)
	if m := got["property_mappings"].([]any); len(m) != 0 || got["access_token_validity"] != "minutes=5" {
		t.Errorf("after Update: property_mappings %v, validity %v", m, got["access_token_validity"])
	}
}
