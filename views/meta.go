// Package views renders wifwiz's pages with templ. Views only render the view models they are
// given; they compute nothing about connections or reports.
package views

import (
	"context"

	"github.com/a-h/templ"
)

// Meta is what every page's layout needs about the request.
type Meta struct {
	CSRF    string // token for forms and the htmx header
	Version string
	Nav     string // "connections", "new", "audit"
	Demo    bool   // the built-in demo issuer is running
	Auth    Auth   // who is using wifwiz, and how they got in
}

// Auth modes: how wifwiz knows who is using it.
const (
	AuthOpen  = "open"  // loopback without sign-in (a laptop): everyone who reaches it may do everything
	AuthToken = "token" // one access token, for a single admin
	AuthOIDC  = "oidc"  // signed in through the OIDC provider, with a role
)

// Auth is the layout's view of the person using wifwiz.
type Auth struct {
	Mode     string // "" when unknown (a page rendered before the request was identified): no banner
	Name     string // signed in: display name
	Subject  string // signed in: the ID token's sub
	Role     string // signed in: editor or viewer
	ReadOnly bool   // a viewer: actions that change something or reach authentik or Anthropic are hidden
}

// ReadOnly says whether the request's person may only read.
func ReadOnly(ctx context.Context) bool { return MetaFrom(ctx).Auth.ReadOnly }

type metaKey struct{}

// WithMeta stores m in ctx for the layout and the form helpers.
func WithMeta(ctx context.Context, m Meta) context.Context {
	return context.WithValue(ctx, metaKey{}, m)
}

// MetaFrom returns the Meta stored by WithMeta (zero when none).
func MetaFrom(ctx context.Context) Meta {
	m, _ := ctx.Value(metaKey{}).(Meta)
	return m
}

func navCurrent(ctx context.Context, name string) templ.Attributes {
	if MetaFrom(ctx).Nav == name {
		return templ.Attributes{"aria-current": "page"}
	}
	return templ.Attributes{}
}
