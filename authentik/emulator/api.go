package emulator

import (
	"crypto/subtle"
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"strings"
)

// The admin API under /api/v3/: DRF's shapes, authentik's paths and pagination.

func (e *Emulator) apiRoutes(mux *http.ServeMux) {
	read, write := func(h http.HandlerFunc) http.HandlerFunc { return e.apiAuth(false, h) },
		func(h http.HandlerFunc) http.HandlerFunc { return e.apiAuth(true, h) }
	mux.HandleFunc("GET /api/v3/providers/oauth2/{$}", read(e.handleProviderList))
	mux.HandleFunc("POST /api/v3/providers/oauth2/{$}", write(e.handleProviderCreate))
	mux.HandleFunc("GET /api/v3/providers/oauth2/{pk}/{$}", read(e.handleProviderDetail))
	mux.HandleFunc("PUT /api/v3/providers/oauth2/{pk}/{$}", write(e.handleProviderUpdate(false)))
	mux.HandleFunc("PATCH /api/v3/providers/oauth2/{pk}/{$}", write(e.handleProviderUpdate(true)))
	mux.HandleFunc("DELETE /api/v3/providers/oauth2/{pk}/{$}", write(e.handleProviderDelete))
	mux.HandleFunc("GET /api/v3/providers/oauth2/{pk}/setup_urls/{$}", read(e.handleSetupURLs))
	mux.HandleFunc("GET /api/v3/core/applications/{$}", read(e.handleApplicationList))
	mux.HandleFunc("POST /api/v3/core/applications/{$}", write(e.handleApplicationCreate))
	mux.HandleFunc("GET /api/v3/core/applications/{slug}/{$}", read(e.handleApplication))
	mux.HandleFunc("PUT /api/v3/core/applications/{slug}/{$}", write(e.handleApplicationUpdate(false)))
	mux.HandleFunc("PATCH /api/v3/core/applications/{slug}/{$}", write(e.handleApplicationUpdate(true)))
	mux.HandleFunc("DELETE /api/v3/core/applications/{slug}/{$}", write(e.handleApplicationDelete))
	mux.HandleFunc("GET /api/v3/flows/instances/{$}", read(e.handleFlowList))
	mux.HandleFunc("GET /api/v3/flows/instances/{slug}/{$}", read(e.handleFlow))
	mux.HandleFunc("GET /api/v3/propertymappings/provider/scope/{$}", read(e.handleScopeMappingList))
	mux.HandleFunc("GET /api/v3/propertymappings/provider/scope/{pk}/{$}", read(e.handleScopeMapping))
	mux.HandleFunc("GET /api/v3/crypto/certificatekeypairs/{$}", read(e.handleKeypairList))
	mux.HandleFunc("GET /api/v3/crypto/certificatekeypairs/{pk}/{$}", read(e.handleKeypair))
	mux.HandleFunc("POST /api/v3/crypto/certificatekeypairs/generate/{$}", write(e.handleKeypairGenerate))
	mux.HandleFunc("GET /api/v3/admin/version/{$}", read(e.handleVersion))
}

type apiDetail struct {
	Detail string `json:"detail"`
}

// apiAuth answers 403 unless the request carries an API token; a write also needs the
// read-write one.
func (e *Emulator) apiAuth(write bool, next http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		auth := r.Header.Get("Authorization")
		if auth == "" {
			writeJSON(w, http.StatusForbidden, apiDetail{"Authentication credentials were not provided."})
			return
		}
		token, _ := strings.CutPrefix(auth, "Bearer ")
		full := subtle.ConstantTimeCompare([]byte(token), []byte(e.apiToken)) == 1
		readOnly := subtle.ConstantTimeCompare([]byte(token), []byte(e.readToken)) == 1
		switch {
		case !strings.HasPrefix(auth, "Bearer ") || !full && !readOnly:
			writeJSON(w, http.StatusForbidden, apiDetail{"Token invalid/expired"})
		case write && !full:
			writeJSON(w, http.StatusForbidden, apiDetail{"You do not have permission to perform this action."})
		default:
			next(w, r)
		}
	}
}

func notFound(w http.ResponseWriter) {
	writeJSON(w, http.StatusNotFound, apiDetail{"No object matches the given query."})
}

// paginate answers authentik's list envelope for one page of items (page, page_size).
func paginate[T any](w http.ResponseWriter, r *http.Request, items []T) {
	q := r.URL.Query()
	size, page := 100, 1
	if s, err := strconv.Atoi(q.Get("page_size")); err == nil && s > 0 {
		size = s
	}
	if q.Has("page") {
		p, err := strconv.Atoi(q.Get("page"))
		if err != nil || p < 1 || (p-1)*size >= len(items) && p > 1 {
			writeJSON(w, http.StatusNotFound, apiDetail{"Invalid page."})
			return
		}
		page = p
	}
	pages := max(1, (len(items)+size-1)/size)
	start, end := min((page-1)*size, len(items)), min(page*size, len(items))
	next, prev := 0, 0
	if page < pages {
		next = page + 1
	}
	if page > 1 {
		prev = page - 1
	}
	startIndex := start + 1
	if len(items) == 0 {
		startIndex = 0
	}
	results := items[start:end]
	if results == nil {
		results = []T{}
	}
	writeJSON(w, http.StatusOK, map[string]any{
		"pagination": map[string]int{"next": next, "previous": prev, "count": len(items), "current": page,
			"total_pages": pages, "start_index": startIndex, "end_index": end},
		"results":      results,
		"autocomplete": map[string]any{},
	})
}

// input decodes a JSON object the way a DRF serializer validates it: errors are collected per
// field, in DRF's words, and answered as one 400.
type input struct {
	raw     map[string]json.RawMessage
	partial bool // PATCH: absent fields keep their value and none is required
	errs    map[string]any
}

func readInput(w http.ResponseWriter, r *http.Request, partial bool) (*input, bool) {
	var body json.RawMessage
	if err := json.NewDecoder(http.MaxBytesReader(w, r.Body, 1<<20)).Decode(&body); err != nil {
		writeJSON(w, http.StatusBadRequest, apiDetail{fmt.Sprintf("JSON parse error - %v", err)})
		return nil, false
	}
	var raw map[string]json.RawMessage
	if json.Unmarshal(body, &raw) != nil || raw == nil {
		writeJSON(w, http.StatusBadRequest, map[string][]string{"non_field_errors": {
			fmt.Sprintf("Invalid data. Expected a dictionary, but got %s.", pyType(anyOf(body)))}})
		return nil, false
	}
	return &input{raw: raw, partial: partial, errs: map[string]any{}}, true
}

func (in *input) fail(field string, msg any) {
	if _, dup := in.errs[field]; !dup {
		in.errs[field] = msg
	}
}

// present reports whether field was sent; a required field that is not gets DRF's error.
func (in *input) present(field string, required bool) bool {
	_, ok := in.raw[field]
	if !ok && required && !in.partial {
		in.fail(field, []string{"This field is required."})
	}
	return ok
}

func (in *input) isNull(field string) bool { return string(in.raw[field]) == "null" }

// str reads a CharField: numbers become strings, surrounding space is trimmed.
func (in *input) str(field string, required, allowBlank bool, maxLen int, dst *string) {
	if !in.present(field, required) {
		return
	}
	if in.isNull(field) {
		in.fail(field, []string{"This field may not be null."})
		return
	}
	var v any
	_ = json.Unmarshal(in.raw[field], &v)
	var s string
	switch x := v.(type) {
	case string:
		s = strings.TrimSpace(x)
	case float64:
		s = string(in.raw[field])
	default:
		in.fail(field, []string{"Not a valid string."})
		return
	}
	switch {
	case s == "" && !allowBlank:
		in.fail(field, []string{"This field may not be blank."})
	case maxLen > 0 && len([]rune(s)) > maxLen:
		in.fail(field, []string{fmt.Sprintf("Ensure this field has no more than %d characters.", maxLen)})
	default:
		*dst = s
	}
}

func (in *input) choice(field string, required bool, choices []string, dst *string) {
	var s string
	before := len(in.errs)
	in.str(field, required, true, 0, &s)
	if len(in.errs) > before || !in.present(field, false) {
		return
	}
	for _, c := range choices {
		if s == c {
			*dst = s
			return
		}
	}
	in.fail(field, []string{fmt.Sprintf("%q is not a valid choice.", s)})
}

func (in *input) boolean(field string, dst *bool) {
	if !in.present(field, false) {
		return
	}
	var v any
	_ = json.Unmarshal(in.raw[field], &v)
	switch x := v.(type) {
	case bool:
		*dst = x
		return
	case string:
		switch strings.ToLower(x) {
		case "true", "1", "yes", "on", "y", "t":
			*dst = true
			return
		case "false", "0", "no", "off", "n", "f":
			*dst = false
			return
		}
	case float64:
		if x == 0 || x == 1 {
			*dst = x == 1
			return
		}
	}
	in.fail(field, []string{"Must be a valid boolean."})
}

// uuidRef reads a primary key of an object with a UUID key; exists says whether it is known.
func (in *input) uuidRef(field string, required, nullable bool, exists func(string) bool, dst *string) {
	if !in.present(field, required) {
		return
	}
	if in.isNull(field) {
		if nullable {
			*dst = ""
		} else {
			in.fail(field, []string{"This field may not be null."})
		}
		return
	}
	id, msg := refValue(in.raw[field], exists)
	if msg != "" {
		in.fail(field, []string{msg})
		return
	}
	*dst = id
}

func refValue(raw json.RawMessage, exists func(string) bool) (string, string) {
	var v any
	_ = json.Unmarshal(raw, &v)
	s, ok := v.(string)
	switch {
	case !ok:
		return "", fmt.Sprintf("Incorrect type. Expected pk value, received %s.", pyType(v))
	case !looksUUID(s):
		return "", fmt.Sprintf("“%s” is not a valid UUID.", s)
	case !exists(strings.ToLower(s)):
		return "", fmt.Sprintf("Invalid pk %q - object does not exist.", s)
	}
	return strings.ToLower(s), ""
}

// uuidRefs reads a list of UUID primary keys.
func (in *input) uuidRefs(field string, exists func(string) bool, dst *[]string) {
	if !in.present(field, false) {
		return
	}
	var items []json.RawMessage
	if err := json.Unmarshal(in.raw[field], &items); err != nil || in.isNull(field) {
		in.fail(field, []string{fmt.Sprintf("Expected a list of items but got type %q.", pyType(anyOf(in.raw[field])))})
		return
	}
	out := []string{}
	for _, item := range items {
		id, msg := refValue(item, exists)
		if msg != "" {
			in.fail(field, []string{msg})
			return
		}
		out = append(out, id)
	}
	*dst = out
}

func anyOf(raw json.RawMessage) any {
	var v any
	_ = json.Unmarshal(raw, &v)
	return v
}

// pyType names a JSON value's type as Python would.
func pyType(v any) string {
	switch v.(type) {
	case nil:
		return "NoneType"
	case bool:
		return "bool"
	case float64:
		return "int"
	case string:
		return "str"
	case []any:
		return "list"
	}
	return "dict"
}

func looksUUID(s string) bool {
	if len(s) != 36 {
		return false
	}
	for i, c := range s {
		switch {
		case i == 8 || i == 13 || i == 18 || i == 23:
			if c != '-' {
				return false
			}
		case !strings.ContainsRune("0123456789abcdefABCDEF", c):
			return false
		}
	}
	return true
}

// answerErrors writes the collected field errors as a 400 and reports whether there were any.
func (in *input) answerErrors(w http.ResponseWriter) bool {
	if len(in.errs) == 0 {
		return false
	}
	writeJSON(w, http.StatusBadRequest, in.errs)
	return true
}

func filterValues(r *http.Request, key string) ([]string, bool) {
	v, ok := r.URL.Query()[key]
	return v, ok
}
