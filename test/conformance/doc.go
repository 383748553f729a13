// Package conformance holds differential tests of wavecheck's Argo CD semantics
// (internal/argocd) against Argo CD's own code at v3.6.1, called in-process: gitops-engine's
// hook, wave, delete-policy and sync-option functions, the application controller's deletion
// hook functions (reached with go:linkname, as they are unexported), the repo-server's
// source-type discovery and its resolution of a Helm chart's targetRevision, Helm's inline
// values, and, as the oracle of Application-aware rendering, the repo-server's GenerateManifests
// over Applications using every Helm, Kustomize and directory setting wavecheck reads
// (testdata/oracle). Generated inputs come from fixed seeds, so a failure reproduces.
//
//	cd test/conformance && WAVECHECK_TOOLS_BIN="$(../tools/build.sh)" GOTOOLCHAIN=go1.27.3 go test ./...
package conformance
