package main

import (
	"flag"
	"fmt"
	"io"
	"net"
	"net/url"
	"time"

	"github.com/wifwiz/wifwiz/actions"
	"github.com/wifwiz/wifwiz/oidclogin"
	"github.com/wifwiz/wifwiz/store"
	"github.com/wifwiz/wifwiz/wif"
)

// oidcSecretEnv holds the sign-in client's secret when no --oidc-client-secret-file is given.
const oidcSecretEnv = "WIFWIZ_OIDC_CLIENT_SECRET"

// signInOptions are serve's flags for sign-in through an OIDC provider (docs/security.md).
type signInOptions struct {
	issuer, clientID, secretFile, redirectURL, caFile string
	editorGroup, viewerGroup, groupsClaim             string
	idle, maxAge                                      time.Duration
}

func (o *signInOptions) register(fs *flag.FlagSet) {
	fs.StringVar(&o.issuer, "oidc-issuer", "", "sign people in through this OIDC issuer (authentik: https://HOST/application/o/SLUG/); off when empty")
	fs.StringVar(&o.clientID, "oidc-client-id", "", "the sign-in provider's client ID (a second authentik provider: authorization code, confidential)")
	fs.StringVar(&o.secretFile, "oidc-client-secret-file", "", "file holding the sign-in provider's client secret (or "+oidcSecretEnv+")")
	fs.StringVar(&o.redirectURL, "oidc-redirect-url", "", "wifwiz's callback as registered in authentik, https://HOST/auth/callback (default on loopback: http://ADDR/auth/callback)")
	fs.StringVar(&o.caFile, "oidc-ca-file", "", "extra trusted CA (PEM) for the sign-in provider's TLS certificate")
	fs.StringVar(&o.editorGroup, "oidc-editor-group", "", "members of this group may run the wizard, verify, apply, audit and export")
	fs.StringVar(&o.viewerGroup, "oidc-viewer-group", "", "members of this group may read connections, reports, history and hand-off pages and download exports")
	fs.StringVar(&o.groupsClaim, "oidc-groups-claim", oidclogin.DefaultGroupsClaim, "the ID token (or userinfo) claim that lists the person's groups")
	fs.DurationVar(&o.idle, "session-idle-timeout", actions.DefaultIdleTimeout, "a session unused this long ends")
	fs.DurationVar(&o.maxAge, "session-max-age", actions.DefaultMaxAge, "a session ends this long after sign-in, however active")
}

func (o signInOptions) enabled() bool { return o.issuer != "" }

// check refuses an incomplete or contradictory sign-in configuration, saying what to add.
func (o signInOptions) check() error {
	if !o.enabled() {
		for name, v := range map[string]string{"--oidc-client-id": o.clientID, "--oidc-client-secret-file": o.secretFile,
			"--oidc-redirect-url": o.redirectURL, "--oidc-ca-file": o.caFile, "--oidc-editor-group": o.editorGroup,
			"--oidc-viewer-group": o.viewerGroup} {
			if v != "" {
				return usagef("%s is given but sign-in is off: add --oidc-issuer URL", name)
			}
		}
		return nil
	}
	switch {
	case o.clientID == "":
		return usagef("--oidc-issuer needs --oidc-client-id: the Client ID of the sign-in provider in authentik")
	case o.editorGroup == "":
		return usagef("--oidc-issuer needs --oidc-editor-group NAME: the authentik group whose members may change things (without it nobody could)")
	case o.editorGroup == o.viewerGroup:
		return usagef("--oidc-editor-group and --oidc-viewer-group are both %q: name two groups", o.editorGroup)
	case o.idle <= 0 || o.maxAge <= 0:
		return usagef("--session-idle-timeout and --session-max-age must be positive durations, e.g. 30m and 12h")
	case o.idle > o.maxAge:
		return usagef("--session-idle-timeout %s is longer than --session-max-age %s", o.idle, o.maxAge)
	}
	return nil
}

// redirect is the redirect URI: the flag, else derived from a loopback --addr.
func (o signInOptions) redirect(addr string) (string, error) {
	if o.redirectURL != "" {
		u, err := url.Parse(o.redirectURL)
		if err != nil || (u.Scheme != "https" && !(u.Scheme == "http" && wif.IsLoopbackHost(u.Hostname()))) || u.Host == "" ||
			u.Path != "/auth/callback" || u.RawQuery != "" || u.Fragment != "" {
			return "", usagef("--oidc-redirect-url %q must be https://HOST[:PORT]/auth/callback (http only on loopback)", o.redirectURL)
		}
		return o.redirectURL, nil
	}
	host, port, err := net.SplitHostPort(addr)
	if err != nil || !wif.IsLoopbackHost(host) || port == "0" {
		return "", usagef("sign-in needs --oidc-redirect-url https://HOST/auth/callback: the address people open wifwiz at, as registered in authentik (derived only for a loopback --addr with a fixed port)")
	}
	return "http://" + net.JoinHostPort(host, port) + "/auth/callback", nil
}

func (o signInOptions) secret(e env) (string, error) {
	if s, err := fileOrEnv("oidc-client-secret-file", o.secretFile, oidcSecretEnv, "the sign-in provider's Client Secret", e); s != "" || err != nil {
		return s, err
	}
	return "", usagef("--oidc-issuer needs the sign-in provider's client secret: --oidc-client-secret-file PATH or %s", oidcSecretEnv)
}

// build wires sign-in to the store; it sends nothing (discovery happens at the first sign-in).
func (o signInOptions) build(db *store.DB, addr string, e env) (*actions.SignIn, error) {
	if err := o.check(); err != nil || !o.enabled() {
		return nil, err
	}
	redirect, err := o.redirect(addr)
	if err != nil {
		return nil, err
	}
	secret, err := o.secret(e)
	if err != nil {
		return nil, err
	}
	var ca []byte
	if o.caFile != "" {
		if ca, err = readCAFile("oidc-ca-file", o.caFile); err != nil {
			return nil, err
		}
	}
	rp, err := oidclogin.New(oidclogin.Config{Issuer: o.issuer, ClientID: o.clientID, ClientSecret: secret,
		RedirectURL: redirect, CAPEM: ca, GroupsClaim: o.groupsClaim})
	if err != nil {
		return nil, usagef("--oidc-issuer: %v", err)
	}
	return actions.NewSignIn(actions.SignInConfig{Provider: rp, Sessions: db, IdleTimeout: o.idle, MaxAge: o.maxAge,
		Roles: wif.RolePolicy{EditorGroup: o.editorGroup, ViewerGroup: o.viewerGroup}}), nil
}

// printSignIn tells the operator what to register in authentik.
func printSignIn(w io.Writer, si *actions.SignIn) {
	roles := si.Roles()
	fmt.Fprintf(w, "sign-in through %s (editors: group %q", si.Issuer(), roles.EditorGroup)
	if roles.ViewerGroup != "" {
		fmt.Fprintf(w, ", viewers: group %q", roles.ViewerGroup)
	}
	fmt.Fprintf(w, ")\nregister this redirect URI in authentik's sign-in provider (Strict): %s\n", si.RedirectURL())
}
