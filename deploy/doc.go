// Package deploy holds the install snippets for Argo CD (values for the upstream argo-cd Helm
// chart under argo-cd/, a kustomize overlay under kustomize/) and the tests that keep them, the
// wavecheck chart, plugin.yaml and the Dockerfile consistent with the cmp-server's conventions.
package deploy
