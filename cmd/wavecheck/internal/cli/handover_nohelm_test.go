//go:build nohelm

package cli

import (
	"errors"
	"path/filepath"
	"strings"
	"testing"

	"github.com/wavecheck/wavecheck/internal/testfs"
	"github.com/wavecheck/wavecheck/plugin/render"
)

// TestNoHelmRefusesCharts: in the build without Helm, run in-process (RunIO, which never
// hands over), every command whose input needs Helm fails with the one-line NeedsHelmError,
// exit 2 and nothing on stdout; an app without Helm renders as in the other builds. The hand-over
// itself is tested on the real binaries by cmd/wavecheck's TestHandOverToHelm.
func TestNoHelmRefusesCharts(t *testing.T) {
	root := testfs.Tree(t, map[string]string{
		"chart/Chart.yaml":        "apiVersion: v2\nname: web\nversion: 0.1.0\n",
		"chart/templates/cm.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c\n",
		"dir/cm.yaml":             "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: plain\n",
	})
	t.Chdir(root)
	for _, args := range [][]string{
		{"validate", "dir", "chart"},
		{"render", "chart"},
	} {
		code, stdout, stderr := runCLI(t, args...)
		if code != ExitFailure || stdout != "" || !strings.Contains(stderr, "the Helm chart chart needs Helm") || strings.Count(strings.TrimSpace(stderr), "\n") != 0 {
			t.Errorf("%v: exit %d, stdout %q, stderr %q; want exit %d, no stdout, one line naming the chart", args, code, stdout, stderr, ExitFailure)
		}
	}
	if code, stdout, stderr := runCLI(t, "render", "dir"); code != 0 || !strings.Contains(stdout, "name: plain") {
		t.Errorf("render dir: exit %d, stdout %q, stderr %q", code, stdout, stderr)
	}
	if render.HelmLinked {
		t.Error("render.HelmLinked is true in the build without Helm")
	}
	exe, err := render.CompanionPath()
	if err != nil || filepath.Base(exe) != render.HelmCompanion {
		t.Errorf("CompanionPath = %q, %v", exe, err)
	}
	if err := handOverToHelm([]string{"version"}, true, &render.NeedsHelmError{What: "x"}); !errors.As(err, new(*render.NeedsHelmError)) || !strings.Contains(err.Error(), "standard input was read already") {
		t.Errorf("hand-over after reading stdin = %v", err)
	}
}
