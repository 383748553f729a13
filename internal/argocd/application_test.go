package argocd

import (
	"testing"

	"github.com/wavecheck/wavecheck/internal/manifest"
)

func TestRepoKey(t *testing.T) {
	tests := []struct{ in, want string }{
		{"https://github.com/Org/Repo.git", "github.com/org/repo"},
		{"git@github.com:org/repo.git", "github.com/org/repo"},
		{"ssh://git@github.com/org/repo", "github.com/org/repo"},
		{"https://user@example.com/a/b/", "example.com/a/b"},
	}
	for _, tt := range tests {
		if got := RepoKey(tt.in); got != tt.want {
			t.Errorf("RepoKey(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

// TestParseApplicationNormalises: empty settings are dropped as util/argo.NormalizeSource
// drops them, so they force no source type; two non-empty ones are refused like
// ApplicationSource.ExplicitType.
func TestParseApplicationNormalises(t *testing.T) {
	app := func(src map[string]any) manifest.Object {
		return manifest.Object{Object: map[string]any{
			"apiVersion": "argoproj.io/v1alpha1", "kind": "Application",
			"metadata": map[string]any{"name": "a"},
			"spec":     map[string]any{"source": src},
		}}
	}
	tests := []struct {
		name     string
		src      map[string]any
		wantType string
		wantErr  bool
	}{
		{"empty helm dropped", map[string]any{"repoURL": "r", "helm": map[string]any{}}, "", false},
		{"directory with only include kept", map[string]any{"repoURL": "r", "directory": map[string]any{"include": "*.yaml"}}, SourceDirectory, false},
		{"empty directory dropped", map[string]any{"repoURL": "r", "directory": map[string]any{"recurse": false}}, "", false},
		{"kustomize setting forces kustomize", map[string]any{"repoURL": "r", "kustomize": map[string]any{"namePrefix": "p-"}}, SourceKustomize, false},
		{"two types", map[string]any{"repoURL": "r", "kustomize": map[string]any{"namePrefix": "p-"}, "helm": map[string]any{"releaseName": "x"}}, "", true},
		{"plugin refused", map[string]any{"repoURL": "r", "plugin": map[string]any{"name": "x"}}, "", true},
		{"no repoURL", map[string]any{"path": "x"}, "", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a, err := ParseApplication(app(tt.src))
			if (err != nil) != tt.wantErr {
				t.Fatalf("err = %v, want error %v", err, tt.wantErr)
			}
			if err != nil {
				return
			}
			got, _ := a.Spec.Source.ExplicitType()
			if got != tt.wantType {
				t.Errorf("type %q, want %q", got, tt.wantType)
			}
		})
	}
}
