package wif_test

import (
	"strings"
	"testing"

	"github.com/wifwiz/wifwiz/wif"
)

func TestAlertTargetForms(t *testing.T) {
	for v, want := range map[string]struct {
		url, ref, format, label string
		storesPath              bool
	}{
		"https://alerts.example.com":                {url: "https://alerts.example.com", format: "generic", label: "https://alerts.example.com/…"},
		"https://alerts.example.com/":               {url: "https://alerts.example.com/", format: "generic", label: "https://alerts.example.com/…"},
		"https://alerts.example.com/?":              {url: "https://alerts.example.com/?", format: "generic", label: "https://alerts.example.com/…"},
		"https://alerts.example.com/hook":           {url: "https://alerts.example.com/hook", format: "generic", label: "https://alerts.example.com/…", storesPath: true},
		"https://alerts.example.com?token=x":        {url: "https://alerts.example.com?token=x", format: "generic", label: "https://alerts.example.com/…", storesPath: true},
		"slack:https://hooks.slack.com/services/T/": {url: "https://hooks.slack.com/services/T/", format: "slack", label: "slack https://hooks.slack.com/…", storesPath: true},
		"env:SLACK_HOOK":                            {ref: "env:SLACK_HOOK", format: "generic", label: "env:SLACK_HOOK"},
		"slack:file:/run/secrets/hook":              {ref: "file:/run/secrets/hook", format: "slack", label: "slack file:/run/secrets/hook"},
	} {
		got, err := wif.ParseAlertTarget(v)
		if err != nil || got.URL != want.url || got.Ref != want.ref || got.Format != want.format || got.Label() != want.label || got.StoresPath() != want.storesPath {
			t.Errorf("%s: %+v (label %q, stores path %v), %v; want %+v", v, got, got.Label(), got.StoresPath(), err, want)
		}
	}
	for _, v := range []string{"env:", "env:lower-case", "file:relative/path", "file:", "slack:env:"} {
		if _, err := wif.ParseAlertTarget(v); err == nil || !strings.Contains(err.Error(), "env:NAME") {
			t.Errorf("%s: %v; want an error saying the reference's form", v, err)
		}
	}
	byURL := wif.AlertTarget{URL: "env:X", Format: "generic"}
	byRef := wif.AlertTarget{Ref: "env:X", Format: "generic"}
	if byURL.Key() == byRef.Key() {
		t.Error("a reference and a URL spelled alike have one key")
	}
}

func TestResolvedWebhookURLErrorsNameTheReference(t *testing.T) {
	for _, v := range []string{"s3cret", "http://alerts.example.com/s3cret", "https://user:s3cret@alerts.example.com/", "https://alerts.example.com/#s3cret"} {
		err := wif.ValidateResolvedWebhookURL("env:HOOK", v)
		if err == nil || !strings.Contains(err.Error(), "env:HOOK") || strings.Contains(err.Error(), "s3cret") ||
			!strings.Contains(wif.ErrorFields(err)["url"], "env:HOOK") {
			t.Errorf("%s: %v", v, err)
		}
	}
	if err := wif.ValidateResolvedWebhookURL("env:HOOK", "https://hooks.slack.com/services/T/B/x"); err != nil {
		t.Error(err)
	}
}
