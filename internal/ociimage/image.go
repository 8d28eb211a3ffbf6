// Package ociimage builds wifwiz's container image without a container daemon
// (go-containerregistry): the static binary, the machine's CA bundle, /etc/passwd and /etc/group
// with the non-root user, and an empty /data for the database — the same image the Dockerfile
// builds — written as an OCI archive (a tar of an OCI image layout).
package ociimage

import (
	"archive/tar"
	"bytes"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"time"

	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/empty"
	"github.com/google/go-containerregistry/pkg/v1/layout"
	"github.com/google/go-containerregistry/pkg/v1/mutate"
	"github.com/google/go-containerregistry/pkg/v1/tarball"
	"github.com/google/go-containerregistry/pkg/v1/types"
)

// What the image holds; the Dockerfile uses the same values.
const (
	UID        = 65532
	User       = "wifwiz"
	BinaryPath = "usr/local/bin/wifwiz"
	CAPath     = "etc/ssl/certs/ca-certificates.crt"
	DataDir    = "data"
	Port       = "8080/tcp"
	// DefaultRef is the name `make image` gives the image when no version is known; the
	// Kubernetes refresher export defaults to the name with the binary's version.
	DefaultRepository = "localhost/wifwiz"
)

// Entrypoint serves on every interface of the container with the database on the /data volume;
// off loopback, serve requires TLS (--tls-cert/--tls-key, or --behind-tls-proxy, given after the
// image name) and an access token (WIFWIZ_ACCESS_TOKEN, or one it prints).
var Entrypoint = []string{"/" + BinaryPath, "serve", "--addr", "0.0.0.0:8080", "--db", "/data/wifwiz.db"}

// Options say what goes into the image.
type Options struct {
	Binary   string // a static linux wifwiz binary (CGO_ENABLED=0)
	CABundle string // PEM bundle of trusted CAs, e.g. /etc/ssl/certs/ca-certificates.crt
	Version  string
	Arch     string    // GOARCH of the binary; empty: this machine's
	Created  time.Time // the image's creation time (and every file's); zero: the Unix epoch, for reproducible builds
}

// Build assembles the image.
func Build(o Options) (v1.Image, error) {
	bin, err := os.ReadFile(o.Binary)
	if err != nil {
		return nil, fmt.Errorf("read the binary: %w", err)
	}
	ca, err := os.ReadFile(o.CABundle)
	if err != nil {
		return nil, fmt.Errorf("read the CA bundle: %w", err)
	}
	if o.Arch == "" {
		o.Arch = runtime.GOARCH
	}
	if o.Created.IsZero() {
		o.Created = time.Unix(0, 0).UTC()
	}
	base, err := layer(o.Created, baseFiles(ca))
	if err != nil {
		return nil, err
	}
	app, err := layer(o.Created, []file{{name: BinaryPath, mode: 0o755, body: bin}})
	if err != nil {
		return nil, err
	}
	img := mutate.MediaType(empty.Image, types.OCIManifestSchema1)
	img = mutate.ConfigMediaType(img, types.OCIConfigJSON)
	if img, err = mutate.AppendLayers(img, base, app); err != nil {
		return nil, err
	}
	cf, err := img.ConfigFile()
	if err != nil {
		return nil, err
	}
	cf = cf.DeepCopy()
	cf.OS, cf.Architecture, cf.Created = "linux", o.Arch, v1.Time{Time: o.Created}
	cf.Config = config(o.Version)
	return mutate.ConfigFile(img, cf)
}

func config(version string) v1.Config {
	return v1.Config{
		Entrypoint:   Entrypoint,
		User:         fmt.Sprintf("%d:%d", UID, UID),
		WorkingDir:   "/" + DataDir,
		Env:          []string{"PATH=/usr/local/bin", "SSL_CERT_FILE=/" + CAPath},
		ExposedPorts: map[string]struct{}{Port: {}},
		Volumes:      map[string]struct{}{"/" + DataDir: {}},
		Labels: map[string]string{
			"org.opencontainers.image.title":       "wifwiz",
			"org.opencontainers.image.description": "Anthropic Workload Identity Federation with authentik: set up, verify, watch",
			"org.opencontainers.image.version":     version,
			"org.opencontainers.image.source":      "https://github.com/wifwiz/wifwiz",
		},
	}
}

type file struct {
	name     string
	mode     int64
	body     []byte
	dir      bool
	uid, gid int
}

func baseFiles(ca []byte) []file {
	passwd := fmt.Sprintf("root:x:0:0:root:/root:/sbin/nologin\n%s:x:%d:%d:%s:/%s:/sbin/nologin\n", User, UID, UID, User, DataDir)
	group := fmt.Sprintf("root:x:0:\n%s:x:%d:\n", User, UID)
	return []file{
		{name: "etc", dir: true, mode: 0o755},
		{name: "etc/passwd", mode: 0o644, body: []byte(passwd)},
		{name: "etc/group", mode: 0o644, body: []byte(group)},
		{name: "etc/ssl", dir: true, mode: 0o755},
		{name: "etc/ssl/certs", dir: true, mode: 0o755},
		{name: CAPath, mode: 0o644, body: ca},
		{name: "tmp", dir: true, mode: 0o1777},
		{name: DataDir, dir: true, mode: 0o700, uid: UID, gid: UID},
		{name: "usr", dir: true, mode: 0o755},
		{name: "usr/local", dir: true, mode: 0o755},
		{name: "usr/local/bin", dir: true, mode: 0o755},
	}
}

// layer is a gzip-compressed OCI layer holding files, with fixed times and owners.
func layer(at time.Time, files []file) (v1.Layer, error) {
	var buf bytes.Buffer
	tw := tar.NewWriter(&buf)
	for _, f := range files {
		h := &tar.Header{Name: f.name, Mode: f.mode, ModTime: at, Uid: f.uid, Gid: f.gid, Format: tar.FormatPAX}
		if f.dir {
			h.Typeflag, h.Name = tar.TypeDir, f.name+"/"
		} else {
			h.Typeflag, h.Size = tar.TypeReg, int64(len(f.body))
		}
		if err := tw.WriteHeader(h); err != nil {
			return nil, err
		}
		if _, err := tw.Write(f.body); err != nil {
			return nil, err
		}
	}
	if err := tw.Close(); err != nil {
		return nil, err
	}
	b := buf.Bytes()
	return tarball.LayerFromOpener(func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(b)), nil },
		tarball.WithMediaType(types.OCILayer))
}

// WriteArchive writes img, named ref (e.g. localhost/wifwiz:1.2.0), as an OCI image layout in a
// tar file at path: what `podman load`, `skopeo copy oci-archive:` and containerd's import read.
func WriteArchive(img v1.Image, ref, path string) error {
	dir, err := os.MkdirTemp(filepath.Dir(path), ".oci-layout-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	lp, err := layout.Write(dir, empty.Index)
	if err != nil {
		return err
	}
	if err := lp.AppendImage(img, layout.WithAnnotations(map[string]string{"org.opencontainers.image.ref.name": ref})); err != nil {
		return err
	}
	return tarDir(dir, path)
}

// tarDir writes the files under dir into a tar file at path, in a stable order.
func tarDir(dir, path string) error {
	out, err := os.Create(path)
	if err != nil {
		return err
	}
	tw := tar.NewWriter(out)
	err = filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
		if err != nil || p == dir {
			return err
		}
		rel, _ := filepath.Rel(dir, p)
		info, err := d.Info()
		if err != nil {
			return err
		}
		h, err := tar.FileInfoHeader(info, "")
		if err != nil {
			return err
		}
		h.Name, h.ModTime, h.Uid, h.Gid, h.Uname, h.Gname = filepath.ToSlash(rel), time.Unix(0, 0), 0, 0, "", ""
		if d.IsDir() {
			h.Name += "/"
		}
		if err := tw.WriteHeader(h); err != nil || d.IsDir() {
			return err
		}
		f, err := os.Open(p)
		if err != nil {
			return err
		}
		defer f.Close()
		_, err = io.Copy(tw, f)
		return err
	})
	if cerr := tw.Close(); err == nil {
		err = cerr
	}
	if cerr := out.Close(); err == nil {
		err = cerr
	}
	return err
}
