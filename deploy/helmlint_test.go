package deploy_test

import (
	"debug/buildinfo"
	"os"
	"os/exec"
	"strings"
	"testing"

	"github.com/wavecheck/wavecheck/internal/testtools"
)

// helmVersion is the Helm test/tools/build.sh builds.
const helmVersion = "v4.3.1"

// helmBin finds helm in $WAVECHECK_TOOLS_BIN (test/tools/build.sh). Locally the test is skipped
// when the tools are not built; under CI it fails, like the other suites.
func helmBin(t *testing.T) string {
	t.Helper()
	bin := testtools.Bins(t, "helm")[0]
	info, err := buildinfo.ReadFile(bin)
	if err != nil {
		t.Fatalf("read %s: %v", bin, err)
	}
	if info.Main.Path != "helm.sh/helm/v4" || info.Main.Version != helmVersion {
		t.Fatalf("%s is %s %s, want helm.sh/helm/v4 %s", bin, info.Main.Path, info.Main.Version, helmVersion)
	}
	return bin
}

// TestHelmLintStrict runs the real `helm lint --strict` on charts/wavecheck: clean with the
// default values and with every option turned on, and failing on a value the schema rejects
// (so the lint is known to read values.schema.json).
func TestHelmLintStrict(t *testing.T) {
	helm := helmBin(t)
	tests := []struct {
		name string
		args []string
		ok   bool
	}{
		{"defaults", nil, true},
		{"everything on", []string{"--set", "discovery=true", "--set", "policies.create=true", "--set", `policies.files.team\.rego=package main`}, true},
		{"misspelt value", []string{"--set", "discover=true"}, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			cmd := exec.Command(helm, append([]string{"lint", "--strict", "../charts/wavecheck"}, tc.args...)...)
			cmd.Env = append(os.Environ(), "HELM_CACHE_HOME="+t.TempDir(), "HELM_CONFIG_HOME="+t.TempDir(), "HELM_DATA_HOME="+t.TempDir())
			out, err := cmd.CombinedOutput()
			if tc.ok != (err == nil) {
				t.Fatalf("helm lint --strict %v: err %v, want ok=%v:\n%s", tc.args, err, tc.ok, out)
			}
			if tc.ok && (strings.Contains(string(out), "[WARNING]") || strings.Contains(string(out), "[ERROR]")) {
				t.Errorf("helm lint --strict reports problems:\n%s", out)
			}
		})
	}
}
