package render

import (
	"sync"

	"sigs.k8s.io/kustomize/api/krusty"
	"sigs.k8s.io/kustomize/api/resmap"
	"sigs.k8s.io/kustomize/api/types"
	"sigs.k8s.io/kustomize/kyaml/openapi"
)

// kustomizeMu serializes krusty builds: kustomize keeps the OpenAPI schema (a built-in version
// or a kustomization's custom schema) in process-wide globals.
var kustomizeMu sync.Mutex

// runKustomizer runs one build and, when a kustomization of it chose its own OpenAPI schema,
// resets kustomize's schema globals: krusty does not, so the schema would otherwise leak into
// the next build in this process (the CLI runs one process per build).
func runKustomizer(k *krusty.Kustomizer, fsys *boundedFS, dir string) (resmap.ResMap, error) {
	kustomizeMu.Lock()
	defer kustomizeMu.Unlock()
	defer func() {
		if fsys.sawOpenAPI() {
			openapi.ResetOpenAPI()
		}
	}()
	return k.Run(fsys, dir)
}

// sawOpenAPI reports whether a kustomization read during the build set the openapi field.
func (f *boundedFS) sawOpenAPI() bool {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.openAPI
}

// noteOpenAPI records that the file read, when it is a kustomization, sets the openapi field:
// krusty then loads that schema into its globals and runKustomizer resets them after the build.
func (f *boundedFS) noteOpenAPI(realPath string, data []byte) {
	if !isKustomizationFile(realPath) {
		return
	}
	var k types.Kustomization
	if k.Unmarshal(data) == nil && len(k.OpenAPI) > 0 {
		f.mu.Lock()
		f.openAPI = true
		f.mu.Unlock()
	}
}
