package web_test

import (
	"go/parser"
	"go/token"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// TestWebImportsOnlyTheUseCaseLayer keeps the layering of docs/architecture.md: the web layer
// talks to the use cases, never to an adapter.
func TestWebImportsOnlyTheUseCaseLayer(t *testing.T) {
	allowed := map[string]bool{"actions": true, "views": true, "static": true, "wif": true, "verify": true, "workload": true, "redact": true}
	files, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	fset := token.NewFileSet()
	for _, f := range files {
		if strings.HasSuffix(f, "_test.go") {
			continue
		}
		parsed, err := parser.ParseFile(fset, f, nil, parser.ImportsOnly)
		if err != nil {
			t.Fatal(err)
		}
		for _, imp := range parsed.Imports {
			path, _ := strconv.Unquote(imp.Path.Value)
			rest, ours := strings.CutPrefix(path, "github.com/wifwiz/wifwiz/")
			if ours && !allowed[rest] {
				t.Errorf("%s imports %s: the web layer calls actions, never an adapter", f, path)
			}
		}
	}
}
