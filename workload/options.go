package workload

import (
	"fmt"
	"regexp"
	"strings"
)

// Where the workload's SDK reads the identity token from (docs/facts.md, Anthropic: "Environment variables").
const (
	TokenFromFile = "file" // ANTHROPIC_IDENTITY_TOKEN_FILE, kept fresh by a refresher; the default
	TokenFromEnv  = "env"  // ANTHROPIC_IDENTITY_TOKEN, set by the workload itself
)

// Defaults for Options' zero fields.
const (
	DefaultTokenFile        = "/var/run/secrets/anthropic/identity-token"
	DefaultRefreshCommand   = "wifwiz"
	DefaultDBPath           = "/var/lib/wifwiz/wifwiz.db"
	DefaultClientSecretFile = "/etc/wifwiz/client-secret"
	DefaultServiceUser      = "anthropic-workload"
	// DefaultImage is the name `make image` gives the image of an untagged build (VERSION=dev);
	// wifwiz passes the name with its own version (actions.Deps.Image).
	DefaultImage = "localhost/wifwiz:dev"
)

// Options say how the workload gets its identity token. Zero fields take the defaults above.
type Options struct {
	TokenSource      string         // TokenFromFile (default) or TokenFromEnv
	TokenFile        string         // absolute path of the identity token file
	RefreshCommand   string         // the wifwiz binary the refresh setups run
	DBPath           string         // --db of the stored-connection command line
	ClientSecretFile string         // where the refresh setups read the authentik client secret from
	ServiceUser      string         // the user the systemd refresher and the workload both run as
	Image            string         // a container image holding the wifwiz binary, for the Kubernetes sidecar
	Authentik        AuthentikFacts // for the authentik exports
}

var userPattern = regexp.MustCompile(`^[a-z_][a-z0-9_-]{0,31}$`)

func (o Options) withDefaults() Options {
	o.TokenSource = or(o.TokenSource, TokenFromFile)
	o.TokenFile = or(o.TokenFile, DefaultTokenFile)
	o.RefreshCommand = or(o.RefreshCommand, DefaultRefreshCommand)
	o.DBPath = or(o.DBPath, DefaultDBPath)
	o.ClientSecretFile = or(o.ClientSecretFile, DefaultClientSecretFile)
	o.ServiceUser = or(o.ServiceUser, DefaultServiceUser)
	o.Image = or(o.Image, DefaultImage)
	return o
}

// Validate says what is wrong with the options, nil when they can be rendered.
func (o Options) Validate() error {
	o = o.withDefaults()
	switch {
	case o.TokenSource != TokenFromFile && o.TokenSource != TokenFromEnv:
		return fmt.Errorf("token source %q: use %q or %q", o.TokenSource, TokenFromFile, TokenFromEnv)
	case !absolute(o.TokenFile):
		return fmt.Errorf("token file %q: give an absolute path without control characters", o.TokenFile)
	case !absolute(o.ClientSecretFile):
		return fmt.Errorf("client secret file %q: give an absolute path without control characters", o.ClientSecretFile)
	case hasControl(o.DBPath) || hasControl(o.RefreshCommand):
		return fmt.Errorf("database path and refresh command must not contain control characters")
	case !userPattern.MatchString(o.ServiceUser):
		return fmt.Errorf("service user %q: use a system user name (lowercase letters, digits, _ and -)", o.ServiceUser)
	case o.Image == "" || strings.ContainsFunc(o.Image, isSpaceOrControl):
		return fmt.Errorf("image %q must not contain spaces", o.Image)
	}
	return nil
}

func absolute(path string) bool {
	return strings.HasPrefix(path, "/") && !hasControl(path)
}

func or(v, fallback string) string {
	if v == "" {
		return fallback
	}
	return v
}
