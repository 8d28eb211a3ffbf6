package workload

import (
	"regexp"
	"slices"
	"strings"
	"testing"

	"go.yaml.in/yaml/v3"

	"github.com/wifwiz/wifwiz/wif"
)

func authentikConn() wif.Connection {
	return wif.Connection{Name: "nightly batch", AuthentikURL: "https://authentik.company", AppSlug: "claude-batch",
		ProviderName: `Claude: "batch" #1`, ClientID: "client-abc", AccessTokenValidity: "minutes=30",
		SubjectMode: wif.SubUsername, MaxIdentityTokenLifetime: 3600e9}
}

// mapping is a YAML mapping node's values by key.
func mapping(t *testing.T, n *yaml.Node) map[string]*yaml.Node {
	t.Helper()
	if n.Kind != yaml.MappingNode {
		t.Fatalf("line %d: %v is not a mapping", n.Line, n.Kind)
	}
	out := map[string]*yaml.Node{}
	for i := 0; i+1 < len(n.Content); i += 2 {
		out[n.Content[i].Value] = n.Content[i+1]
	}
	return out
}

func scalar(t *testing.T, n *yaml.Node, want string) {
	t.Helper()
	if n == nil || n.Kind != yaml.ScalarNode || n.Value != want {
		t.Errorf("got %+v, want the scalar %q", n, want)
	}
}

// find checks a !Find [model, [field, value]] node.
func find(t *testing.T, n *yaml.Node, model, field, value string) {
	t.Helper()
	if n == nil || n.Tag != "!Find" || n.Kind != yaml.SequenceNode || len(n.Content) != 2 || n.Content[0].Value != model ||
		len(n.Content[1].Content) != 2 || n.Content[1].Content[0].Value != field || n.Content[1].Content[1].Value != value {
		t.Errorf("got %+v, want !Find [%s, [%s, %s]]", n, model, field, value)
	}
}

func TestAuthentikBlueprint(t *testing.T) {
	for _, tc := range []struct {
		version   string
		grants    bool
		inComment string
	}{
		{"", false, "version is unknown, so grant_types is left out"},
		{"2025.12.4", false, "no grant types on providers"},
		{"2026.5.0-rc1", false, "version is unknown"},
		{"2026.5.1", true, "only client_credentials"},
	} {
		t.Run("version "+tc.version, func(t *testing.T) {
			out, err := RenderAuthentik(authentikConn(), FormatAuthentikBlueprint, AuthentikFacts{Version: tc.version, SigningKey: "wif-signing"})
			if err != nil {
				t.Fatal(err)
			}
			if !strings.Contains(out, tc.inComment) {
				t.Errorf("no comment %q:\n%s", tc.inComment, out)
			}
			var doc yaml.Node
			if err := yaml.Unmarshal([]byte(out), &doc); err != nil {
				t.Fatalf("not YAML: %v\n%s", err, out)
			}
			top := mapping(t, doc.Content[0])
			scalar(t, top["version"], "1")
			meta := mapping(t, top["metadata"])
			scalar(t, meta["name"], "wifwiz nightly batch")
			scalar(t, mapping(t, meta["labels"])["blueprints.goauthentik.io/description"], "Anthropic workload identity federation for nightly batch (made by wifwiz)")
			entries := top["entries"].Content
			if len(entries) != 2 {
				t.Fatalf("%d entries", len(entries))
			}
			prov := mapping(t, entries[0])
			scalar(t, prov["model"], "authentik_providers_oauth2.oauth2provider")
			scalar(t, prov["id"], "wifwiz-provider")
			scalar(t, mapping(t, prov["identifiers"])["name"], `Claude: "batch" #1`)
			attrs := mapping(t, prov["attrs"])
			scalar(t, attrs["client_type"], "confidential")
			scalar(t, attrs["client_id"], "client-abc")
			find(t, attrs["authorization_flow"], "authentik_flows.flow", "slug", wif.DefaultAuthorizationFlow)
			find(t, attrs["invalidation_flow"], "authentik_flows.flow", "slug", wif.DefaultInvalidationFlow)
			if n := attrs["redirect_uris"]; n == nil || n.Kind != yaml.SequenceNode || len(n.Content) != 0 {
				t.Errorf("redirect_uris %+v, want []", n)
			}
			find(t, attrs["signing_key"], "authentik_crypto.certificatekeypair", "name", "wif-signing")
			if n := attrs["encryption_key"]; n == nil || n.Tag != "!!null" {
				t.Errorf("encryption_key %+v, want null", n)
			}
			scalar(t, attrs["sub_mode"], wif.SubUsername)
			scalar(t, attrs["issuer_mode"], wif.IssuerModePerProvider)
			scalar(t, attrs["access_token_validity"], "minutes=30")
			pm := attrs["property_mappings"].Content
			if len(pm) != 2 {
				t.Fatalf("property_mappings %+v", pm)
			}
			find(t, pm[0], "authentik_providers_oauth2.scopemapping", "managed", "goauthentik.io/providers/oauth2/scope-openid")
			find(t, pm[1], "authentik_providers_oauth2.scopemapping", "managed", "goauthentik.io/providers/oauth2/scope-profile")
			g, hasGrants := attrs["grant_types"]
			if hasGrants != tc.grants || hasGrants && (len(g.Content) != 1 || g.Content[0].Value != "client_credentials") {
				t.Errorf("grant_types %+v, want present: %v", g, tc.grants)
			}
			if len(attrs) != 11+map[bool]int{true: 1}[tc.grants] {
				t.Errorf("%d provider attributes: %v", len(attrs), attrs)
			}
			app := mapping(t, entries[1])
			scalar(t, app["model"], "authentik_core.application")
			scalar(t, mapping(t, app["identifiers"])["slug"], "claude-batch")
			appAttrs := mapping(t, app["attrs"])
			scalar(t, appAttrs["name"], `Claude: "batch" #1`)
			if n := appAttrs["provider"]; n == nil || n.Tag != "!KeyOf" || n.Value != "wifwiz-provider" {
				t.Errorf("provider %+v, want !KeyOf wifwiz-provider", n)
			}
		})
	}
}

func TestAuthentikBlueprintDefaults(t *testing.T) {
	c := authentikConn()
	c.ClientID, c.SubjectMode, c.AccessTokenValidity = "", "", "hours=2" // over the Console's maximum
	out, err := RenderAuthentik(c, FormatAuthentikBlueprint, AuthentikFacts{})
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{`sub_mode: user_username`, `access_token_validity: "hours=1"`,
		`signing_key: !Find [authentik_crypto.certificatekeypair, [name, "authentik Self-signed Certificate"]]`, "built-in"} {
		if !strings.Contains(out, want) {
			t.Errorf("no %q:\n%s", want, out)
		}
	}
	if strings.Contains(out, "client_id:") {
		t.Error("a client ID was made up")
	}
	if _, err := RenderAuthentik(wif.Connection{Name: "x"}, FormatAuthentikBlueprint, AuthentikFacts{}); err == nil || !strings.Contains(err.Error(), "slug") {
		t.Errorf("no slug: %v", err)
	}
}

// tfBlock is one top-level Terraform block with its attributes (name → raw expression).
type tfBlock struct {
	kind, typ, name string
	attrs           map[string]string
}

var (
	tfOpen = regexp.MustCompile(`^(resource|data|variable) "([^"]+)"(?: "([^"]+)")? \{$`)
	tfAttr = regexp.MustCompile(`^  ([a-z_]+)\s+= (.+)$`)
)

// tfBlocks reads the flat blocks this package writes: header, attribute lines, closing brace.
func tfBlocks(t *testing.T, src string) map[string]tfBlock {
	t.Helper()
	out := map[string]tfBlock{}
	var cur *tfBlock
	for _, line := range strings.Split(src, "\n") {
		switch m := tfOpen.FindStringSubmatch(line); {
		case m != nil:
			cur = &tfBlock{kind: m[1], typ: m[2], name: m[3], attrs: map[string]string{}}
		case cur != nil && line == "}":
			out[cur.kind+"."+cur.typ+"."+cur.name] = *cur
			cur = nil
		case cur != nil:
			a := tfAttr.FindStringSubmatch(line)
			if a == nil {
				t.Fatalf("not an attribute line in %s %s: %q", cur.typ, cur.name, line)
			}
			cur.attrs[a[1]] = a[2]
		}
	}
	return out
}

func TestAuthentikTerraform(t *testing.T) {
	c := authentikConn()
	c.ProviderName = "Claude ${var.x} %{if}"
	out, err := RenderAuthentik(c, FormatAuthentikTerraform, AuthentikFacts{Version: "2026.5.0", SigningKey: "wif-signing"})
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out, `source = "goauthentik/authentik"`) {
		t.Errorf("no required provider:\n%s", out)
	}
	blocks := tfBlocks(t, out)
	want := map[string]map[string]string{
		"data.authentik_flow.authorization":                     {"slug": `"` + wif.DefaultAuthorizationFlow + `"`},
		"data.authentik_flow.invalidation":                      {"slug": `"` + wif.DefaultInvalidationFlow + `"`},
		"data.authentik_certificate_key_pair.signing":           {"name": `"wif-signing"`},
		"data.authentik_property_mapping_provider_scope.scopes": {"managed_list": `["goauthentik.io/providers/oauth2/scope-openid", "goauthentik.io/providers/oauth2/scope-profile"]`},
		"resource.authentik_application.wifwiz":                 {"name": `"Claude $${var.x} %%{if}"`, "slug": `"claude-batch"`, "protocol_provider": "authentik_provider_oauth2.wifwiz.id"},
		"resource.authentik_provider_oauth2.wifwiz": {
			"name": `"Claude $${var.x} %%{if}"`, "client_id": `"client-abc"`, "client_type": `"confidential"`,
			"authorization_flow": "data.authentik_flow.authorization.id", "invalidation_flow": "data.authentik_flow.invalidation.id",
			"allowed_redirect_uris": "[]", "signing_key": "data.authentik_certificate_key_pair.signing.id",
			"sub_mode": `"user_username"`, "issuer_mode": `"per_provider"`, "access_token_validity": `"minutes=30"`,
			"property_mappings": "data.authentik_property_mapping_provider_scope.scopes.ids", "grant_types": `["client_credentials"]`,
		},
	}
	if len(blocks) != len(want) {
		t.Errorf("blocks %v", slices.Sorted(func(yield func(string) bool) {
			for k := range blocks {
				if !yield(k) {
					return
				}
			}
		}))
	}
	for key, attrs := range want {
		b, ok := blocks[key]
		if !ok {
			t.Errorf("no block %s:\n%s", key, out)
			continue
		}
		if len(b.attrs) != len(attrs) {
			t.Errorf("%s has %d attributes, want %d: %v", key, len(b.attrs), len(attrs), b.attrs)
		}
		for name, v := range attrs {
			if b.attrs[name] != v {
				t.Errorf("%s.%s = %s, want %s", key, name, b.attrs[name], v)
			}
		}
	}

	c.ClientID = ""
	out, err = RenderAuthentik(c, FormatAuthentikTerraform, AuthentikFacts{})
	if err != nil {
		t.Fatal(err)
	}
	blocks = tfBlocks(t, out)
	p := blocks["resource.authentik_provider_oauth2.wifwiz"]
	if p.attrs["client_id"] != "var.client_id" || blocks["variable.client_id."].attrs["type"] != "string" {
		t.Errorf("without a client ID: %v / %v", p.attrs, blocks["variable.client_id."])
	}
	if _, ok := p.attrs["grant_types"]; ok || !strings.Contains(out, "version is unknown") {
		t.Errorf("grant_types with an unknown version:\n%s", out)
	}
}

func TestAuthentikExportsAreExportFormats(t *testing.T) {
	cl := Checklist{Connection: authentikConn()}
	for _, f := range AuthentikFormats() {
		if !slices.Contains(ExportFormats(), f) {
			t.Errorf("%s is not an export format", f)
		}
		exp, err := RenderExport(cl, f, Options{Authentik: AuthentikFacts{Version: "2026.5.0"}})
		if err != nil || !strings.Contains(exp.Body, "grant_types") || !strings.HasPrefix(exp.FileName, "nightly-batch-authentik") {
			t.Errorf("%s: %+v %v", f, exp.FileName, err)
		}
	}
}

// TestAuthentikExportNamesTheUnsafeValue: a keypair name read from authentik with an escape
// sequence is refused by both formats, and the error says which value and where to fix it.
func TestAuthentikExportNamesTheUnsafeValue(t *testing.T) {
	for _, format := range AuthentikFormats() {
		_, err := RenderAuthentik(authentikConn(), format, AuthentikFacts{Version: "2026.5.1", SigningKey: "key\x1b[31m"})
		if err == nil || !strings.Contains(err.Error(), "signing key name") || !strings.Contains(err.Error(), "in authentik") {
			t.Errorf("%s: %v, want the signing key name refused", format, err)
		}
	}
}
