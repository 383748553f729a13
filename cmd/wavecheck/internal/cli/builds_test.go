package cli

import (
	"os/exec"
	"strings"
	"testing"
)

// TestEngineCommands checks which commands each build has: the full CLI replays and plans, the
// sidecar build (-tags sidecar, what the image runs) has no command that needs gitops-engine
// and says so in `wavecheck version`.
func TestEngineCommands(t *testing.T) {
	sidecar := edition != ""
	for _, tc := range []struct {
		args []string
	}{
		{[]string{"replay", "--help"}},
		{[]string{"plan", "--help"}},
	} {
		t.Run(tc.args[0], func(t *testing.T) {
			code, stdout, stderr := runCLI(t, tc.args...)
			switch {
			case sidecar && (code != ExitFailure || !strings.Contains(stderr, `unknown command "`+tc.args[0]+`"`)):
				t.Errorf("sidecar build: %v exited %d, stderr %q; want exit %d and unknown command", tc.args, code, stderr, ExitFailure)
			case !sidecar && (code != 0 || !strings.Contains(stdout, "gitops-engine")):
				t.Errorf("full build: %v exited %d, stdout %q, stderr %q", tc.args, code, stdout, stderr)
			}
		})
	}
	code, stdout, _ := runCLI(t, "version")
	if code != 0 || strings.Contains(stdout, "sidecar build") != sidecar {
		t.Errorf("version: exit %d, %q (sidecar build: %v)", code, stdout, sidecar)
	}
}

// TestSidecarImports keeps the heavy packages out of what every generate starts: Go runs the
// initialiser of every package linked into the binary before main, so a package linked but
// never called still costs each process its init time (GODEBUG=inittrace=1). The sidecar
// build must not link gitops-engine, wavecheck's engine or kubectl; neither build may link
// Helm's action or kube packages (plugin/render renders with Helm's engine directly, see
// helmtemplate.go). Helm's registry client (oras) is linked on purpose: Helm dependencies in
// OCI registries are built as Argo CD's repo-server builds them (helmdeps.go); its
// initialisers cost 3-5 ms of the sidecar build's ~45 ms (inittrace, issue 12 vs issue 16).
// The image's entry binary (-tags sidecar,nohelm) links no Helm package.
func TestSidecarImports(t *testing.T) {
	if testing.Short() {
		t.Skip("runs go list")
	}
	goBin, err := exec.LookPath("go")
	if err != nil {
		t.Skip("no go command on PATH")
	}
	deps := func(tags string) []string {
		out, err := exec.Command(goBin, "list", "-deps", "-tags", tags, "github.com/wavecheck/wavecheck/cmd/wavecheck").Output()
		if err != nil {
			t.Fatalf("go list -tags %q: %v", tags, err)
		}
		return strings.Fields(string(out))
	}
	banned := map[string][]string{
		"sidecar": {
			"github.com/wavecheck/wavecheck/engine", "github.com/argoproj/", "k8s.io/kubectl/",
			"helm.sh/helm/v4/pkg/action", "helm.sh/helm/v4/pkg/kube", "github.com/asaskevich/govalidator",
		},
		"": {"helm.sh/helm/v4/pkg/action", "helm.sh/helm/v4/pkg/kube"},
		// The image's entry binary (ARCHITECTURE.md, "Three builds"): no Helm at all, nor what
		// only Helm brings (values schema validation, client-go's typed scheme, oras).
		"sidecar,nohelm": {
			"github.com/wavecheck/wavecheck/engine", "github.com/argoproj/", "k8s.io/kubectl/", "helm.sh/",
			"github.com/santhosh-tekuri/jsonschema", "k8s.io/client-go/kubernetes", "oras.land/",
		},
	}
	for tags, prefixes := range banned {
		for _, p := range deps(tags) {
			for _, b := range prefixes {
				if p == b || strings.HasPrefix(p, b+"/") || (strings.HasSuffix(b, "/") && strings.HasPrefix(p, b)) {
					t.Errorf("build with tags %q links %s (banned: %s)", tags, p, b)
				}
			}
		}
	}
}

// TestVersionFlag: --version and -v print exactly what `wavecheck version` prints, on stdout,
// and exit 0 (issue 14).
func TestVersionFlag(t *testing.T) {
	_, want, _ := runCLI(t, "version")
	if !strings.HasPrefix(want, "wavecheck "+Version+" (go") || !strings.HasSuffix(want, ")\n") {
		t.Fatalf("version printed %q", want)
	}
	for _, args := range [][]string{{"--version"}, {"-v"}} {
		code, stdout, stderr := runCLI(t, args...)
		if code != 0 || stdout != want || stderr != "" {
			t.Errorf("%v: exit %d, stdout %q, stderr %q; want exit 0 and %q", args, code, stdout, stderr, want)
		}
	}
}
