package wif

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"net/url"
	"strings"
	"time"
)

// AlertKind says what changed for an alert to be sent.
type AlertKind string

const (
	AlertFailing   AlertKind = "failing"   // the last run passed, this one failed
	AlertRecovered AlertKind = "recovered" // the last run failed, this one passed
	AlertDrift     AlertKind = "drift"     // this run drifted in a way the last run did not
	AlertTest      AlertKind = "test"      // sent from the alerts page's test button
)

// Webhook formats.
const (
	WebhookGeneric = "generic" // the documented JSON payload (docs/operations.md)
	WebhookSlack   = "slack"   // Slack's incoming-webhook shape: {"text": …}
)

// SlackPrefix marks a Slack webhook in `serve --alert-webhook slack:https://…`.
const SlackPrefix = "slack:"

// MaxWebhookURL bounds a webhook URL.
const MaxWebhookURL = 2048

// AlertTarget is one webhook alerts go to: a URL, or a reference (env:NAME or file:/path) to
// the URL, read at each delivery so that the URL itself is never stored.
type AlertTarget struct {
	ID     int64  // a stored webhook's ID; 0 for one given on the command line
	URL    string // "" when Ref is set
	Ref    string // env:NAME or file:/path giving the URL; "" when URL is set
	Format string // WebhookGeneric | WebhookSlack
	// AddedBy is who added a stored webhook (the actor form of Event.Actor); "" for one given
	// on the command line or added before it was recorded.
	AddedBy string
}

// Key names the target in the delivery log without its URL: a stored webhook by ID, one from the
// command line by a hash of its URL or reference (the same across restarts).
func (t AlertTarget) Key() string {
	if t.ID != 0 {
		return fmt.Sprintf("webhook:%d", t.ID)
	}
	v := t.URL
	if t.Ref != "" {
		v = "ref " + t.Ref
	}
	sum := sha256.Sum256([]byte(t.Format + " " + v))
	return "flag:" + hex.EncodeToString(sum[:6])
}

// Label shows a webhook without what may be its secret: a Slack webhook's path is its
// credential, so only the scheme and host are shown; a reference is shown as it is.
func (t AlertTarget) Label() string {
	label := t.Ref
	if label == "" {
		u, err := url.Parse(t.URL)
		if err != nil || u.Host == "" {
			return "(malformed URL)"
		}
		label = u.Scheme + "://" + u.Host + "/…"
	}
	if t.Format == WebhookSlack {
		label = "slack " + label
	}
	return label
}

// StoresPath reports whether t is a literal URL with more than a scheme and host: a path or
// query that may be its credential, kept as typed wherever t is stored.
func (t AlertTarget) StoresPath() bool {
	if t.Ref != "" {
		return false
	}
	u, err := url.Parse(t.URL)
	return err != nil || (u.Path != "" && u.Path != "/") || u.RawQuery != ""
}

// IsWebhookRef reports whether v is meant as a reference to a webhook URL rather than a URL.
func IsWebhookRef(v string) bool {
	return strings.HasPrefix(v, "env:") || strings.HasPrefix(v, "file:")
}

// NewAlertTarget reads a webhook as given: a URL, or a reference (env:NAME or file:/path) to
// one. A URL is checked with ValidateWebhookURL; a reference only for its form, as the URL it
// gives is read where it is used.
func NewAlertTarget(v, format string) (AlertTarget, error) {
	t := AlertTarget{URL: v, Format: format}
	if err := ValidateWebhookFormat(format); err != nil {
		return t, err
	}
	if !IsWebhookRef(v) {
		return t, ValidateWebhookURL(v)
	}
	t.URL, t.Ref = "", v
	if secretRefProblem(v) != "" || len(v) > MaxWebhookURL {
		msg := "Webhook reference " + quoteRef(v) + ": give env:NAME (an environment variable) or file:/absolute/path holding the URL."
		return t, &Error{Code: EINVALID, Message: msg, Fields: map[string]string{"url": msg}}
	}
	return t, nil
}

// quoteRef quotes a reference for a message, cut short when long.
func quoteRef(v string) string {
	if r := []rune(v); len(r) > 80 {
		v = string(r[:80]) + "…"
	}
	return fmt.Sprintf("%q", v)
}

// ParseAlertTarget reads `serve --alert-webhook`: a URL or a reference to one, with slack: before
// it for the Slack shape.
func ParseAlertTarget(v string) (AlertTarget, error) {
	format := WebhookGeneric
	if rest, ok := strings.CutPrefix(v, SlackPrefix); ok {
		format, v = WebhookSlack, rest
	}
	return NewAlertTarget(v, format)
}

// ValidateResolvedWebhookURL checks the URL a webhook reference gave with ValidateWebhookURL's
// rules; the error names the reference, never the URL.
func ValidateResolvedWebhookURL(ref, v string) error {
	return validateWebhookURL(v, "Webhook URL from "+ref+": ")
}

// ValidateWebhookFormat says what is wrong with a webhook format.
func ValidateWebhookFormat(f string) error {
	if f != WebhookGeneric && f != WebhookSlack {
		return Errorf(EINVALID, "Webhook format %q: choose %q or %q.", f, WebhookGeneric, WebhookSlack)
	}
	return nil
}

// ValidateWebhookURL refuses what alerts must never be sent to: anything but https, except on
// loopback; URLs with credentials before the host, fragments, or control characters. The error
// does not quote the URL: its path may be a credential.
func ValidateWebhookURL(v string) error {
	if v == "" {
		msg := "Webhook URL: give the URL the receiver gave you, e.g. https://hooks.slack.com/services/…, or env:NAME / file:/path holding it."
		return &Error{Code: EINVALID, Message: msg, Fields: map[string]string{"url": msg}}
	}
	return validateWebhookURL(v, "Webhook URL: ")
}

// validateWebhookURL applies ValidateWebhookURL's rules to a non-empty URL; what starts the message.
func validateWebhookURL(v, what string) error {
	bad := func(why string) error {
		return &Error{Code: EINVALID, Message: what + why, Fields: map[string]string{"url": what + why}}
	}
	if len(v) > MaxWebhookURL {
		return bad(fmt.Sprintf("it is %d characters long; at most %d are accepted.", len(v), MaxWebhookURL))
	}
	if strings.ContainsFunc(v, func(r rune) bool { return r <= ' ' || r == 0x7f }) {
		return bad("it contains spaces or control characters.")
	}
	u, err := url.Parse(v)
	switch {
	case err != nil || u.Host == "" || u.Opaque != "":
		return bad("it is not an absolute URL such as https://alerts.example.com/hook.")
	case u.Scheme != "https" && !(u.Scheme == "http" && IsLoopbackHost(u.Hostname())):
		return bad("it must start with https:// (plain http only to a loopback address such as 127.0.0.1).")
	case u.User != nil:
		return bad("it must not contain a user name or password before the host.")
	case u.Fragment != "":
		return bad("it must not have a fragment (#…).")
	}
	return nil
}

// Alert is one state change of a connection to tell the webhooks about. Payload is the generic
// payload (JSON) as recorded, without the report's URL.
type Alert struct {
	ID             int64
	At             time.Time
	Kind           AlertKind
	ConnectionID   int64 // 0 for a test alert
	ConnectionName string
	RunID          int64
	Payload        []byte
}

// Delivery states.
const (
	DeliveryPending   = "pending"
	DeliveryDelivered = "delivered"
	DeliveryFailed    = "failed" // every attempt failed; not retried again
)

// AlertDelivery is one alert's delivery to one webhook with its attempts.
type AlertDelivery struct {
	ID         int64
	AlertID    int64
	Target     string // AlertTarget.Key
	Label      string // AlertTarget.Label
	Format     string
	State      string
	Attempts   int
	NextAt     time.Time // when the next attempt is due, while pending
	LastStatus int       // the receiver's last HTTP status; 0 when none answered
	LastError  string
	UpdatedAt  time.Time

	// Read with the delivery for the log.
	AlertKind      AlertKind
	ConnectionName string
	AlertAt        time.Time
}
