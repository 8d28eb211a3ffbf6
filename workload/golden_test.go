package workload

import (
	"testing"
	"time"

	"github.com/wifwiz/wifwiz/wif"
)

var goldenConnections = map[string]func() wif.Connection{
	"full":      fullConnection,
	"workspace": workspaceConnection,
	"draft":     draftConnection,
}

func TestRenderGolden(t *testing.T) {
	for name, conn := range goldenConnections {
		for _, format := range Formats() {
			t.Run(name+"/"+format, func(t *testing.T) {
				got, err := Render(conn(), format, Options{})
				if err != nil {
					t.Fatal(err)
				}
				golden(t, name+"/"+FileName(conn(), format), got)
			})
		}
	}
}

func TestRenderGoldenEnvMode(t *testing.T) {
	for _, format := range Formats() {
		t.Run(format, func(t *testing.T) {
			got, err := Render(fullConnection(), format, Options{TokenSource: TokenFromEnv})
			if err != nil {
				t.Fatal(err)
			}
			golden(t, "env-mode/"+FileName(fullConnection(), format), got)
		})
	}
}

func TestRefreshSetupsGolden(t *testing.T) {
	for name, conn := range goldenConnections {
		for _, s := range RefreshSetups(conn(), Options{}) {
			t.Run(name+"/"+s.Filename, func(t *testing.T) {
				golden(t, name+"/refresh/"+s.Filename, s.Content)
			})
		}
	}
}

func TestMarkdownGolden(t *testing.T) {
	cases := map[string]Checklist{
		"full": {Connection: fullConnection(), RecordedBy: "cli:alice", RecordedAt: recordedAt,
			GeneratedAt: generatedAt, LastRun: passingRun(), SecretUsable: true, Recorded: map[string]SettingRecord{
				wif.FieldClientID:         {By: "Alice Example <alice>", At: recordedAt.Add(-48 * time.Hour)},
				wif.FieldFederationRuleID: {By: "cli:alice", At: recordedAt},
			}},
		"workspace": {Connection: workspaceConnection(), RecordedBy: "browser", RecordedAt: recordedAt,
			GeneratedAt: generatedAt, LastRun: failingRun(),
			Warnings: []string{"kid changed since the last passing run: k0 → k1"}},
		"draft": {Connection: draftConnection(), RecordedBy: "browser", RecordedAt: recordedAt, GeneratedAt: generatedAt},
	}
	for name, cl := range cases {
		t.Run(name, func(t *testing.T) {
			golden(t, name+"/"+FileName(cl.Connection, FormatMarkdown), Markdown(cl, Options{}))
		})
	}
}
