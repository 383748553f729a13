package argocd

import "testing"

func TestSourceType(t *testing.T) {
	f := func(name string) DirEntry { return DirEntry{Name: name} }
	d := func(name string) DirEntry { return DirEntry{Name: name, Dir: true} }
	tests := []struct {
		name    string
		entries []DirEntry
		want    string
	}{
		{"empty", nil, SourceDirectory},
		{"manifests", []DirEntry{f("a.yaml"), f("b.json")}, SourceDirectory},
		{"chart", []DirEntry{f("values.yaml"), f("Chart.yaml"), d("templates")}, SourceHelm},
		{"chart name suffix counts", []DirEntry{f("MyChart.yaml")}, SourceHelm},
		{"chart.yaml lower case does not", []DirEntry{f("chart.yaml")}, SourceDirectory},
		{"Chart.yml does not", []DirEntry{f("Chart.yml")}, SourceDirectory},
		{"kustomization.yaml", []DirEntry{f("kustomization.yaml")}, SourceKustomize},
		{"kustomization.yml", []DirEntry{f("kustomization.yml")}, SourceKustomize},
		{"Kustomization", []DirEntry{f("Kustomization")}, SourceKustomize},
		{"Kustomization.yaml does not", []DirEntry{f("Kustomization.yaml")}, SourceDirectory},
		// Regression (issue 11): Argo CD renders a directory with both files with Kustomize.
		{"chart and kustomization: kustomize is walked last", []DirEntry{f("kustomization.yaml"), f("Chart.yaml")}, SourceKustomize},
		{"chart and Kustomization", []DirEntry{f("Chart.yaml"), f("Kustomization")}, SourceKustomize},
		{"a later chart name wins", []DirEntry{f("kustomization.yaml"), f("values-Chart.yaml")}, SourceHelm},
		{"directories do not count", []DirEntry{d("Chart.yaml"), d("kustomization.yaml")}, SourceDirectory},
		{"subdirectory files do not count", []DirEntry{d("base"), f("deploy.yaml")}, SourceDirectory},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := SourceType(tt.entries); got != tt.want {
				t.Errorf("SourceType(%v) = %s, want %s", tt.entries, got, tt.want)
			}
		})
	}
}
