// Package static embeds the stylesheet and scripts and serves them under content-hashed URLs,
// so they can be cached for a year and still change with each release.
package static

import (
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"io/fs"
	"net/http"
	"strings"
)

//go:embed *.css *.js
var files embed.FS

var hashes = hashAll()

func hashAll() map[string]string {
	h := map[string]string{}
	entries, _ := fs.ReadDir(files, ".")
	for _, e := range entries {
		b, _ := files.ReadFile(e.Name())
		sum := sha256.Sum256(b)
		h[e.Name()] = hex.EncodeToString(sum[:])[:12]
	}
	return h
}

// Prefix is where the files are served.
const Prefix = "/static/"

// Path returns the cache-busted URL of an embedded file, e.g. /static/app.css?v=1a2b3c4d5e6f.
func Path(name string) string {
	return Prefix + name + "?v=" + hashes[name]
}

// Handler serves the embedded files with a long cache lifetime (the URL changes with the content).
func Handler() http.Handler {
	fileServer := http.StripPrefix(strings.TrimSuffix(Prefix, "/"), http.FileServer(http.FS(files)))
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if strings.HasSuffix(r.URL.Path, "/") { // no directory listings
			http.NotFound(w, r)
			return
		}
		w.Header().Set("Cache-Control", "public, max-age=31536000, immutable")
		fileServer.ServeHTTP(w, r)
	})
}
