package workload

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"strings"

	"github.com/wifwiz/wifwiz/verify"
	"github.com/wifwiz/wifwiz/wif"
)

// longSettings are shown in full below the tables, summarised in them.
var longSettings = map[string]string{wif.FieldCAPEM: "", wif.FieldInlineJWKS: "json"}

// emptyMeans says what an unrecorded setting stands for.
var emptyMeans = map[string]string{
	wif.FieldDiscoveryBase:            "uses the issuer URL without its trailing slash",
	wif.FieldTokenURL:                 "uses discovery's token_endpoint",
	wif.FieldScope:                    "uses " + wif.DefaultScope,
	wif.FieldTokenField:               "uses " + wif.TokenFieldAuto,
	wif.FieldCAPEM:                    "no extra CA",
	wif.FieldOAuthScope:               "the Console's default is " + wif.DefaultOAuthScope,
	wif.FieldWorkspaceID:              "the rule's only workspace is used",
	wif.FieldAnthropicBaseURL:         "uses " + wif.DefaultAnthropicBaseURL,
	wif.FieldTokenLifetime:            "the Console's default is 3600 s",
	wif.FieldMaxIdentityTokenLifetime: "the Console's default is 3600 s",
}

func writeSettings(b *strings.Builder, c wif.Connection, verdicts map[string]verify.Status, recorded map[string]SettingRecord) {
	b.WriteString("## Settings\n\n")
	fmt.Fprintf(b, "Verified column: how the last verification judged each setting — %s, %s, %s, or %s.\n\n",
		markText(verify.Pass), markText(verify.Warn), markText(verify.Fail), markText(""))
	split := consoleStart()
	writeSettingsTable(b, "authentik", c, wif.Fields[:split], verdicts, recorded)
	writeSettingsTable(b, "Anthropic Console", c, wif.Fields[split:], verdicts, recorded)
	for _, f := range wif.Fields {
		if info, long := longSettings[f.Name]; long && f.Get(c) != "" {
			fmt.Fprintf(b, "### %s in full\n\n%s\n", f.Label, mdFenced(info, f.Get(c)))
		}
	}
}

// consoleStart is the index of the first Console setting in wif.Fields.
func consoleStart() int {
	for i, f := range wif.Fields {
		if f.Name == wif.FieldServiceAccountID {
			return i
		}
	}
	return len(wif.Fields)
}

func writeSettingsTable(b *strings.Builder, side string, c wif.Connection, fields []wif.Field, verdicts map[string]verify.Status, recorded map[string]SettingRecord) {
	fmt.Fprintf(b, "### %s\n\n| Setting | Value | Verified | Recorded by |\n|---|---|---|---|\n", side)
	for _, f := range fields {
		fmt.Fprintf(b, "| %s | %s | %s | %s |\n", mdText(f.Label), settingValue(c, f), markText(verdicts[f.Name]), recordedCell(recorded, f.Name))
	}
	b.WriteString("\n")
}

// recordedCell says who recorded a setting and when, or — when that is not known.
func recordedCell(recorded map[string]SettingRecord, field string) string {
	r, ok := recorded[field]
	if !ok || r.By == "" {
		return markUnknown
	}
	return mdText(r.By) + ", " + mdTime(r.At)
}

// settingValue shows one setting in a table cell.
func settingValue(c wif.Connection, f wif.Field) string {
	v := f.Get(c)
	_, long := longSettings[f.Name]
	switch {
	case v == "" && emptyMeans[f.Name] != "":
		return "*not recorded — " + mdText(emptyMeans[f.Name]) + "*"
	case v == "":
		return "*not recorded*"
	case f.Name == wif.FieldSecretRef:
		return secretRefCell(c)
	case long:
		return summary(v) + ", shown in full below"
	case f.Name == wif.FieldSubjectMode:
		return mdCode(v) + " (" + mdText(wif.SubjectModeLabel(v)) + ")"
	case looksLikeToken(v):
		return "*" + mdText(Redacted) + "*"
	}
	return mdCode(v)
}

func secretRefCell(c wif.Connection) string {
	if ref, _ := secretRef(c); ref != "" {
		return mdCode(ref)
	}
	return "*recorded but not shown: see Where the secret lives*"
}

// summary names a long value by its length and fingerprint.
func summary(v string) string {
	sum := sha256.Sum256([]byte(v))
	return fmt.Sprintf("%d bytes, SHA-256 %s…", len(v), hex.EncodeToString(sum[:])[:16])
}
