package ociimage_test

import (
	"archive/tar"
	"bytes"
	"errors"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-containerregistry/pkg/v1/layout"
	"github.com/google/go-containerregistry/pkg/v1/mutate"

	"github.com/wifwiz/wifwiz/internal/ociimage"
)

// TestImageArchive builds the image from a binary, writes the OCI archive,
// opens it with go-containerregistry's layout reader and checks the entrypoint, the non-root
// user, the port, the volume and the files — the binary byte for byte.
func TestImageArchive(t *testing.T) {
	dir := t.TempDir()
	// A stand-in for the static binary `make image` builds (building one here takes minutes).
	bin := filepath.Join(dir, "wifwiz")
	if err := os.WriteFile(bin, append([]byte("\x7fELF stand-in "), bytes.Repeat([]byte{0, 1, 2, 3}, 1<<16)...), 0o755); err != nil {
		t.Fatal(err)
	}
	ca := filepath.Join(dir, "ca.pem")
	if err := os.WriteFile(ca, []byte("-----BEGIN CERTIFICATE-----\ntest\n-----END CERTIFICATE-----\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	img, err := ociimage.Build(ociimage.Options{Binary: bin, CABundle: ca, Version: "1.2.3"})
	if err != nil {
		t.Fatal(err)
	}
	archive := filepath.Join(dir, "wifwiz-image.tar")
	if err := ociimage.WriteArchive(img, "localhost/wifwiz:1.2.3", archive); err != nil {
		t.Fatal(err)
	}

	lp, err := layout.FromPath(untar(t, archive))
	if err != nil {
		t.Fatal(err)
	}
	idx, err := lp.ImageIndex()
	if err != nil {
		t.Fatal(err)
	}
	im, err := idx.IndexManifest()
	if err != nil || len(im.Manifests) != 1 || im.Manifests[0].Annotations["org.opencontainers.image.ref.name"] != "localhost/wifwiz:1.2.3" {
		t.Fatalf("index: %+v %v", im, err)
	}
	got, err := lp.Image(im.Manifests[0].Digest)
	if err != nil {
		t.Fatal(err)
	}
	cf, err := got.ConfigFile()
	if err != nil {
		t.Fatal(err)
	}
	c := cf.Config
	want := []string{"/usr/local/bin/wifwiz", "serve", "--addr", "0.0.0.0:8080", "--db", "/data/wifwiz.db"}
	if !slices.Equal(c.Entrypoint, want) {
		t.Errorf("entrypoint %q, want %q", c.Entrypoint, want)
	}
	if c.User != "65532:65532" {
		t.Errorf("user %q, want the non-root 65532:65532", c.User)
	}
	if _, ok := c.ExposedPorts["8080/tcp"]; !ok {
		t.Errorf("exposed ports %v", c.ExposedPorts)
	}
	if _, ok := c.Volumes["/data"]; !ok {
		t.Errorf("volumes %v", c.Volumes)
	}
	if cf.OS != "linux" || c.Labels["org.opencontainers.image.version"] != "1.2.3" {
		t.Errorf("os %q, labels %v", cf.OS, c.Labels)
	}

	files := extract(t, mutate.Extract(got))
	binary, _ := os.ReadFile(bin)
	if f := files["usr/local/bin/wifwiz"]; f == nil || !bytes.Equal(f.body, binary) || f.mode&0o111 == 0 {
		t.Error("the image's /usr/local/bin/wifwiz is not the executable built")
	}
	if f := files["etc/ssl/certs/ca-certificates.crt"]; f == nil || !strings.Contains(string(f.body), "BEGIN CERTIFICATE") {
		t.Error("no CA bundle at /etc/ssl/certs/ca-certificates.crt")
	}
	if f := files["etc/passwd"]; f == nil || !strings.Contains(string(f.body), "wifwiz:x:65532:65532:") {
		t.Error("/etc/passwd lacks the wifwiz user")
	}
	if f := files["etc/group"]; f == nil || !strings.Contains(string(f.body), "wifwiz:x:65532:") {
		t.Error("/etc/group lacks the wifwiz group")
	}
	if f := files["data"]; f == nil || !f.dir || f.uid != 65532 {
		t.Errorf("/data: %+v, want an empty folder owned by the wifwiz user", f)
	}
	for name := range files {
		if strings.HasPrefix(name, "data/") {
			t.Errorf("/data is not empty: %s", name)
		}
	}
}

type entry struct {
	body []byte
	mode int64
	dir  bool
	uid  int
}

func extract(t *testing.T, rc io.ReadCloser) map[string]*entry {
	t.Helper()
	defer rc.Close()
	out := map[string]*entry{}
	tr := tar.NewReader(rc)
	for {
		h, err := tr.Next()
		if errors.Is(err, io.EOF) {
			return out
		}
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(tr)
		out[strings.TrimSuffix(h.Name, "/")] = &entry{body: b, mode: h.Mode, dir: h.Typeflag == tar.TypeDir, uid: h.Uid}
	}
}

// untar unpacks the archive into a folder, as a runtime importing it does.
func untar(t *testing.T, archive string) string {
	t.Helper()
	f, err := os.Open(archive)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	dir := t.TempDir()
	tr := tar.NewReader(f)
	for {
		h, err := tr.Next()
		if errors.Is(err, io.EOF) {
			return dir
		}
		if err != nil {
			t.Fatal(err)
		}
		p := filepath.Join(dir, filepath.FromSlash(h.Name))
		if !strings.HasPrefix(p, dir) {
			t.Fatalf("archive entry escapes: %s", h.Name)
		}
		if h.Typeflag == tar.TypeDir {
			if err := os.MkdirAll(p, 0o755); err != nil {
				t.Fatal(err)
			}
			continue
		}
		b, _ := io.ReadAll(tr)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
}
