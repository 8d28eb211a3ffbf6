package workload

import (
	"path"
	"strings"

	"github.com/wifwiz/wifwiz/wif"
)

// tokenVolume is the emptyDir the token refresher writes the identity token to.
const tokenVolume = "anthropic-identity-token"

func renderK8s(c wif.Connection, vars []EnvVar) string {
	var t text
	t.comment(append(header(c), envSecretNote)...)
	t.comment("Paste into the workload container (spec.containers[] of the Pod template).",
		"Remove "+strings.Join(Overriding, " and ")+" from this container's env and envFrom: they "+overridingWhy)
	file, ok := tokenFile(vars)
	if ok {
		t.comment("The token file is on the volume " + tokenVolume + ", an emptyDir shared with the wifwiz token " +
			"sidecar that keeps it fresh (see the Kubernetes token refresh setup). The sidecar reads the " +
			"authentik client secret from a Kubernetes Secret (secretKeyRef); it is never in this block.")
	}
	t.line("env:")
	k8sEnv(&t, vars, "  ")
	if ok {
		t.line("volumeMounts:")
		k8sMount(&t, "  ", tokenVolume, path.Dir(file), true)
	}
	return t.String()
}

// k8sEnv writes a container's env list items at indent.
func k8sEnv(t *text, vars []EnvVar, indent string) {
	for _, v := range vars {
		t.indent = indent
		t.comment(v.Comment)
		t.indent = ""
		if v.Kind == SetByWorkload {
			continue
		}
		t.line(indent + "- name: " + v.Name)
		t.line(indent + "  value: " + k8sQuote(v.Value))
	}
}

// k8sMount writes one volumeMounts item at indent.
func k8sMount(t *text, indent, volume, dir string, readOnly bool) {
	t.line(indent + "- name: " + volume)
	t.line(indent + "  mountPath: " + yamlQuote(dir))
	if readOnly {
		t.line(indent + "  readOnly: true")
	}
}

// tokenFile is the identity token file among vars, if the workload reads one.
func tokenFile(vars []EnvVar) (string, bool) {
	for _, v := range vars {
		if v.Name == EnvIdentityTokenFile {
			return v.Value, true
		}
	}
	return "", false
}
