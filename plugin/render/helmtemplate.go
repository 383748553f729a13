//go:build !nohelm

package render

import (
	"bytes"
	"context"
	"fmt"
	"slices"
	"strings"

	"helm.sh/helm/v4/pkg/chart/common"
	"helm.sh/helm/v4/pkg/chart/common/util"
	chartv2 "helm.sh/helm/v4/pkg/chart/v2"
	chartutil "helm.sh/helm/v4/pkg/chart/v2/util"
	"helm.sh/helm/v4/pkg/engine"
	release "helm.sh/helm/v4/pkg/release/v1"
	releaseutil "helm.sh/helm/v4/pkg/release/v1/util"
)

// helmTemplate is what `helm template --include-crds` computes, without Helm's action
// package: helm.sh/helm/v4/pkg/action's Install.RunWithContext with DryRunStrategy
// DryRunClient and its Configuration.renderResources (v4.3.1, no post-renderer, no output
// directory, no hidden secrets), reduced to the steps that run without a cluster. The action
// package links Helm's kube client, registry (oras) and chart linter, whose package
// initialisers every wavecheck process would run before main (ARCHITECTURE.md, "Start-up").
// It returns the release manifest (CRDs, then the manifests in Helm's install order, each
// after its "# Source:" comment) and the hooks in Helm's order, as the release holds them.
type helmTemplate struct {
	releaseName string
	namespace   string
	kubeVersion *common.KubeVersion
	apiVersions common.VersionSet
	// includeCRDs is --include-crds: the chart's crds/ files lead the manifest (Argo CD
	// always passes it; kustomize's helmCharts only with includeCRDs).
	includeCRDs bool
	// skipSchemaValidation is --skip-schema-validation (Argo CD's helm.skipSchemaValidation).
	skipSchemaValidation bool
}

// helmNotesSuffix is action's notesFileSuffix: NOTES.txt is rendered but is not a manifest.
const helmNotesSuffix = "NOTES.txt"

// render returns the manifest and the hooks (path and manifest of each) of a client-only
// install of ch with the user-supplied values vals.
func (t helmTemplate) render(ctx context.Context, ch *chartv2.Chart, vals map[string]any) (string, []helmHook, error) {
	// Install.availableName: on a dry run, only the name's syntax is checked.
	if err := chartutil.ValidateReleaseName(t.releaseName); err != nil {
		return "", nil, fmt.Errorf("release name check failed: %w", fmt.Errorf("release name %q: %w", t.releaseName, err))
	}
	if err := chartutil.ProcessDependencies(ch, vals); err != nil {
		return "", nil, fmt.Errorf("chart dependencies processing failed: %w", err)
	}
	// The mock capabilities of `helm template` (Install.RunWithContext, !interactWithServer).
	caps := common.DefaultCapabilities.Copy()
	if t.kubeVersion != nil {
		caps.KubeVersion = *t.kubeVersion
	}
	caps.APIVersions = append(caps.APIVersions, t.apiVersions...)
	options := common.ReleaseOptions{Name: t.releaseName, Namespace: t.namespace, Revision: 1, IsInstall: true}
	values, err := util.ToRenderValuesWithSchemaValidation(ch, vals, options, caps, t.skipSchemaValidation)
	if err != nil {
		return "", nil, err
	}

	// Configuration.renderResources.
	if ch.Metadata.KubeVersion != "" && !chartutil.IsCompatibleRange(ch.Metadata.KubeVersion, caps.KubeVersion.String()) {
		return "", nil, fmt.Errorf("chart requires kubeVersion: %s which is incompatible with Kubernetes %s", ch.Metadata.KubeVersion, caps.KubeVersion.Version)
	}
	var e engine.Engine
	files, err := e.RenderWithContext(ctx, ch, values)
	if err != nil {
		return "", nil, err
	}
	for k := range files {
		if strings.HasSuffix(k, helmNotesSuffix) {
			delete(files, k)
		}
	}
	hs, manifests, err := releaseutil.SortManifests(files, nil, releaseutil.InstallOrder)
	if err != nil {
		return "", nil, err
	}
	var b bytes.Buffer
	if t.includeCRDs {
		for _, crd := range ch.CRDObjects() {
			fmt.Fprintf(&b, "---\n# Source: %s\n%s\n", crd.Filename, string(crd.File.Data))
		}
	}
	for _, m := range manifests {
		fmt.Fprintf(&b, "---\n# Source: %s\n%s\n", m.Name, m.Content)
	}
	hooks := make([]helmHook, len(hs))
	for i, h := range hs {
		// helm template's isTestHook (pkg/cmd/template.go): a hook on the test event.
		hooks[i] = helmHook{path: h.Path, manifest: h.Manifest, test: slices.Contains(h.Events, release.HookTest)}
	}
	return b.String(), hooks, nil
}

// helmHook is a rendered hook: its template and manifest, and whether it runs on `helm test`.
type helmHook struct {
	path, manifest string
	test           bool
}

// helmStream assembles the output of `helm template`: the release manifest (CRDs and
// resources, each preceded by its "# Source:" comment) followed by the hooks, all of them
// unless mode says --no-hooks or --skip-tests.
func helmStream(manifest string, hooks []helmHook, mode templateMode) string {
	var sb strings.Builder
	sb.WriteString(strings.TrimSpace(manifest))
	sb.WriteString("\n")
	for _, h := range hooks {
		if mode.noHooks {
			break
		}
		if mode.skipTests && h.test {
			continue
		}
		fmt.Fprintf(&sb, "---\n# Source: %s\n%s\n", h.path, h.manifest)
	}
	return sb.String()
}

// checkDependencies is action.CheckDependencies: every dependency of Chart.yaml must be
// vendored under charts/.
func checkDependencies(ch *chartv2.Chart, reqs []*chartv2.Dependency) error {
	var missing []string
outer:
	for _, r := range reqs {
		for _, d := range ch.Dependencies() {
			if d.Name() == r.Name {
				continue outer
			}
		}
		missing = append(missing, r.Name)
	}
	if len(missing) > 0 {
		return fmt.Errorf("found in Chart.yaml, but missing in charts/ directory: %s", strings.Join(missing, ", "))
	}
	return nil
}
