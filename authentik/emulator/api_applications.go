package emulator

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strings"
)

type apiApplication struct {
	PK                      string         `json:"pk"`
	Name                    string         `json:"name"`
	Slug                    string         `json:"slug"`
	Provider                *int           `json:"provider"`
	ProviderObj             map[string]any `json:"provider_obj"`
	BackchannelProviders    []int          `json:"backchannel_providers"`
	BackchannelProvidersObj []any          `json:"backchannel_providers_obj"`
	LaunchURL               *string        `json:"launch_url"`
	OpenInNewTab            bool           `json:"open_in_new_tab"`
	MetaLaunchURL           string         `json:"meta_launch_url"`
	MetaIcon                *string        `json:"meta_icon"`
	MetaDescription         string         `json:"meta_description"`
	MetaPublisher           string         `json:"meta_publisher"`
	PolicyEngineMode        string         `json:"policy_engine_mode"`
	Group                   string         `json:"group"`
}

// baseProviderFields are the members of the generic provider serializer applications embed.
var baseProviderFields = []string{"pk", "name", "authentication_flow", "authorization_flow", "invalidation_flow",
	"property_mappings", "component", "assigned_application_slug", "assigned_application_name",
	"assigned_backchannel_application_slug", "assigned_backchannel_application_name", "verbose_name",
	"verbose_name_plural", "meta_model_name"}

func (e *Emulator) apiApplicationLocked(a *appState) apiApplication {
	out := apiApplication{PK: a.uuid, Name: a.name, Slug: a.slug, BackchannelProviders: []int{}, BackchannelProvidersObj: []any{},
		OpenInNewTab: a.openInNewTab, MetaLaunchURL: a.metaLaunchURL, MetaDescription: a.metaDescription,
		MetaPublisher: a.metaPublisher, PolicyEngineMode: a.policyEngineMode, Group: a.group}
	if a.metaLaunchURL != "" {
		out.LaunchURL = &out.MetaLaunchURL
	}
	p := e.providers[a.provider]
	if p == nil {
		return out
	}
	out.Provider = &p.pk
	full := map[string]any{}
	b, _ := json.Marshal(e.apiProviderLocked(p))
	_ = json.Unmarshal(b, &full)
	out.ProviderObj = map[string]any{}
	for _, k := range baseProviderFields {
		out.ProviderObj[k] = full[k]
	}
	if out.LaunchURL == nil && len(p.redirectURIs) > 0 {
		if u, err := url.Parse(p.redirectURIs[0].URL); err == nil && u.Scheme != "" {
			launch := u.Scheme + "://" + u.Host
			out.LaunchURL = &launch
		}
	}
	return out
}

func (e *Emulator) appByUUIDLocked(id string) *appState {
	for _, a := range e.apps {
		if strings.EqualFold(a.uuid, id) {
			return a
		}
	}
	return nil
}

func (e *Emulator) handleApplicationList(w http.ResponseWriter, r *http.Request) {
	e.mu.Lock()
	defer e.mu.Unlock()
	apps := make([]*appState, 0, len(e.apps))
	for _, a := range e.apps {
		apps = append(apps, a)
	}
	slices.SortFunc(apps, func(a, b *appState) int { return strings.Compare(a.name+"\x00"+a.slug, b.name+"\x00"+b.slug) })
	q := r.URL.Query()
	search := strings.ToLower(q.Get("search"))
	results := []apiApplication{}
	for _, a := range apps {
		if q.Has("name") && a.name != q.Get("name") || q.Has("slug") && a.slug != q.Get("slug") || q.Has("group") && a.group != q.Get("group") {
			continue
		}
		if search != "" && !strings.Contains(strings.ToLower(a.name+" "+a.slug), search) {
			continue
		}
		results = append(results, e.apiApplicationLocked(a))
	}
	paginate(w, r, results)
}

func (e *Emulator) handleApplication(w http.ResponseWriter, r *http.Request) {
	e.mu.Lock()
	defer e.mu.Unlock()
	a := e.apps[r.PathValue("slug")]
	if a == nil {
		writeJSON(w, http.StatusNotFound, apiDetail{"No Application matches the given query."})
		return
	}
	writeJSON(w, http.StatusOK, e.apiApplicationLocked(a))
}

func (e *Emulator) handleApplicationCreate(w http.ResponseWriter, r *http.Request) {
	in, ok := readInput(w, r, false)
	if !ok {
		return
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	draft := &appState{uuid: randomUUID(), policyEngineMode: "any"}
	if e.readApplicationLocked(in, draft, ""); in.answerErrors(w) {
		return
	}
	e.apps[draft.slug] = draft
	writeJSON(w, http.StatusCreated, e.apiApplicationLocked(draft))
}

func (e *Emulator) handleApplicationUpdate(partial bool) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		in, ok := readInput(w, r, partial)
		if !ok {
			return
		}
		e.mu.Lock()
		defer e.mu.Unlock()
		cur := e.apps[r.PathValue("slug")]
		if cur == nil {
			writeJSON(w, http.StatusNotFound, apiDetail{"No Application matches the given query."})
			return
		}
		next := *cur
		if e.readApplicationLocked(in, &next, cur.slug); in.answerErrors(w) {
			return
		}
		delete(e.apps, cur.slug)
		e.apps[next.slug] = &next
		writeJSON(w, http.StatusOK, e.apiApplicationLocked(&next))
	}
}

func (e *Emulator) handleApplicationDelete(w http.ResponseWriter, r *http.Request) {
	e.mu.Lock()
	defer e.mu.Unlock()
	slug := r.PathValue("slug")
	if e.apps[slug] == nil {
		writeJSON(w, http.StatusNotFound, apiDetail{"No Application matches the given query."})
		return
	}
	delete(e.apps, slug)
	w.WriteHeader(http.StatusNoContent)
}

var slugPattern = regexp.MustCompile(`^[-a-zA-Z0-9_]+$`)

// readApplicationLocked applies the request's application fields to dst; self is dst's current
// slug when updating.
func (e *Emulator) readApplicationLocked(in *input, dst *appState, self string) {
	in.str("name", true, false, 0, &dst.name)
	before := len(in.errs)
	in.str("slug", true, false, 50, &dst.slug)
	if len(in.errs) == before && in.present("slug", false) {
		switch {
		case !slugPattern.MatchString(dst.slug):
			in.fail("slug", []string{`Enter a valid "slug" consisting of letters, numbers, underscores or hyphens.`})
		case dst.slug != self && e.apps[dst.slug] != nil:
			in.fail("slug", []string{"Application with this slug already exists."})
		}
	}
	e.readAppProvider(in, dst, self)
	in.boolean("open_in_new_tab", &dst.openInNewTab)
	in.str("meta_launch_url", false, true, 0, &dst.metaLaunchURL)
	if u, err := url.Parse(dst.metaLaunchURL); dst.metaLaunchURL != "" && (err != nil || u.Scheme == "" || u.Host == "") {
		in.fail("meta_launch_url", []string{"Enter a valid URL."})
	}
	in.str("meta_description", false, true, 0, &dst.metaDescription)
	in.str("meta_publisher", false, true, 0, &dst.metaPublisher)
	in.choice("policy_engine_mode", false, []string{"all", "any"}, &dst.policyEngineMode)
	in.str("group", false, true, 0, &dst.group)
}

func (e *Emulator) readAppProvider(in *input, dst *appState, self string) {
	if !in.present("provider", false) {
		return
	}
	if in.isNull("provider") {
		dst.provider = 0
		return
	}
	var v any
	_ = json.Unmarshal(in.raw["provider"], &v)
	var pk int
	switch x := v.(type) {
	case float64:
		pk = int(x)
	case string:
		if _, err := fmt.Sscan(x, &pk); err != nil {
			in.fail("provider", []string{"Incorrect type. Expected pk value, received str."})
			return
		}
	default:
		in.fail("provider", []string{fmt.Sprintf("Incorrect type. Expected pk value, received %s.", pyType(v))})
		return
	}
	if e.providers[pk] == nil {
		in.fail("provider", []string{fmt.Sprintf("Invalid pk \"%d\" - object does not exist.", pk)})
		return
	}
	if other := e.appOfProviderLocked(pk); other != nil && other.slug != self {
		in.fail("provider", []string{"Application with this provider already exists."})
		return
	}
	dst.provider = pk
}
