//go:build !sidecar

package cli

import (
	"encoding/json"
	"path/filepath"
	"testing"

	"github.com/wavecheck/wavecheck/internal/testfs"
)

// TestReplayApplication: replay --application syncs into the destination namespace with the
// Application's syncOptions: CreateNamespace=true with managedNamespaceMetadata adds
// gitops-engine's namespace task (controller/sync_namespace.go), before the app's objects.
func TestReplayApplication(t *testing.T) {
	const head = "apiVersion: argoproj.io/v1alpha1\nkind: Application\nmetadata: {name: a}\nspec:\n  source: {repoURL: https://example.com/r.git, path: app}\n  destination: {namespace: team}\n"
	tests := []struct {
		name, policy string
		want         []string
	}{
		{"no sync options", "", []string{"Sync ConfigMap team/c"}},
		{"CreateNamespace with managed metadata", "  syncPolicy:\n    managedNamespaceMetadata: {labels: {team: x}}\n    syncOptions: [CreateNamespace=true]\n",
			[]string{"PreSync Namespace /team", "Sync ConfigMap team/c"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			root := testfs.Tree(t, map[string]string{
				".git/config": "[core]\n",
				"app/cm.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\n",
				"a.yaml":      head + tt.policy,
			})
			stdout, stderr, code := runWavecheck(t, "replay", "--application", filepath.Join(root, "a.yaml"), "--wave-delay", "0", "-o", "json")
			if code != ExitOK {
				t.Fatalf("exit %d\n%s", code, stderr)
			}
			var rep struct {
				Steps []struct{ SyncPhase, Kind, Namespace, Name string }
			}
			if err := json.Unmarshal([]byte(stdout), &rep); err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, s := range rep.Steps {
				got = append(got, s.SyncPhase+" "+s.Kind+" "+s.Namespace+"/"+s.Name)
			}
			if len(got) != len(tt.want) {
				t.Fatalf("steps %q, want %q", got, tt.want)
			}
			for i := range got {
				if got[i] != tt.want[i] {
					t.Errorf("steps %q, want %q", got, tt.want)
				}
			}
		})
	}
}
