package sim

import (
	"strings"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
)

// ArgoCDNamespace is the namespace Argo CD runs in (and where app-of-apps children live).
const ArgoCDNamespace = "argocd"

// argoCDCRDs are Argo CD's CustomResourceDefinitions (manifests/crds in argoproj/argo-cd):
// names, group, scope and served version, enough for discovery.
func argoCDCRDs() []*unstructured.Unstructured {
	crd := func(kind, plural string) *unstructured.Unstructured {
		return &unstructured.Unstructured{Object: map[string]any{
			"apiVersion": "apiextensions.k8s.io/v1", "kind": "CustomResourceDefinition",
			"metadata": map[string]any{"name": plural + ".argoproj.io", "labels": map[string]any{"app.kubernetes.io/part-of": "argocd"}},
			"spec": map[string]any{
				"group": "argoproj.io", "scope": "Namespaced",
				"names":    map[string]any{"kind": kind, "plural": plural, "listKind": kind + "List", "singular": strings.ToLower(kind)},
				"versions": []any{map[string]any{"name": "v1alpha1", "served": true, "storage": true}},
			},
		}}
	}
	return []*unstructured.Unstructured{
		crd("Application", "applications"),
		crd("ApplicationSet", "applicationsets"),
		crd("AppProject", "appprojects"),
	}
}
