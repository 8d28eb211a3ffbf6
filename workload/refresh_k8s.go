package workload

import (
	"path"
	"strings"

	"github.com/wifwiz/wifwiz/wif"
)

// Kubernetes names and paths of the sidecar setup.
const (
	caVolume    = "authentik-ca"
	caMountDir  = "/etc/wifwiz/ca"
	secretKey   = "client-secret"
	secretEnv   = "WIFWIZ_CLIENT_SECRET"
	runAsUserID = "65532" // any non-root UID shared by both containers
)

func k8sFile(c wif.Connection) string { return slug(c.Name) + "-token-k8s.yaml" }

// k8sManifest is a Deployment whose sidecar keeps the token file fresh for the workload.
func k8sManifest(c wif.Connection, o Options) string {
	name := slug(c.Name)
	var t text
	t.comment(header(c)...)
	t.comment(k8sInstructions(c, name)...)
	t.comment(missingSettings(c)...)
	t.line("apiVersion: apps/v1")
	t.line("kind: Deployment")
	t.line("metadata:")
	t.line("  name: " + name)
	t.line("spec:")
	t.line("  replicas: 1")
	t.line("  selector:")
	t.line("    matchLabels:")
	t.line("      app.kubernetes.io/name: " + name)
	t.line("  template:")
	t.line("    metadata:")
	t.line("      labels:")
	t.line("        app.kubernetes.io/name: " + name)
	t.line("    spec:")
	t.line("      securityContext:")
	t.line("        runAsNonRoot: true")
	t.line("        runAsUser: " + runAsUserID)
	t.line("        runAsGroup: " + runAsUserID)
	k8sVolumes(&t, c, name)
	k8sSidecar(&t, c, o, name)
	k8sWorkload(&t, c, o)
	return t.String()
}

func k8sInstructions(c wif.Connection, name string) []string {
	lines := []string{
		"A Deployment in which the wifwiz token sidecar keeps the identity token fresh on an emptyDir " +
			"volume shared with the workload container. The sidecar is a native sidecar (an init container " +
			"with restartPolicy: Always, Kubernetes 1.29+): it starts first and stops with the workload, " +
			"so a Job built from this Pod template completes too.",
		scheduleNote(c, "The sidecar"),
		"Each Pod gets its own sidecar and token file. " + perProcess + " A workload container running several " +
			"processes that call Anthropic needs a file and a sidecar for each.",
		"The authentik client secret comes from a Kubernetes Secret, never inline. Create it from a file:",
		"  kubectl create secret generic " + name + "-authentik --from-file=" + secretKey + "=./client-secret",
	}
	if c.CAPEM != "" {
		lines = append(lines, "The extra CA certificate (public; in the hand-off checklist) comes from a ConfigMap:",
			"  kubectl create configmap "+name+"-authentik-ca --from-file=ca.pem=./ca.pem")
	}
	return append(lines,
		"Both containers run as the same user: wifwiz token writes the token file with mode 0600.",
		"Remove "+strings.Join(Overriding, " and ")+" from the workload container's env and envFrom: they "+overridingWhy)
}

func k8sVolumes(t *text, c wif.Connection, name string) {
	t.line("      volumes:")
	t.line("        - name: " + tokenVolume)
	t.line("          emptyDir:")
	t.line("            medium: Memory")
	t.line("            sizeLimit: 1Mi")
	if c.CAPEM != "" {
		t.line("        - name: " + caVolume)
		t.line("          configMap:")
		t.line("            name: " + name + "-authentik-ca")
	}
}

func k8sSidecar(t *text, c wif.Connection, o Options, name string) {
	t.line("      initContainers:")
	t.line("        - name: wifwiz-token")
	t.indent = "          "
	t.comment("An image containing the wifwiz binary.")
	t.indent = ""
	t.line("          image: " + yamlQuote(o.Image))
	t.line("          restartPolicy: Always")
	t.line("          command: [" + k8sQuote(o.RefreshCommand) + "]")
	t.line("          args:")
	for _, a := range tokenFlags(c, o, "", caMountDir+"/ca.pem") {
		t.line("            - " + k8sQuote(a))
	}
	t.line("          env:")
	t.line("            - name: " + secretEnv)
	t.line("              valueFrom:")
	t.line("                secretKeyRef:")
	t.line("                  name: " + name + "-authentik")
	t.line("                  key: " + secretKey)
	t.line("          volumeMounts:")
	k8sMount(t, "            ", tokenVolume, path.Dir(o.TokenFile), false)
	if c.CAPEM != "" {
		k8sMount(t, "            ", caVolume, caMountDir, true)
	}
}

func k8sWorkload(t *text, c wif.Connection, o Options) {
	t.line("      containers:")
	t.line("        - name: workload")
	t.indent = "          "
	t.comment("TODO: your workload's image.")
	t.indent = ""
	t.line("          image: " + yamlQuote("your-workload-image"))
	t.line("          env:")
	k8sEnv(t, EnvVars(c, o), "            ")
	t.line("          volumeMounts:")
	k8sMount(t, "            ", tokenVolume, path.Dir(o.TokenFile), true)
}
