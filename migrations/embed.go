// Package migrations holds wifwiz's versioned SQL migrations, embedded into the binary and
// applied in order by the store on start (one transaction each, recorded by goose).
package migrations

import "embed"

// FS holds the numbered *.sql files.
//
//go:embed *.sql
var FS embed.FS
