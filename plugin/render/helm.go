//go:build !nohelm

package render

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io/fs"
	"net/url"
	"os"
	"path"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"

	"github.com/wavecheck/wavecheck/internal/manifest"
	"helm.sh/helm/v4/pkg/chart/common"
	"helm.sh/helm/v4/pkg/chart/loader/archive"
	chartv2 "helm.sh/helm/v4/pkg/chart/v2"
	"helm.sh/helm/v4/pkg/chart/v2/loader"
	"helm.sh/helm/v4/pkg/ignore"
	"helm.sh/helm/v4/pkg/strvals"
	"sigs.k8s.io/yaml"
)

// defaultHelmNamespace is the namespace `helm template` uses without --namespace and without
// a kubeconfig, as in Argo CD's repo-server.
const defaultHelmNamespace = "default"

// Bounds on reading a chart directory, against symlink loops and fan-outs that would read
// the same directories over and over.
const (
	maxChartDepth   = 64
	maxChartEntries = 100000
)

// renderHelm renders a chart directory with the Helm 4 SDK the way `helm template
// --include-crds` does (and Argo CD's repo-server with it): CRDs first, then the manifests in
// Helm's install order, then every hook. Chart files and values files are read through the
// bounds; dependencies missing from charts/ are built as Argo CD builds them (Dependencies).
func renderHelm(ctx context.Context, b *bounds, dir string, opts Options) ([]manifest.Object, error) {
	// Argo CD passes --include-crds unless helm.skipCrds, and --skip-tests with helm.skipTests
	// (util/helm.Cmd.template).
	stream, err := templateChart(ctx, b, dir, opts, templateMode{crds: !opts.SkipCRDs, skipTests: opts.SkipTests}, nil)
	if err != nil {
		return nil, err
	}
	return decodeHelmStream(stream, b.maxFile, opts.maxObjects())
}

// templateMode holds the `helm template` flags Argo CD never varies but kustomize's
// helmCharts do (--include-crds, --no-hooks, --skip-tests).
type templateMode struct {
	crds, noHooks, skipTests bool
}

// templateChart renders a chart directory to `helm template`'s output stream. vals, when not
// nil, replaces the values of opts (the helm shim merges its -f files itself).
func templateChart(ctx context.Context, b *bounds, dir string, opts Options, mode templateMode, vals map[string]any) (string, error) {
	relDir := b.rel(dir)
	fail := func(err error) error { return &Error{File: relDir, Err: err} }

	b.step.set("the read of the chart files in %s", relDir)
	files, err := readChartFiles(b, dir)
	if err != nil {
		return "", err
	}
	if err := checkChartAPIVersion(files); err != nil {
		if errors.Is(err, errNoChartYAML) {
			return "", fail(noChartYAML(opts.SourceType == Helm))
		}
		return "", &Error{File: path.Join(relDir, "Chart.yaml"), Err: err}
	}
	b.step.set("the loading of the chart in %s", relDir)
	ch, err := loader.LoadFiles(files)
	if err != nil {
		return "", fail(fmt.Errorf("load chart: %w", err))
	}
	if t := ch.Metadata.Type; t != "" && t != "application" {
		return "", &Error{File: path.Join(relDir, "Chart.yaml"), Err: fmt.Errorf("render chart %s: %s charts are not installable", ch.Name(), t)}
	}
	if ch.Metadata != nil && len(ch.Metadata.Dependencies) > 0 {
		reqs := ch.Metadata.Dependencies
		if missing := missingDependencies(ch); len(missing) > 0 && checkDependencies(ch, reqs) != nil {
			// As Argo CD: build the dependencies when they are missing, then load again.
			if files, err = buildDependencies(ctx, b, dir, files, ch, missing, opts.Dependencies); err != nil {
				return "", err
			}
			if ch, err = loader.LoadFiles(files); err != nil {
				return "", fail(fmt.Errorf("load chart with its dependencies: %w", err))
			}
		}
		if err := checkDependencies(ch, reqs); err != nil {
			return "", &Error{File: path.Join(relDir, "Chart.yaml"), Err: fmt.Errorf("check chart dependencies (vendor them with `helm dependency build`): %w", err)}
		}
	}

	b.step.set("the reading of the values of chart %s", ch.Name())
	if vals == nil {
		if vals, err = helmValues(b, dir, opts); err != nil {
			return "", err
		}
	}

	t := helmTemplate{releaseName: opts.ReleaseName, namespace: opts.Namespace, includeCRDs: mode.crds, skipSchemaValidation: opts.SkipSchemaValidation}
	if t.releaseName == "" {
		t.releaseName = opts.AppName
	}
	if t.releaseName == "" {
		t.releaseName = filepath.Base(dir)
	}
	if t.namespace == "" {
		t.namespace = defaultHelmNamespace
	}
	if opts.KubeVersion != "" {
		kv, err := common.ParseKubeVersion(opts.KubeVersion)
		if err != nil {
			return "", fmt.Errorf("parse kube version %q: %w", opts.KubeVersion, err)
		}
		t.kubeVersion = kv
	}
	t.apiVersions = common.VersionSet(splitAPIVersions(opts.APIVersions))

	b.step.set("helm template of chart %s", ch.Name())
	manifest, hooks, err := t.render(ctx, ch, vals)
	if err != nil {
		if ctxErr := ctx.Err(); ctxErr != nil {
			return "", ctxErr
		}
		return "", templateError(b, dir, ch.Name(), err)
	}
	stream := helmStream(manifest, hooks, mode)
	if err := b.chargeRendered(int64(len(stream))); err != nil {
		return "", fail(fmt.Errorf("render chart %s: %w", ch.Name(), err))
	}
	b.step.set("the decoding of the output of chart %s", ch.Name())
	return stream, nil
}

// splitAPIVersions accepts repeated and comma-separated values, as `helm template
// --api-versions` does.
func splitAPIVersions(in []string) []string {
	var out []string
	for _, v := range in {
		for _, s := range strings.Split(v, ",") {
			if s = strings.TrimSpace(s); s != "" {
				out = append(out, s)
			}
		}
	}
	return out
}

// readChartFiles reads a chart directory as Helm's directory loader does (honouring
// .helmignore, following symlinks), but through the bounds: every file must resolve inside
// the repository root and counts against the size limits.
func readChartFiles(b *bounds, dir string) ([]*archive.BufferedFile, error) {
	rules := ignore.Empty()
	ifile := filepath.Join(dir, ignore.HelmIgnore)
	if fileExists(ifile) {
		data, err := b.readFile(ifile)
		if err != nil {
			return nil, err
		}
		r, err := ignore.Parse(bytes.NewReader(data))
		if err != nil {
			return nil, &Error{File: b.rel(ifile), Err: fmt.Errorf("parse .helmignore: %w", err)}
		}
		rules = r
	}
	rules.AddDefaults()

	var files []*archive.BufferedFile
	seen := 0
	ancestors := map[string]bool{}
	var walk func(abs, name string, depth int) error
	walk = func(abs, name string, depth int) error {
		if depth > maxChartDepth {
			return &Error{File: b.rel(abs), Err: fmt.Errorf("read chart: directories nested deeper than %d", maxChartDepth)}
		}
		ancestors[abs] = true
		defer delete(ancestors, abs)
		entries, err := os.ReadDir(abs)
		if err != nil {
			return &Error{File: b.rel(abs), Err: fmt.Errorf("read chart: %w", unwrapPathError(err))}
		}
		for _, e := range entries {
			if seen++; seen > maxChartEntries {
				return &Error{File: b.rel(dir), Err: fmt.Errorf("read chart: more than %d files and directories", maxChartEntries)}
			}
			p := filepath.Join(abs, e.Name())
			n := e.Name()
			if name != "" {
				n = name + "/" + e.Name()
			}
			realPath, err := b.resolve(p)
			if err != nil {
				return err
			}
			fi, err := os.Stat(realPath) //nolint:gosec // paths are confined to the repository root by bounds.resolve
			if err != nil {
				return &Error{File: b.rel(p), Err: fmt.Errorf("read chart: %w", unwrapPathError(err))}
			}
			if rules.Ignore(n, fi) {
				continue
			}
			if fi.IsDir() {
				if ancestors[realPath] {
					return &Error{File: b.rel(p), Err: fmt.Errorf("read chart: symlink loop back to %s", b.rel(realPath))}
				}
				if err := walk(realPath, n, depth+1); err != nil {
					return err
				}
				continue
			}
			if !fi.Mode().IsRegular() {
				return &Error{File: b.rel(p), Err: errors.New("read chart: not a regular file")}
			}
			data, err := b.readFile(p)
			if err != nil {
				return err
			}
			data = bytes.TrimPrefix(data, []byte{0xEF, 0xBB, 0xBF})
			if isSubchartArchive(n) {
				if err := b.scanChartArchive(b.rel(p), data, 1); err != nil {
					return err
				}
			}
			files = append(files, &archive.BufferedFile{Name: n, ModTime: fi.ModTime(), Data: data})
		}
		return nil
	}
	realDir, err := b.resolve(dir)
	if err != nil {
		return nil, err
	}
	if err := walk(realDir, "", 0); err != nil {
		return nil, err
	}
	return files, nil
}

// checkChartAPIVersion refuses chart API versions the install action cannot render (v3 charts
// are experimental in Helm 4 and `helm template` refuses them too).
func checkChartAPIVersion(files []*archive.BufferedFile) error {
	for _, f := range files {
		if f.Name != "Chart.yaml" {
			continue
		}
		var meta struct {
			APIVersion string `json:"apiVersion"`
		}
		if err := yaml.Unmarshal(f.Data, &meta); err != nil {
			return fmt.Errorf("parse Chart.yaml: %w", err)
		}
		switch meta.APIVersion {
		case chartv2.APIVersionV1, chartv2.APIVersionV2, "":
			return nil
		}
		return fmt.Errorf("unsupported chart apiVersion %q (want %s or %s)", meta.APIVersion, chartv2.APIVersionV1, chartv2.APIVersionV2)
	}
	return errNoChartYAML
}

// errNoChartYAML is a chart directory without Chart.yaml.
var errNoChartYAML = errors.New("the directory has no Chart.yaml")

// noChartYAML explains a chart directory without Chart.yaml: with the source type forced to
// Helm (--source-type helm) the directory is not a chart at all; detected as Helm, a file
// whose name merely ends in Chart.yaml made Argo CD's discovery pick Helm
// (util/app/discovery.AppType matches the suffix).
func noChartYAML(forced bool) error {
	if forced {
		return fmt.Errorf("%w, so it is not a Helm chart: point at the chart directory (the one holding Chart.yaml) or drop --source-type helm", errNoChartYAML)
	}
	return fmt.Errorf("%w (Argo CD picks Helm for any file whose name ends in Chart.yaml: add Chart.yaml, rename the file or set the source type)", errNoChartYAML)
}

// helmValues merges the values files (in order), the inline values and then the --set values,
// as helm does with Argo CD's arguments.
// Values files are resolved relative to the app directory and must lie inside the root.
func helmValues(b *bounds, dir string, opts Options) (map[string]any, error) {
	base := map[string]any{}
	for _, vf := range opts.ValueFiles {
		if u, err := url.Parse(vf); err == nil && u.Scheme != "" && len(u.Scheme) > 1 {
			return nil, &Error{File: b.rel(dir), Err: fmt.Errorf("read values file %q: remote values files are not supported", vf)}
		}
		p := vf
		if !filepath.IsAbs(p) {
			p = filepath.Join(dir, p)
		}
		p = filepath.Clean(p)
		if !withinAny(b.root, opts.ValueRoots, p) {
			return nil, &Error{File: vf, Err: fmt.Errorf("read values file: %w: %s is outside %s", ErrOutsideRoot, p, b.root)}
		}
		if _, err := os.Lstat(p); errors.Is(err, fs.ErrNotExist) { //nolint:gosec // p is inside the repository or a value root (withinAny above)
			// Like Argo CD's spec.source.helm.valueFiles (reposerver/repository.getResolvedValueFiles ->
			// util/io/path.ResolveValueFilePathOrUrl joins them to the app path), not like helm -f.
			return nil, &Error{File: b.rel(p), Err: fmt.Errorf("values file %q not found: values files are relative to the chart directory %s, as Argo CD's valueFiles are, not to the working directory", vf, b.rel(dir))}
		}
		data, err := readValueFile(b, p, vf, opts.ValueRoots)
		if err != nil {
			return nil, err
		}
		cur, err := loader.LoadValues(bytes.NewReader(data))
		if err != nil {
			return nil, &Error{File: b.rel(p), Err: fmt.Errorf("parse values file: %w", err)}
		}
		if mayHaveAliases(data) {
			if err := checkValueSize(map[string]any(cur), b.maxFile); err != nil {
				return nil, &Error{File: b.rel(p), Err: err}
			}
		}
		base = loader.MergeMaps(base, cur)
	}
	if opts.Values != "" {
		if err := b.charge(int64(len(opts.Values))); err != nil {
			return nil, &Error{File: "inline values", Err: err}
		}
		if err := checkAliasExpansion([]byte(opts.Values), b.maxFile); err != nil {
			return nil, &Error{File: "inline values", Err: err}
		}
		cur, err := loader.LoadValues(strings.NewReader(opts.Values))
		if err != nil {
			return nil, &Error{File: "inline values", Err: fmt.Errorf("parse values: %w", err)}
		}
		if mayHaveAliases([]byte(opts.Values)) {
			if err := checkValueSize(map[string]any(cur), b.maxFile); err != nil {
				return nil, &Error{File: "inline values", Err: err}
			}
		}
		base = loader.MergeMaps(base, cur)
	}
	// helm's values.Options.MergeValues order: --set, then --set-string, then --set-file.
	for _, s := range opts.Set {
		if err := strvals.ParseInto(s, base); err != nil {
			return nil, fmt.Errorf("parse --set %q: %w", s, err)
		}
	}
	for _, s := range opts.SetString {
		if err := strvals.ParseIntoString(s, base); err != nil {
			return nil, fmt.Errorf("parse --set-string %q: %w", s, err)
		}
	}
	for _, s := range opts.SetFile {
		reader := func(rs []rune) (any, error) {
			p := filepath.Clean(string(rs))
			if !filepath.IsAbs(p) {
				p = filepath.Join(dir, p)
			}
			data, err := readValueFile(b, p, string(rs), opts.ValueRoots)
			return string(data), err
		}
		if err := strvals.ParseIntoFile(s, base, reader); err != nil {
			return nil, fmt.Errorf("parse --set-file %q: %w", s, err)
		}
	}
	return base, nil
}

// readValueFile reads a values file (or a --set-file file) at the clean absolute path p,
// named name in errors, confined to the repository root or to the one of roots (the checkouts
// of referenced sources) holding it, and charged to the total.
// withinAny reports whether p is inside root or one of roots (a missing file there is "not
// found"; anywhere else it is outside the repository, whether or not it exists).
func withinAny(root string, roots []string, p string) bool {
	if within(root, p) {
		return true
	}
	for _, r := range roots {
		if within(r, p) {
			return true
		}
	}
	return false
}

func readValueFile(b *bounds, p, name string, roots []string) ([]byte, error) {
	if within(b.root, p) {
		return b.readFile(p)
	}
	for _, r := range roots {
		resolved, err := filepath.EvalSymlinks(r)
		if err != nil || !within(resolved, p) {
			continue
		}
		vb := &bounds{root: resolved, maxFile: b.maxFile, maxTotal: b.maxTotal, step: b.step}
		data, err := vb.peekFile(p)
		if err != nil {
			return nil, err
		}
		if err := b.charge(int64(len(data))); err != nil {
			return nil, &Error{File: name, Err: err}
		}
		return data, nil
	}
	return nil, &Error{File: name, Err: fmt.Errorf("read values file: %w: %s is outside %s", ErrOutsideRoot, p, b.root)}
}

const sourcePrefix = "# Source: "

// decodeHelmStream decodes Helm's output, attributing each object to the template named by
// the last "# Source:" comment before it.
func decodeHelmStream(stream string, limit int64, maxObjects int) ([]manifest.Object, error) {
	docs, err := splitDocuments([]byte(stream))
	if err != nil {
		return nil, err
	}
	if len(docs) > maxObjects {
		return nil, limitErr("the chart renders %d documents, more than the %d-object limit", LimitObjects, len(docs), maxObjects)
	}
	// Attribute documents to templates in order, then decode them on every core.
	srcs := make([]manifest.Source, len(docs))
	cur := ""
	perFile := map[string]int{}
	for i, d := range docs {
		for _, l := range strings.Split(string(d.data), "\n") {
			t := strings.TrimSpace(l)
			if strings.HasPrefix(t, sourcePrefix) {
				cur = strings.TrimSpace(strings.TrimPrefix(t, sourcePrefix))
				break
			}
			if t != "" && !strings.HasPrefix(t, "#") {
				break
			}
		}
		srcs[i] = manifest.Source{File: cur, Doc: perFile[cur]}
		perFile[cur]++
	}
	return decodeAll(len(docs), func(i int) ([]manifest.Object, error) {
		return decodeDocument(document{data: docs[i].data, idx: srcs[i].Doc}, srcs[i].File, limit)
	}, func(i int) manifest.Source { return srcs[i] })
}

// templateRef finds the first chart template path in a Helm error, with its line when given.
var templateRef = regexp.MustCompile(`([A-Za-z0-9_.-]+(?:/[^\s:()"']+)*/(?:templates|crds)/[^\s:()"']+)(?::(\d+))?`)

// templateError wraps a Helm rendering error in an *Error naming the template: the file in
// the repository when it maps to one, else the chart directory (Helm's message names the
// template either way).
func templateError(b *bounds, dir, chartName string, err error) error {
	e := &Error{File: b.rel(dir), Err: fmt.Errorf("render chart %s: %w", chartName, err)}
	m := templateRef.FindStringSubmatch(err.Error())
	if m == nil {
		return e
	}
	name := m[1]
	rest, ok := strings.CutPrefix(name, chartName+"/")
	if !ok {
		return e
	}
	p := filepath.Join(dir, filepath.FromSlash(rest))
	if !within(b.root, p) || !fileExists(p) {
		return e
	}
	e.File = b.rel(p)
	if m[2] != "" && strings.Contains(err.Error(), name+":"+m[2]) {
		if n, cerr := strconv.Atoi(m[2]); cerr == nil {
			e.Line = n
		}
	}
	return e
}
