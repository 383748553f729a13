package render

import (
	"context"
	"errors"
	"path"
	"path/filepath"
	"testing"
)

// withoutHelm ends a case whose app is a Helm chart when the test runs in the build without
// Helm (-tags nohelm), after checking what that build must do with it: refuse it with a
// *NeedsHelmError, which makes the command hand the run to the build with Helm. The case itself
// runs in the default build, which is the build that renders charts.
func withoutHelm(t *testing.T, files map[string]string) {
	t.Helper()
	if HelmLinked {
		return
	}
	for name := range files {
		if path.Base(name) != "Chart.yaml" {
			continue
		}
		root := writeApp(t, files)
		_, err := Render(context.Background(), filepath.Join(root, path.Dir(name)), Options{RepoRoot: root})
		if nh := (*NeedsHelmError)(nil); !errors.As(err, &nh) {
			t.Fatalf("build without Helm: Render(%s) = %v, want a *NeedsHelmError", path.Dir(name), err)
		}
		t.Skip("a Helm chart: the build without Helm refuses it with a NeedsHelmError (checked); the case runs in the build with Helm")
	}
}
