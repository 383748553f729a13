package cluster

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"sigs.k8s.io/yaml"
)

// fakeBinDir makes a folder shaped like build.sh's output, with the given
// binaries as empty executables.
func fakeBinDir(t *testing.T, bins []string, stages bool) string {
	t.Helper()
	dir := t.TempDir()
	for _, b := range bins {
		if err := os.WriteFile(filepath.Join(dir, b), nil, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	if stages {
		if err := os.Mkdir(filepath.Join(dir, "stages"), 0o755); err != nil {
			t.Fatal(err)
		}
		stage := "apiVersion: kwok.x-k8s.io/v1alpha1\nkind: Stage\nmetadata:\n  name: pod-ready\n"
		if err := os.WriteFile(filepath.Join(dir, "stages", "pod-ready.yaml"), []byte(stage), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

func TestFindBinaries(t *testing.T) {
	tests := []struct {
		name    string
		bins    []string
		stages  bool
		wantErr string // substring; empty: success
	}{
		{name: "complete", bins: binaries, stages: true},
		{name: "no kwok", bins: binaries[:len(binaries)-1], stages: true, wantErr: "missing kwok"},
		{name: "no stages", bins: binaries, wantErr: "missing stages/"},
		{name: "empty", wantErr: "missing etcd, kube-apiserver, kube-controller-manager, kube-scheduler, kwok, stages/"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := fakeBinDir(t, tt.bins, tt.stages)
			t.Setenv(EnvBinDir, dir)
			got, err := FindBinaries()
			switch {
			case tt.wantErr == "" && err != nil:
				t.Fatalf("FindBinaries() error: %v", err)
			case tt.wantErr == "" && got != dir:
				t.Errorf("FindBinaries() = %q, want %q", got, dir)
			case tt.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tt.wantErr)):
				t.Errorf("FindBinaries() error = %v, want one containing %q", err, tt.wantErr)
			}
		})
	}
}

// TestFindBinariesNotBuilt checks that without WAVECHECK_K8S_BIN and
// without a cached build the caller gets ErrNotBuilt (skip locally, fail
// under CI), found through build.sh --cached, which builds nothing.
func TestFindBinariesNotBuilt(t *testing.T) {
	t.Setenv(EnvBinDir, "")
	t.Setenv("XDG_CACHE_HOME", t.TempDir())
	_, err := FindBinaries()
	if !errors.Is(err, ErrNotBuilt) {
		t.Fatalf("FindBinaries() error = %v, want ErrNotBuilt", err)
	}
}

func TestWriteKwokConfig(t *testing.T) {
	dir := fakeBinDir(t, binaries, true)
	path, err := writeKwokConfig(dir, t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, doc := range strings.Split(string(data), "\n---\n") {
		doc = strings.TrimPrefix(doc, "---\n")
		var stage struct {
			Kind     string `json:"kind"`
			Metadata struct {
				Name string `json:"name"`
			} `json:"metadata"`
		}
		if err := yaml.Unmarshal([]byte(doc), &stage); err != nil {
			t.Fatalf("parse kwok config document: %v\n%s", err, doc)
		}
		if stage.Kind != "Stage" {
			t.Errorf("document kind = %q, want Stage", stage.Kind)
		}
		names = append(names, stage.Metadata.Name)
	}
	if want := []string{"pod-ready", "wavecheck-pod-fail"}; strings.Join(names, ",") != strings.Join(want, ",") {
		t.Errorf("stages = %v, want %v", names, want)
	}
}
