package render

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/wavecheck/wavecheck/internal/manifest"
	"github.com/wavecheck/wavecheck/internal/testtools"
)

// The parity tests render the same inputs with the real `helm template` and `kustomize build`
// CLIs (built from the module proxy by test/tools/build.sh) and with the in-process renderers,
// and compare the object lists in order. WAVECHECK_TOOLS_BIN names the folder holding the
// binaries; when it is unset the test runs the build script itself (fast once cached). When
// CI is set, missing tools fail the test instead of skipping it.

const toolsEnv = testtools.Env

var (
	toolsOnce sync.Once
	toolsDir  string
	toolsErr  string
)

// toolsBin returns the folder holding helm and kustomize, or skips (fails in CI).
func toolsBin(t *testing.T) string {
	t.Helper()
	toolsOnce.Do(func() {
		dir := os.Getenv(toolsEnv)
		if dir == "" {
			if testing.Short() {
				toolsErr = toolsEnv + " is unset and -short skips building the CLIs"
				return
			}
			script, err := filepath.Abs(filepath.Join("..", "..", "test", "tools", "build.sh"))
			if err != nil {
				toolsErr = err.Error()
				return
			}
			var stderr bytes.Buffer
			cmd := exec.Command(script)
			cmd.Stderr = &stderr
			out, err := cmd.Output()
			if err != nil {
				toolsErr = "build the reference CLIs with " + script + ": " + err.Error() + "\n" + stderr.String()
				return
			}
			dir = strings.TrimSpace(string(out))
		}
		if _, missing := testtools.LookupIn(dir, "helm", "kustomize"); missing != "" {
			toolsErr = missing
			return
		}
		toolsDir = dir
	})
	if toolsErr != "" {
		if os.Getenv("CI") != "" {
			t.Fatalf("reference CLIs missing in CI: %s", toolsErr)
		}
		t.Skipf("reference CLIs unavailable: %s (run test/tools/build.sh and set %s)", toolsErr, toolsEnv)
	}
	return toolsDir
}

// runTool runs a reference CLI in dir with an isolated environment (no kubeconfig, no helm
// repositories or caches from the user's home).
func runTool(t *testing.T, dir, bin string, args ...string) []byte {
	t.Helper()
	home := t.TempDir()
	cmd := exec.Command(bin, args...)
	cmd.Dir = dir
	cmd.Env = []string{
		"HOME=" + home,
		"PATH=" + os.Getenv("PATH"),
		"KUBECONFIG=" + filepath.Join(home, "no-kubeconfig"),
		"HELM_CACHE_HOME=" + filepath.Join(home, "cache"),
		"HELM_CONFIG_HOME=" + filepath.Join(home, "config"),
		"HELM_DATA_HOME=" + filepath.Join(home, "data"),
	}
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("%s %s: %v\n%s", filepath.Base(bin), strings.Join(args, " "), err, stderr.String())
	}
	return out
}

// cliObjects parses a CLI's YAML stream the way the renderers decode theirs; comments (such
// as Helm's "# Source:" lines) are ignored.
func cliObjects(t *testing.T, out []byte) []map[string]any {
	t.Helper()
	objs, err := decodeStream(out, "cli output", false, DefaultMaxFileBytes)
	if err != nil {
		t.Fatalf("parse CLI output: %v\n%s", err, out)
	}
	return objectMaps(objs)
}

func objectMaps(objs []manifest.Object) []map[string]any {
	out := make([]map[string]any, len(objs))
	for i, o := range objs {
		out[i] = o.Object
	}
	return out
}

func TestKustomizeParity(t *testing.T) {
	kustomize := filepath.Join(toolsBin(t), "kustomize")
	for _, tc := range kustomizeCases {
		t.Run(tc.name, func(t *testing.T) {
			dir := filepath.Join(kustRoot, tc.dir)
			want := cliObjects(t, runTool(t, dir, kustomize, "build", "."))
			if len(want) == 0 {
				t.Fatal("kustomize build printed no objects")
			}

			res, err := Render(context.Background(), dir, Options{RepoRoot: kustRoot})
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(want, objectMaps(res.Objects)); diff != "" {
				t.Errorf("in-process render differs from kustomize build (-kustomize +wavecheck):\n%s", diff)
			}
		})
	}
}
