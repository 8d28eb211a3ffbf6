// Command wifwiz-image builds wifwiz's container image as an OCI archive without a container
// daemon (`make image`): see internal/ociimage.
package main

import (
	"flag"
	"fmt"
	"os"

	"github.com/wifwiz/wifwiz/internal/ociimage"
)

func main() {
	var o ociimage.Options
	flag.StringVar(&o.Binary, "binary", "bin/image/wifwiz", "a static linux wifwiz binary (CGO_ENABLED=0)")
	flag.StringVar(&o.CABundle, "ca", "/etc/ssl/certs/ca-certificates.crt", "the CA bundle to put in the image")
	flag.StringVar(&o.Version, "version", "dev", "the version label")
	ref := flag.String("ref", ociimage.DefaultRepository+":dev", "the image's name in the archive")
	out := flag.String("out", "bin/wifwiz-image.tar", "the OCI archive to write")
	flag.Parse()
	img, err := ociimage.Build(o)
	if err == nil {
		err = ociimage.WriteArchive(img, *ref, *out)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "wifwiz-image:", err)
		os.Exit(1)
	}
	digest, _ := img.Digest()
	fmt.Printf("%s: %s (%s)\n", *out, *ref, digest)
}
