package emulator

import (
	"crypto/sha1"
	"crypto/sha256"
	"encoding/hex"
	"net/http"
	"slices"
	"strings"
	"time"
)

// Flows, scope mappings, keypairs and the version: what a provider refers to.

type apiFlow struct {
	PK                string `json:"pk"`
	PolicyBindingPK   string `json:"policybindingmodel_ptr_id"`
	Name              string `json:"name"`
	Slug              string `json:"slug"`
	Title             string `json:"title"`
	Designation       string `json:"designation"`
	Background        string `json:"background"`
	PolicyEngineMode  string `json:"policy_engine_mode"`
	CompatibilityMode bool   `json:"compatibility_mode"`
	ExportURL         string `json:"export_url"`
	Layout            string `json:"layout"`
	DeniedAction      string `json:"denied_action"`
	Authentication    string `json:"authentication"`
}

func apiFlowOf(f *flow) apiFlow {
	return apiFlow{PK: f.uuid, PolicyBindingPK: f.uuid, Name: f.name, Slug: f.slug, Title: f.title, Designation: f.designation,
		Background: "/static/dist/assets/images/flow_background.jpg", PolicyEngineMode: "any",
		ExportURL: "/api/v3/flows/instances/" + f.slug + "/export/", Layout: "stacked", DeniedAction: "message_continue",
		Authentication: f.authentication}
}

func (e *Emulator) handleFlowList(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	e.mu.Lock()
	flows := slices.Clone(e.flows)
	e.mu.Unlock()
	slices.SortFunc(flows, func(a, b *flow) int { return strings.Compare(a.slug, b.slug) })
	results := []apiFlow{}
	for _, f := range flows {
		if q.Has("designation") && f.designation != q.Get("designation") || q.Has("slug") && f.slug != q.Get("slug") ||
			q.Has("name") && f.name != q.Get("name") || q.Has("flow_uuid") && f.uuid != q.Get("flow_uuid") {
			continue
		}
		results = append(results, apiFlowOf(f))
	}
	paginate(w, r, results)
}

func (e *Emulator) handleFlow(w http.ResponseWriter, r *http.Request) {
	e.mu.Lock()
	f := e.flowBySlugLocked(r.PathValue("slug"))
	e.mu.Unlock()
	if f == nil {
		writeJSON(w, http.StatusNotFound, apiDetail{"No Flow matches the given query."})
		return
	}
	writeJSON(w, http.StatusOK, apiFlowOf(f))
}

type apiScopeMapping struct {
	PK                string  `json:"pk"`
	Managed           *string `json:"managed"`
	Name              string  `json:"name"`
	Expression        string  `json:"expression"`
	Component         string  `json:"component"`
	VerboseName       string  `json:"verbose_name"`
	VerboseNamePlural string  `json:"verbose_name_plural"`
	MetaModelName     string  `json:"meta_model_name"`
	ScopeName         string  `json:"scope_name"`
	Description       string  `json:"description"`
}

func apiScopeMappingOf(m *scopeMapping) apiScopeMapping {
	return apiScopeMapping{PK: m.uuid, Managed: nullable(m.managed), Name: m.name, Expression: m.expression,
		Component: "ak-property-mapping-provider-scope-form", VerboseName: "Scope Mapping", VerboseNamePlural: "Scope Mappings",
		MetaModelName: "authentik_providers_oauth2.scopemapping", ScopeName: m.scopeName, Description: m.description}
}

func (e *Emulator) handleScopeMappingList(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	e.mu.Lock()
	mappings := slices.Clone(e.mappings)
	e.mu.Unlock()
	slices.SortFunc(mappings, func(a, b *scopeMapping) int { return strings.Compare(a.name, b.name) })
	results := []apiScopeMapping{}
	for _, m := range mappings {
		if q.Has("managed") && !slices.Contains(q["managed"], m.managed) || q.Has("scope_name") && m.scopeName != q.Get("scope_name") ||
			q.Has("name") && m.name != q.Get("name") {
			continue
		}
		results = append(results, apiScopeMappingOf(m))
	}
	paginate(w, r, results)
}

func (e *Emulator) handleScopeMapping(w http.ResponseWriter, r *http.Request) {
	e.mu.Lock()
	m := e.mappingLocked(strings.ToLower(r.PathValue("pk")))
	e.mu.Unlock()
	if m == nil {
		notFound(w)
		return
	}
	writeJSON(w, http.StatusOK, apiScopeMappingOf(m))
}

type apiKeypair struct {
	PK                     string  `json:"pk"`
	Name                   string  `json:"name"`
	FingerprintSHA256      *string `json:"fingerprint_sha256"`
	FingerprintSHA1        *string `json:"fingerprint_sha1"`
	CertExpiry             *string `json:"cert_expiry"`
	CertSubject            *string `json:"cert_subject"`
	PrivateKeyAvailable    bool    `json:"private_key_available"`
	KeyType                *string `json:"key_type,omitempty"`         // from 2025.12
	PrivateKeyType         *string `json:"private_key_type,omitempty"` // before 2025.12
	CertificateDownloadURL string  `json:"certificate_download_url"`
	PrivateKeyDownloadURL  string  `json:"private_key_download_url"`
	Managed                *string `json:"managed"`
}

func (e *Emulator) apiKeypairOf(k *keypair, details bool) (apiKeypair, error) {
	m, err := k.material()
	if err != nil {
		return apiKeypair{}, err
	}
	base := "/api/v3/crypto/certificatekeypairs/" + k.uuid
	out := apiKeypair{PK: k.uuid, Name: k.name, PrivateKeyAvailable: k.hasKey, Managed: nullable(k.managed),
		CertificateDownloadURL: base + "/view_certificate/?download", PrivateKeyDownloadURL: base + "/view_private_key/?download"}
	if e.version.keypairKeyType() {
		t := k.keyType()
		out.KeyType = &t
	}
	if !details {
		return out, nil
	}
	s256, s1 := sha256.Sum256(m.cert.Raw), sha1.Sum(m.cert.Raw)
	fp256, fp1 := colonHex(s256[:]), colonHex(s1[:])
	expiry, subject := m.cert.NotAfter.UTC().Format(time.RFC3339), m.cert.Subject.String()
	out.FingerprintSHA256, out.FingerprintSHA1, out.CertExpiry, out.CertSubject = &fp256, &fp1, &expiry, &subject
	if !e.version.keypairKeyType() && k.hasKey {
		t := strings.ReplaceAll(k.keyType(), "ec", "ellipticcurve")
		out.PrivateKeyType = &t
	}
	return out, nil
}

func colonHex(b []byte) string {
	h := hex.EncodeToString(b)
	parts := make([]string, 0, len(b))
	for i := 0; i < len(h); i += 2 {
		parts = append(parts, h[i:i+2])
	}
	return strings.Join(parts, ":")
}

// sortedKeypairsLocked lists the keypairs the API shows, by name; authentik hides its managed
// JWT keypair.
func (e *Emulator) sortedKeypairsLocked() []*keypair {
	out := []*keypair{}
	for _, k := range e.keypairs {
		if k.managed != "goauthentik.io/crypto/jwt-managed" {
			out = append(out, k)
		}
	}
	slices.SortFunc(out, func(a, b *keypair) int { return strings.Compare(a.name, b.name) })
	return out
}

func (e *Emulator) handleKeypairList(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	e.mu.Lock()
	keys := e.sortedKeypairsLocked()
	e.mu.Unlock()
	details := strings.ToLower(q.Get("include_details")) != "false"
	results := []apiKeypair{}
	for _, k := range keys {
		if hk := strings.ToLower(q.Get("has_key")); (hk == "true" || hk == "1") && !k.hasKey ||
			q.Has("key_type") && e.version.keypairKeyType() && !slices.Contains(q["key_type"], k.keyType()) ||
			q.Has("name") && k.name != q.Get("name") || q.Has("managed") && k.managed != q.Get("managed") {
			continue
		}
		a, err := e.apiKeypairOf(k, details)
		if err != nil {
			http.Error(w, "Server Error (500)", http.StatusInternalServerError)
			return
		}
		results = append(results, a)
	}
	paginate(w, r, results)
}

func (e *Emulator) handleKeypair(w http.ResponseWriter, r *http.Request) {
	k := e.keypair(strings.ToLower(r.PathValue("pk")))
	if k == nil || k.managed == "goauthentik.io/crypto/jwt-managed" {
		notFound(w)
		return
	}
	a, err := e.apiKeypairOf(k, true)
	if err != nil {
		http.Error(w, "Server Error (500)", http.StatusInternalServerError)
		return
	}
	writeJSON(w, http.StatusOK, a)
}

// handleKeypairGenerate makes a self-signed keypair: alg rsa (default), ecdsa (P-256) or ed25519.
func (e *Emulator) handleKeypairGenerate(w http.ResponseWriter, r *http.Request) {
	in, ok := readInput(w, r, false)
	if !ok {
		return
	}
	var name, alg string
	validity := "365"
	alg = "rsa"
	in.str("common_name", true, false, 0, &name)
	in.str("validity_days", true, false, 0, &validity)
	in.choice("alg", false, []string{"rsa", "ecdsa", "ed25519"}, &alg)
	if in.answerErrors(w) {
		return
	}
	typ := map[string]string{"rsa": KeyRSA, "ecdsa": KeyP256, "ed25519": KeyEd25519}[alg]
	kp, err := e.AddKeypair(KeypairSpec{Name: name, Type: typ})
	if err != nil {
		writeJSON(w, http.StatusBadRequest, map[string][]string{"common_name": {err.Error()}})
		return
	}
	a, err := e.apiKeypairOf(e.keypair(kp.UUID), true)
	if err != nil {
		http.Error(w, "Server Error (500)", http.StatusInternalServerError)
		return
	}
	writeJSON(w, http.StatusOK, a)
}

func (e *Emulator) handleVersion(w http.ResponseWriter, r *http.Request) {
	writeJSON(w, http.StatusOK, map[string]any{
		"version_current": e.version.raw, "version_latest": e.version.raw, "version_latest_valid": true,
		"build_hash": "", "outdated": false, "outpost_outdated": false,
	})
}
