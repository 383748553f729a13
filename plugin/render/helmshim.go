//go:build !nohelm

package render

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime/debug"
	"strings"

	"helm.sh/helm/v4/pkg/chart/v2/loader"
)

// Kustomize's helmCharts (kustomize build --enable-helm, Argo CD's kustomize.buildOptions)
// inflate charts by running a `helm` binary (builtins.HelmChartInflationGenerator execs
// HelmConfig.Command: `version --short`, `pull` for charts not under chartHome, then
// `template`); sigs.k8s.io/kustomize/api has no in-process hook for it. The wavecheck image
// has no helm, so wavecheck serves that role: kustomize runs a wavecheck build with Helm (this
// process's own executable, or from the image's wavecheck, built without Helm, the
// wavecheck-helm next to it: shimExecutable) with HelmShimEnv set, and that process answers as
// `helm` (HelmShim), rendering with the same Helm SDK code as Helm sources. HelmShimEnv carries
// the repository root that bounds every read.

// shimExecutable is the executable kustomize runs as helm by default: this process's own, which
// links Helm and answers as helm when HelmShimEnv is set (main).
func shimExecutable() (string, error) {
	exe, err := os.Executable()
	if err != nil {
		return "", fmt.Errorf("find wavecheck's executable to serve as helm: %w", err)
	}
	return exe, nil
}

// HelmLinked says whether this build links the Helm SDK (false with -tags nohelm).
const HelmLinked = true

// helmVersion is the Helm SDK version wavecheck is built with (kustomize requires v3 or v4).
func helmVersion() string {
	if bi, ok := debug.ReadBuildInfo(); ok {
		for _, m := range bi.Deps {
			if m.Path == "helm.sh/helm/v4" {
				return m.Version
			}
		}
	}
	return "v4"
}

// HelmShim runs one helm command line the way kustomize's helm chart inflator calls it and
// returns the exit code: `version --short` and `template RELEASE CHART` with the flags
// kustomize passes (HelmChart.AsHelmArgs). Charts must be under chartHome (vendored or pulled
// before): `pull` is refused, so a remote chart is an error naming it.
func HelmShim(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	err := helmShim(ctx, args, stdout)
	if err != nil {
		_, _ = fmt.Fprintf(stderr, "Error: %v\n", err)
		return 1
	}
	return 0
}

func helmShim(ctx context.Context, args []string, stdout io.Writer) error {
	if len(args) == 0 {
		return errors.New("wavecheck serves as helm for kustomize only: no command")
	}
	switch args[0] {
	case "version":
		_, err := fmt.Fprintln(stdout, helmVersion()+"+wavecheck")
		return err
	case "template":
		out, err := shimTemplate(ctx, args[1:])
		if err != nil {
			return err
		}
		_, err = io.WriteString(stdout, out)
		return err
	case "pull":
		return fmt.Errorf("helmCharts: pulling a remote chart (%s) is not supported: vendor the chart under the kustomization's chartHome (helm pull --untar)", strings.Join(args[1:], " "))
	}
	return fmt.Errorf("wavecheck serves as helm for kustomize only: unknown command %q", args[0])
}

// shimTemplate is `helm template` for the arguments kustomize passes.
func shimTemplate(ctx context.Context, args []string) (string, error) {
	var pos, valueFiles []string
	var opts Options
	var mode templateMode
	for i := 0; i < len(args); i++ {
		a := args[i]
		next := func() (string, error) {
			if i+1 >= len(args) {
				return "", fmt.Errorf("flag %s needs a value", a)
			}
			i++
			return args[i], nil
		}
		var err error
		switch a {
		case "--namespace":
			opts.Namespace, err = next()
		case "-f", "--values":
			var v string
			v, err = next()
			valueFiles = append(valueFiles, v)
		case "--api-versions":
			var v string
			v, err = next()
			opts.APIVersions = append(opts.APIVersions, v)
		case "--kube-version":
			opts.KubeVersion, err = next()
		case "--include-crds":
			mode.crds = true
		case "--skip-tests":
			mode.skipTests = true
		case "--no-hooks":
			mode.noHooks = true
		case "--debug", "--devel":
		case "--generate-name", "--name-template":
			return "", errors.New("helmCharts: set releaseName (a generated release name is random, so the render would not be reproducible)")
		default:
			if strings.HasPrefix(a, "-") {
				return "", fmt.Errorf("unsupported helm template flag %s", a)
			}
			pos = append(pos, a)
		}
		if err != nil {
			return "", err
		}
	}
	if len(pos) != 2 {
		return "", fmt.Errorf("template wants RELEASE CHART, got %q", pos)
	}
	opts.ReleaseName = pos[0]
	root := os.Getenv(HelmShimEnv)
	chartDir, err := filepath.Abs(pos[1])
	if err != nil {
		return "", err
	}
	if st, err := os.Stat(chartDir); err != nil || !st.IsDir() { //nolint:gosec // paths are confined to the repository root by bounds.resolve
		return "", fmt.Errorf("helmCharts: no chart at %s", chartDir)
	}
	b := &bounds{root: root, maxFile: DefaultMaxFileBytes, maxTotal: DefaultMaxTotalBytes}
	vals, err := shimValues(b, valueFiles)
	if err != nil {
		return "", err
	}
	return templateChart(ctx, b, chartDir, opts, mode, vals)
}

// shimValues merges the -f files in order, as helm does. kustomize writes the chart's values
// (valuesFile, valuesInline) to a file of its own temporary directory after reading them
// through its bounded loader; additionalValuesFiles are the user's paths and must lie inside
// the repository root.
func shimValues(b *bounds, files []string) (map[string]any, error) {
	vals := map[string]any{}
	tmp, _ := filepath.EvalSymlinks(os.TempDir())
	for _, f := range files {
		abs, err := filepath.Abs(f)
		if err != nil {
			return nil, err
		}
		var data []byte
		resolved, rerr := filepath.EvalSymlinks(abs)
		if rerr == nil && tmp != "" && strings.HasPrefix(filepath.Base(filepath.Dir(resolved)), "kustomize-helm-") && within(tmp, resolved) {
			data, err = os.ReadFile(resolved) //nolint:gosec // G304: kustomize's own temporary values file
		} else {
			data, err = b.readFile(abs)
		}
		if err != nil {
			return nil, fmt.Errorf("read values file %s: %w", f, err)
		}
		cur, err := loader.LoadValues(bytes.NewReader(data))
		if err != nil {
			return nil, fmt.Errorf("parse values file %s: %w", f, err)
		}
		vals = loader.MergeMaps(vals, cur)
	}
	return vals, nil
}
