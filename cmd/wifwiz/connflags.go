package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"os"
	"slices"
	"strings"
	"time"

	"github.com/wifwiz/wifwiz/actions"
	"github.com/wifwiz/wifwiz/store"
	"github.com/wifwiz/wifwiz/wif"
)

// secretEnv holds the client secret when no --client-secret-file is given (README.md): a secret
// is never a flag value.
const secretEnv = "WIFWIZ_CLIENT_SECRET"

// flagGroups selects which connection flags a command takes.
type flagGroups uint8

const (
	// authentikFlags: --issuer, --discovery-base, --token-url, --client-id, --client-secret-file,
	// --scope, --token-field, --ca-file.
	authentikFlags flagGroups = 1 << iota
	// consoleFlags: --subject, --audience, the two lifetimes, the four Console IDs, --jwks-file,
	// --anthropic-base-url.
	consoleFlags
	// storedFlags: --connection and --db.
	storedFlags
	// adminFlags: --console-token-file and --authentik-token-file (or WIFWIZ_CONSOLE_TOKEN and
	// WIFWIZ_AUTHENTIK_TOKEN): the admin API tokens, used for this command only.
	adminFlags
)

// The admin API tokens may come from these variables instead of a file; never from a flag value.
const (
	consoleTokenEnv   = "WIFWIZ_CONSOLE_TOKEN"
	authentikTokenEnv = "WIFWIZ_AUTHENTIK_TOKEN"
)

// connFlag is one flag that sets a field of a wif.Connection.
type connFlag struct {
	group       flagGroups
	name, usage string
	def         string
	apply       func(c *wif.Connection, v string) error
}

// emptyGiven are the flags whose empty value, given explicitly, means something: --scope ""
// requests no scope.
var emptyGiven = map[string]bool{"scope": true}

// connFlagTable is every connection flag, in the order build applies them.
var connFlagTable = []connFlag{
	{authentikFlags, "issuer", "issuer URL exactly as configured in the Console (…/application/o/<slug>/)", "",
		func(c *wif.Connection, v string) error { c.IssuerURL = v; return nil }},
	{authentikFlags, "discovery-base", "discovery base URL (default: the issuer URL without its trailing slash)", "",
		func(c *wif.Connection, v string) error { c.DiscoveryBase = v; return nil }},
	{authentikFlags, "token-url", "authentik token endpoint (default: discovery's token_endpoint)", "",
		func(c *wif.Connection, v string) error { c.TokenURL = v; return nil }},
	{authentikFlags, "client-id", "the authentik provider's Client ID", "",
		func(c *wif.Connection, v string) error { c.ClientID = v; return nil }},
	{authentikFlags, "scope", "scope requested from the issuer (\"\" or - for none)", wif.DefaultScope,
		func(c *wif.Connection, v string) error {
			if v == "" {
				v = wif.NoScope // an empty Scope means the default
			}
			c.Scope = v
			return nil
		}},
	{authentikFlags, "token-field", "token to use: auto (the id_token, else a JWT access token), id_token or access_token", wif.TokenFieldAuto,
		applyTokenField},
	{authentikFlags, "ca-file", "extra trusted CA certificate (PEM) for authentik", "", applyCAFile},
	{consoleFlags, "subject", "the federation rule's subject prefix (exact, or a prefix ending with *)", "",
		func(c *wif.Connection, v string) error { c.SubjectPrefix = v; return nil }},
	{consoleFlags, "audience", "the federation rule's audience (the authentik Client ID)", "",
		func(c *wif.Connection, v string) error { c.Audience = v; return nil }},
	{consoleFlags, "max-identity-token-lifetime", "the issuer's maximum identity token lifetime: seconds or a Go duration", "3600",
		applyLifetime("max-identity-token-lifetime", func(c *wif.Connection) *time.Duration { return &c.MaxIdentityTokenLifetime })},
	{consoleFlags, "token-lifetime", "the rule's token lifetime: seconds or a Go duration", "3600",
		applyLifetime("token-lifetime", func(c *wif.Connection) *time.Duration { return &c.TokenLifetime })},
	{consoleFlags, "federation-rule-id", "the Console's federation rule ID (fdrl_…)", "",
		func(c *wif.Connection, v string) error { c.FederationRuleID = v; return nil }},
	{consoleFlags, "organization-id", "the Anthropic organization ID (a UUID)", "",
		func(c *wif.Connection, v string) error { c.OrganizationID = v; return nil }},
	{consoleFlags, "service-account-id", "the Console's service account ID (svac_…)", "",
		func(c *wif.Connection, v string) error { c.ServiceAccountID = v; return nil }},
	{consoleFlags, "workspace-id", "the workspace ID (wrkspc_… or default), when the rule needs one", "",
		func(c *wif.Connection, v string) error { c.WorkspaceID = v; return nil }},
	{consoleFlags, "jwks-file", "the inline JWKS configured in the Console (then kid is checked against it)", "", applyJWKSFile},
	{consoleFlags, "anthropic-base-url", "Anthropic API base URL for --exchange (default: $ANTHROPIC_BASE_URL, else https://api.anthropic.com)", "",
		func(c *wif.Connection, v string) error { c.AnthropicBaseURL = v; return nil }},
}

// connFlags maps the connection flags of check, token and audit onto a wif.Connection. A flag
// given on the command line or through its WIFWIZ_* variable overrides the stored connection's
// value; flag defaults apply only when no stored connection is the base.
type connFlags struct {
	fs     *flag.FlagSet
	groups flagGroups
	values map[string]*string

	secretFile string
	connection string
	db         string

	claims             claimFlags // --claim, repeatable
	condition          string
	consoleTokenFile   string
	authentikTokenFile string
}

// claimFlags collects the repeatable --claim NAME=VALUE.
type claimFlags []string

func (c *claimFlags) String() string     { return strings.Join(*c, ",") }
func (c *claimFlags) Set(v string) error { *c = append(*c, v); return nil }

// newConnFlags registers the flags of groups on fs. defaults overrides a flag's default value
// (wifwiz token takes --token-field id_token).
func newConnFlags(fs *flag.FlagSet, e env, groups flagGroups, defaults map[string]string) *connFlags {
	cf := &connFlags{fs: fs, groups: groups, values: map[string]*string{}}
	for _, f := range connFlagTable {
		if groups&f.group == 0 {
			continue
		}
		def := f.def
		if d, ok := defaults[f.name]; ok {
			def = d
		}
		cf.values[f.name] = fs.String(f.name, def, f.usage)
		if f.name == "client-id" {
			fs.StringVar(&cf.secretFile, "client-secret-file", "",
				"file holding the client secret (or set "+secretEnv+"); never give the secret as a flag value")
		}
	}
	if groups&consoleFlags != 0 {
		fs.Var(&cf.claims, "claim", "a claims matcher of the rule, NAME=VALUE (repeatable): the top-level claim must be exactly this string")
		fs.StringVar(&cf.condition, "condition", "", "the rule's CEL condition over claims, e.g. 'claims.azp == \"my-client\"'")
	}
	if groups&adminFlags != 0 {
		fs.StringVar(&cf.consoleTokenFile, "console-token-file", "", "file holding an Anthropic OAuth access token with the org:admin scope (ant auth print-credentials --access-token), or set "+consoleTokenEnv+": the Console's objects are read through its management API")
		fs.StringVar(&cf.authentikTokenFile, "authentik-token-file", "", "file holding an authentik API token, or set "+authentikTokenEnv+": the provider and application are read through authentik's admin API")
	}
	if groups&storedFlags != 0 {
		fs.StringVar(&cf.connection, "connection", "", "take the values from this stored connection; flags given override them")
		fs.StringVar(&cf.db, "db", defaultDBPath(e), "SQLite database file of stored connections")
	}
	return cf
}

// given reports whether a flag was set on the command line or through its WIFWIZ_* variable.
func (cf *connFlags) given(name string) bool {
	found := false
	cf.fs.Visit(func(f *flag.Flag) { found = found || f.Name == name })
	return found
}

// build is base (a stored connection, or nil) with the flags applied: only the flags given
// when there is a base, every flag with its default otherwise.
func (cf *connFlags) build(base *wif.Connection) (wif.Connection, error) {
	var c wif.Connection
	if base != nil {
		c = *base
	}
	for _, f := range connFlagTable {
		v, ok := cf.values[f.name]
		if !ok || (base != nil && !cf.given(f.name)) || (base == nil && *v == "" && !(emptyGiven[f.name] && cf.given(f.name))) {
			continue
		}
		if err := f.apply(&c, *v); err != nil {
			return wif.Connection{}, err
		}
	}
	if err := cf.applyMatch(&c); err != nil {
		return wif.Connection{}, err
	}
	c.IssuerURL = wif.EffectiveIssuerURL(c)
	return c, cf.urlProblem(c)
}

// urlFlags are the flags that record a URL, with its label and value.
var urlFlags = []struct {
	flag, label string
	get         func(wif.Connection) string
}{
	{"issuer", "Issuer URL", func(c wif.Connection) string { return c.IssuerURL }},
	{"discovery-base", "Discovery base", func(c wif.Connection) string { return c.DiscoveryBase }},
	{"token-url", "Token URL", func(c wif.Connection) string { return c.TokenURL }},
	{"anthropic-base-url", "Anthropic base URL", func(c wif.Connection) string { return c.AnthropicBaseURL }},
}

// urlProblem is a usage error for a URL flag that is no URL to request (javascript:, a newline,
// a query…): such a URL is never requested, nor sent a secret. Its shape for the Console (a
// missing trailing slash) is what the checks report.
func (cf *connFlags) urlProblem(c wif.Connection) error {
	for _, u := range urlFlags {
		if _, registered := cf.values[u.flag]; !registered || !cf.given(u.flag) || u.get(c) == "" {
			continue
		}
		if p := wif.URLProblem(u.label, u.get(c)); p != "" {
			return usagef("--%s: %s", u.flag, p)
		}
	}
	return nil
}

// applyMatch records --claim and --condition: given, they replace what a stored connection has.
func (cf *connFlags) applyMatch(c *wif.Connection) error {
	if len(cf.claims) > 0 {
		c.Claims = map[string]string{}
		for _, nv := range cf.claims {
			if err := wif.AddClaim(c.Claims, nv); err != nil {
				return usagef("--claim: %v", err)
			}
		}
	}
	if cf.given("condition") {
		c.Condition = cf.condition
	}
	return nil
}

// credentials reads the admin API tokens: --console-token-file, else WIFWIZ_CONSOLE_TOKEN (and
// likewise for authentik). An empty result means the connection's references, if any.
func (cf *connFlags) credentials(e env) (actions.Credentials, error) {
	var out actions.Credentials
	var err error
	if out.ConsoleToken, err = fileOrEnv("console-token-file", cf.consoleTokenFile, consoleTokenEnv, consoleTokenWhat, e); err != nil {
		return out, err
	}
	out.AuthentikToken, err = fileOrEnv("authentik-token-file", cf.authentikTokenFile, authentikTokenEnv, authentikTokenWhat, e)
	return out, err
}

// What the token files hold, for the error an empty one gets.
const (
	consoleTokenWhat   = "an Anthropic OAuth access token with the org:admin scope"
	authentikTokenWhat = "an authentik API token"
)

// fileOrEnv is a secret from the file flagName names, else from the variable envName; "" when
// neither gives one. An empty file is a usage error saying to write what into it.
func fileOrEnv(flagName, path, envName, what string, e env) (string, error) {
	if path == "" {
		return strings.TrimSpace(e.getenv(envName)), nil
	}
	b, err := readFlagFile(flagName, path, 64<<10)
	if err != nil {
		return "", err
	}
	v := strings.TrimSpace(string(b))
	if v == "" {
		return "", usagef("--%s %s is empty: write %s into it", flagName, path, what)
	}
	return v, nil
}

// requireAuthentik is the usage error for a connection that cannot request a token.
func requireAuthentik(c wif.Connection) error {
	switch {
	case c.IssuerURL == "":
		return usagef("give --issuer URL (authentik's …/application/o/<slug>/) or --connection NAME")
	case c.ClientID == "":
		return usagef("give --client-id (the authentik provider's Client ID) or --connection NAME")
	}
	return nil
}

// openStore opens --db. Reading a stored connection from a database that does not exist is a
// usage error rather than the creation of an empty one. discard is openDB's.
func (cf *connFlags) openStore(ctx context.Context, mustExist bool) (db *store.DB, discard func(), err error) {
	if _, err := os.Stat(cf.db); mustExist && err != nil {
		return nil, func() {}, usagef("no database at --db %s (%v): give the --db that holds connection %q", cf.db, unwrapPath(err), cf.connection)
	}
	return openDB(ctx, cf.db)
}

// openExistingDB opens --db for a command that works on what is stored (audit, export): a
// missing file is a usage error rather than the creation of an empty database.
func openExistingDB(ctx context.Context, path string) (*store.DB, error) {
	if _, err := os.Stat(path); err != nil {
		return nil, usagef("no wifwiz database at --db %s: give the database the wizard or check --save wrote", path)
	}
	db, _, err := openDB(ctx, path)
	return db, err
}

// stored reads the connection named name; an unknown name is a usage error.
func stored(ctx context.Context, app *actions.Service, name, dbPath string) (*wif.Connection, error) {
	c, err := app.ConnectionByName(ctx, name)
	if wif.ErrorCode(err) == wif.ENOTFOUND || (err == nil && c == nil) {
		return nil, usagef("no connection named %q in --db %s: check the name, or give the flags instead of --connection", name, dbPath)
	}
	if err != nil {
		return nil, fmt.Errorf("read connection %q: %w", name, err)
	}
	return c, nil
}

// secret is the client secret: --client-secret-file, else WIFWIZ_CLIENT_SECRET; "" means the
// connection's secret reference, which the use case resolves. Errors name where the secret was
// looked for, never a value.
func (cf *connFlags) secret(c wif.Connection, e env) (string, error) {
	if s, err := fileOrEnv("client-secret-file", cf.secretFile, secretEnv, "the provider's Client Secret", e); s != "" || err != nil {
		return s, err
	}
	if c.SecretRef != "" {
		return "", nil
	}
	return "", usagef("give the client secret: --client-secret-file PATH or the %s environment variable", secretEnv)
}

// readFlagFile reads a file named by a flag, at most limit bytes; failures are usage errors.
func readFlagFile(flagName, path string, limit int64) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, usagef("cannot read --%s %s: %v", flagName, path, unwrapPath(err))
	}
	defer f.Close()
	b, err := io.ReadAll(io.LimitReader(f, limit+1))
	if err != nil {
		return nil, usagef("cannot read --%s %s: %v", flagName, path, unwrapPath(err))
	}
	if int64(len(b)) > limit {
		return nil, usagef("--%s %s is larger than %d bytes: is it the right file?", flagName, path, limit)
	}
	return b, nil
}

// unwrapPath drops the path from an *os.PathError, which the message already names.
func unwrapPath(err error) error {
	if pe, ok := err.(*os.PathError); ok {
		return pe.Err
	}
	return err
}

// readCAFile reads a PEM file of CA certificates named by flagName (--ca-file, --oidc-ca-file):
// the wizard's rules for a CA certificate, and the error says what the file holds instead.
func readCAFile(flagName, path string) ([]byte, error) {
	b, err := readFlagFile(flagName, path, wif.MaxResponseBytes)
	if err != nil {
		return nil, err
	}
	p := wif.ValidateProvider(wif.Connection{CAPEM: string(b)})[wif.FieldCAPEM]
	switch {
	case strings.TrimSpace(string(b)) == "":
		return nil, usagef("--%s %s is empty: it must hold PEM certificates (-----BEGIN CERTIFICATE-----)", flagName, path)
	case p != "":
		return nil, usagef("--%s %s: must hold PEM certificates (-----BEGIN CERTIFICATE-----): %s", flagName, path, p)
	}
	return b, nil
}

func applyCAFile(c *wif.Connection, path string) error {
	b, err := readCAFile("ca-file", path)
	if err != nil {
		return err
	}
	c.CAPEM = string(b)
	return nil
}

// applyJWKSFile records the inline JWKS configured in the Console.
func applyJWKSFile(c *wif.Connection, path string) error {
	b, err := readFlagFile("jwks-file", path, wif.MaxResponseBytes)
	if err != nil {
		return err
	}
	var set struct {
		Keys []json.RawMessage `json:"keys"`
	}
	if json.Unmarshal(b, &set) != nil || set.Keys == nil {
		return usagef("--jwks-file %s: must be a JWKS, a JSON object {\"keys\": [...]} as pasted into the Console", path)
	}
	c.JWKSSource, c.InlineJWKS = wif.JWKSInline, string(b)
	return nil
}

var tokenFields = []string{wif.TokenFieldAuto, wif.TokenFieldIDToken, wif.TokenFieldAccessToken}

func applyTokenField(c *wif.Connection, v string) error {
	if !slices.Contains(tokenFields, v) {
		return usagef("--token-field %q: choose auto, id_token or access_token", v)
	}
	c.TokenField = v
	return nil
}

func applyLifetime(name string, field func(*wif.Connection) *time.Duration) func(*wif.Connection, string) error {
	return func(c *wif.Connection, v string) error {
		d, err := wif.ParseLifetime(v)
		if err != nil {
			return usagef("--%s: %v", name, err)
		}
		*field(c) = d
		return nil
	}
}
