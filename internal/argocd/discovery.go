package argocd

import (
	"slices"
	"strings"
)

// Source types as Argo CD names them (v1alpha1.ApplicationSourceType).
const (
	SourceDirectory = "Directory"
	SourceHelm      = "Helm"
	SourceKustomize = "Kustomize"
)

// KustomizationNames are the file names that make a directory a kustomization
// (util/kustomize.KustomizationNames, v3.6.1).
var KustomizationNames = []string{"kustomization.yaml", "kustomization.yml", "Kustomization"}

// DirEntry is one entry of an application directory as filepath.Walk reports it: Dir is set
// for directories only (Walk uses os.Lstat, so a symbolic link, even to a directory, is not
// one).
type DirEntry struct {
	Name string
	Dir  bool
}

// SourceType returns the source type Argo CD's repo-server gives an application directory
// without a config management plugin, from the directory's own entries: util/app/discovery
// AppType (v3.6.1) returns Discover's entry for ".", which filepath.Walk fills by visiting
// the entries in lexical order and, for each file, setting Helm when its name ends with
// "Chart.yaml" (strings.HasSuffix: "MyChart.yaml" counts) and then Kustomize when it is a
// kustomization name (util/kustomize.IsKustomization). The last match wins, so a directory
// with both Chart.yaml and kustomization.yaml is Kustomize, and one with kustomization.yaml
// and values-Chart.yaml is Helm. Entries of subdirectories only set their own directory's
// type; they never change ".". With no match the type is Directory.
func SourceType(entries []DirEntry) string {
	sorted := slices.Clone(entries)
	// filepath.Walk reads the names of a directory and sorts them with sort.Strings.
	slices.SortFunc(sorted, func(a, b DirEntry) int { return strings.Compare(a.Name, b.Name) })
	typ := SourceDirectory
	for _, e := range sorted {
		if e.Dir {
			continue
		}
		if strings.HasSuffix(e.Name, "Chart.yaml") {
			typ = SourceHelm
		}
		if slices.Contains(KustomizationNames, e.Name) {
			typ = SourceKustomize
		}
	}
	return typ
}
