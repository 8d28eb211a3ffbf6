package workload_test

import (
	"path"
	"strings"
	"testing"

	"go.yaml.in/yaml/v3"

	"github.com/wifwiz/wifwiz/workload"
)

// The parts of Kubernetes objects the exports write, as a YAML library reads them.
type (
	k8sEnvVar struct {
		Name      string
		Value     *string
		ValueFrom *struct {
			SecretKeyRef *struct{ Name, Key string } `yaml:"secretKeyRef"`
		} `yaml:"valueFrom"`
	}
	k8sMount struct {
		Name      string
		MountPath string `yaml:"mountPath"`
		ReadOnly  bool   `yaml:"readOnly"`
	}
	k8sContainer struct {
		Name          string
		Image         string
		RestartPolicy string `yaml:"restartPolicy"`
		Command       []string
		Args          []string
		Env           []k8sEnvVar
		VolumeMounts  []k8sMount `yaml:"volumeMounts"`
	}
	k8sVolume struct {
		Name      string
		EmptyDir  *struct{ Medium string } `yaml:"emptyDir"`
		ConfigMap *struct{ Name string }   `yaml:"configMap"`
	}
	k8sDeployment struct {
		APIVersion string `yaml:"apiVersion"`
		Kind       string
		Metadata   struct{ Name string }
		Spec       struct {
			Selector struct {
				MatchLabels map[string]string `yaml:"matchLabels"`
			}
			Template struct {
				Metadata struct{ Labels map[string]string }
				Spec     struct {
					Volumes        []k8sVolume
					InitContainers []k8sContainer `yaml:"initContainers"`
					Containers     []k8sContainer
				}
			}
		}
	}
)

// envValues reads a container's literal env values; an entry from a Secret is listed under
// its Secret's name and key instead.
func envValues(t *testing.T, vars []k8sEnvVar) (literal map[string]string, fromSecret map[string]string) {
	t.Helper()
	literal, fromSecret = map[string]string{}, map[string]string{}
	for _, v := range vars {
		switch {
		case v.Value != nil && v.ValueFrom == nil:
			literal[v.Name] = kubeExpand(*v.Value)
		case v.Value == nil && v.ValueFrom != nil && v.ValueFrom.SecretKeyRef != nil:
			fromSecret[v.Name] = v.ValueFrom.SecretKeyRef.Name + "/" + v.ValueFrom.SecretKeyRef.Key
		default:
			t.Errorf("env %s: want either a value or a secretKeyRef, got %+v", v.Name, v)
		}
	}
	return literal, fromSecret
}

func TestK8sEnvBlockParsesToTheConnection(t *testing.T) {
	c := awkward()
	for _, tc := range []struct {
		name string
		o    workload.Options
	}{
		{"TokenFile", awkwardOptions()},
		{"TokenFromEnv", func() workload.Options { o := awkwardOptions(); o.TokenSource = workload.TokenFromEnv; return o }()},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var block struct {
				Env          []k8sEnvVar
				VolumeMounts []k8sMount `yaml:"volumeMounts"`
			}
			out := render(t, c, workload.FormatK8s, tc.o)
			if err := yaml.Unmarshal([]byte(out), &block); err != nil {
				t.Fatalf("the env block is not YAML: %v\n%s", err, out)
			}
			literal, fromSecret := envValues(t, block.Env)
			assertEnv(t, "k8s env block", literal, wantEnv(c, tc.o))
			if len(fromSecret) != 0 {
				t.Errorf("the workload's env reads Secrets %v; it needs none", fromSecret)
			}
			if tc.o.TokenSource == workload.TokenFromEnv {
				if len(block.VolumeMounts) != 0 {
					t.Errorf("env mode mounts %+v; there is no token file to mount", block.VolumeMounts)
				}
				return
			}
			if len(block.VolumeMounts) != 1 || block.VolumeMounts[0].MountPath != tokenDir(tc.o) || !block.VolumeMounts[0].ReadOnly {
				t.Errorf("volumeMounts = %+v, want the token folder %q read-only", block.VolumeMounts, tokenDir(tc.o))
			}
		})
	}
}

// flagValues reads "--flag value" pairs after the subcommand; a flag given twice fails.
func flagValues(t *testing.T, args []string) map[string]string {
	t.Helper()
	flags := map[string]string{}
	for i := 1; i < len(args); i++ {
		name, ok := strings.CutPrefix(args[i], "--")
		if !ok {
			t.Fatalf("argument %d %q is not a flag: %q", i, args[i], args)
		}
		if _, dup := flags[name]; dup {
			t.Errorf("--%s given twice", name)
		}
		if i+1 < len(args) && !strings.HasPrefix(args[i+1], "--") {
			flags[name] = kubeExpand(args[i+1])
			i++
		} else {
			flags[name] = ""
		}
	}
	return flags
}

func TestK8sSidecarParsesToTheConnection(t *testing.T) {
	c, o := awkward(), awkwardOptions()
	out := setup(t, c, o, "k8s-sidecar").Content
	var d k8sDeployment
	if err := yaml.Unmarshal([]byte(out), &d); err != nil {
		t.Fatalf("the sidecar setup is not YAML: %v\n%s", err, out)
	}
	if d.APIVersion != "apps/v1" || d.Kind != "Deployment" || d.Metadata.Name == "" {
		t.Errorf("object %s %s %q, want an apps/v1 Deployment with a name", d.APIVersion, d.Kind, d.Metadata.Name)
	}
	labels := d.Spec.Template.Metadata.Labels
	for k, v := range d.Spec.Selector.MatchLabels {
		if labels[k] != v {
			t.Errorf("selector %s=%s does not match the Pod template's labels %v", k, v, labels)
		}
	}
	if len(d.Spec.Selector.MatchLabels) == 0 {
		t.Error("the Deployment selects no Pods")
	}
	pod := d.Spec.Template.Spec
	if len(pod.InitContainers) != 1 || len(pod.Containers) != 1 {
		t.Fatalf("%d init containers and %d containers, want the sidecar and the workload", len(pod.InitContainers), len(pod.Containers))
	}
	sidecar, wl := pod.InitContainers[0], pod.Containers[0]

	// The sidecar runs wifwiz token with the connection's settings.
	if sidecar.RestartPolicy != "Always" || sidecar.Image != o.Image || len(sidecar.Command) != 1 || sidecar.Command[0] != workload.DefaultRefreshCommand {
		t.Errorf("sidecar: restartPolicy %q image %q command %q", sidecar.RestartPolicy, sidecar.Image, sidecar.Command)
	}
	if len(sidecar.Args) == 0 || sidecar.Args[0] != "token" {
		t.Fatalf("sidecar args %q, want wifwiz token", sidecar.Args)
	}
	flags := flagValues(t, sidecar.Args)
	for flag, want := range map[string]string{"issuer": c.IssuerURL, "discovery-base": c.DiscoveryBase, "token-url": c.TokenURL,
		"client-id": c.ClientID, "scope": c.Scope, "token-field": c.TokenField, "out": o.TokenFile} {
		if got, ok := flags[flag]; !ok || got != want {
			t.Errorf("sidecar --%s = %q (given: %v), want %q", flag, got, ok, want)
		}
	}
	if _, ok := flags["client-secret-file"]; ok {
		t.Error("the sidecar reads the secret from a file; want WIFWIZ_CLIENT_SECRET from a Secret")
	}
	literal, fromSecret := envValues(t, sidecar.Env)
	if len(literal) != 0 || len(fromSecret) != 1 || fromSecret["WIFWIZ_CLIENT_SECRET"] == "" {
		t.Errorf("sidecar env: literal %v, from Secrets %v; want only WIFWIZ_CLIENT_SECRET from a Secret", literal, fromSecret)
	}

	// Both containers mount the same in-memory volume at the token's folder; only the sidecar writes.
	volumes := map[string]k8sVolume{}
	for _, v := range pod.Volumes {
		volumes[v.Name] = v
	}
	tokenVolume := func(ct k8sContainer) (k8sMount, bool) {
		for _, m := range ct.VolumeMounts {
			if _, declared := volumes[m.Name]; !declared {
				t.Errorf("%s mounts %q, which the Pod does not declare", ct.Name, m.Name)
			}
			if m.MountPath == tokenDir(o) {
				return m, true
			}
		}
		return k8sMount{}, false
	}
	sm, ok1 := tokenVolume(sidecar)
	wm, ok2 := tokenVolume(wl)
	if !ok1 || !ok2 || sm.Name != wm.Name || sm.ReadOnly || !wm.ReadOnly || volumes[sm.Name].EmptyDir == nil {
		t.Errorf("token folder %q: sidecar mount %+v, workload mount %+v, volume %+v; want one emptyDir, written by the sidecar only",
			tokenDir(o), sm, wm, volumes[sm.Name])
	}
	// The extra CA is read from a mounted ConfigMap.
	caFile, ok := flags["ca-file"]
	if !ok {
		t.Fatal("the connection has an extra CA, but the sidecar gets no --ca-file")
	}
	caDir := path.Dir(caFile)
	var caMounted bool
	for _, m := range sidecar.VolumeMounts {
		caMounted = caMounted || m.MountPath == caDir && volumes[m.Name].ConfigMap != nil
	}
	if !caMounted {
		t.Errorf("--ca-file %q is on no ConfigMap mounted in the sidecar (%+v)", flags["ca-file"], sidecar.VolumeMounts)
	}

	// The workload gets the connection's environment.
	literal, fromSecret = envValues(t, wl.Env)
	assertEnv(t, "workload container env", literal, wantEnv(c, o))
	if len(fromSecret) != 0 {
		t.Errorf("the workload reads Secrets %v; the client secret is the sidecar's alone", fromSecret)
	}
}

// kubeExpand is what Kubernetes makes of an env value, a command or an argument: $(VAR) would be
// a variable of the container, and $$ is a literal $. The exports write every $ as $$, so no
// $(…) may remain.
func kubeExpand(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] == '$' && i+1 < len(s) && s[i+1] == '$' {
			b.WriteByte('$')
			i++
			continue
		}
		if s[i] == '$' && i+1 < len(s) && s[i+1] == '(' {
			b.WriteString("<expanded by Kubernetes>")
			continue
		}
		b.WriteByte(s[i])
	}
	return b.String()
}
