package pipeline

// How an Application's helm and kustomize settings become render options, as Argo CD's
// repo-server applies them (helmTemplate, kustomize.Build).

import (
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"strings"

	"github.com/wavecheck/wavecheck/internal/argocd"
	"github.com/wavecheck/wavecheck/plugin/render"
)

// helmOptions maps spec.source.helm onto the render options as reposerver/repository's
// helmTemplate and util/helm.Cmd.template do.
func helmOptions(app *argocd.Application, src *argocd.ApplicationSource, dir, root string, env argocd.Env, co Checkouts, opts *render.Options) error {
	opts.ReleaseName = argocd.HelmReleaseName(app, src)
	opts.Namespace = argocd.HelmNamespace(app, src)
	opts.ValueFiles, opts.Values, opts.Set, opts.SetString, opts.SetFile = nil, "", nil, nil, nil
	h := src.Helm
	if h == nil {
		return nil
	}
	if h.KubeVersion != "" {
		opts.KubeVersion = h.KubeVersion
	}
	if len(h.APIVersions) > 0 {
		opts.APIVersions = h.APIVersions
	}
	refs := app.Refs()
	resolve := func(raw string) (string, error) {
		if ref := argocd.RefName(raw); ref != "" {
			s, ok := refs[ref]
			if !ok {
				return "", fmt.Errorf("%s refers to source ref %q, but no source of the app has ref: %s", raw, strings.TrimPrefix(ref, "$"), strings.TrimPrefix(ref, "$"))
			}
			refRoot, err := co.checkout(app, s.RepoURL)
			if err != nil {
				return "", err
			}
			refRoot, err = filepath.Abs(refRoot)
			if err != nil {
				return "", err
			}
			_, rest, _ := strings.Cut(raw, "/")
			p := filepath.Join(refRoot, filepath.FromSlash(env.Subst("/"+rest)))
			if !render.Within(refRoot, p) {
				return "", fmt.Errorf("value file %s leaves the repository of ref %s", raw, ref)
			}
			opts.ValueRoots = append(opts.ValueRoots, refRoot)
			return p, nil
		}
		v := env.Subst(raw)
		if u, err := url.Parse(v); err == nil && u.Scheme != "" && len(u.Scheme) > 1 {
			return "", fmt.Errorf("value file %s: remote values files are not supported (vendor the file in the repository)", raw)
		}
		// util/io/path.resolveFileOrDirectory: a relative path is relative to the app
		// directory, an absolute one to the repository root.
		p := filepath.Join(dir, filepath.FromSlash(v))
		if filepath.IsAbs(v) {
			p = filepath.Join(root, filepath.FromSlash(v))
		}
		if !render.Within(root, p) {
			return "", fmt.Errorf("value file %s: resolved to outside repository root", raw)
		}
		return p, nil
	}
	// reposerver/repository.getResolvedValueFiles: explicit entries keep their position, globs
	// expand in lexical order, missing files are skipped with ignoreMissingValueFiles.
	explicit := map[string]bool{}
	for _, raw := range h.ValueFiles {
		if p, err := resolve(raw); err == nil && !isGlob(p) {
			explicit[p] = true
		}
	}
	seen := map[string]bool{}
	add := func(p string) {
		if !seen[p] {
			seen[p] = true
			opts.ValueFiles = append(opts.ValueFiles, p)
		}
	}
	for _, raw := range h.ValueFiles {
		p, err := resolve(raw)
		if err != nil {
			return err
		}
		if isGlob(p) {
			if strings.Contains(p, "**") {
				return fmt.Errorf("value file %s: ** globs are not supported by wavecheck yet", raw)
			}
			matches, err := filepath.Glob(p)
			if err != nil {
				return fmt.Errorf("error expanding glob pattern %q: %w", raw, err)
			}
			if len(matches) == 0 {
				if h.IgnoreMissingValueFiles {
					continue
				}
				return fmt.Errorf("values file glob %q matched no files", raw)
			}
			for _, m := range matches {
				if !explicit[m] {
					add(m)
				}
			}
			continue
		}
		if _, err := os.Stat(p); errors.Is(err, os.ErrNotExist) && h.IgnoreMissingValueFiles {
			continue
		}
		add(p)
	}
	opts.Values = h.ValuesJSON()
	// Parameters go through a map in Argo CD (the last of a name wins); each value is
	// env-substituted and its unescaped commas escaped (util/helm.cleanSetParameters).
	set, setString := map[string]int{}, map[string]int{}
	for _, p := range h.Parameters {
		v := p.Name + "=" + cleanSetParameter(env.Subst(p.Value))
		target, idx := &opts.Set, set
		if p.ForceString {
			target, idx = &opts.SetString, setString
		}
		if j, ok := idx[p.Name]; ok {
			(*target)[j] = v
			continue
		}
		idx[p.Name] = len(*target)
		*target = append(*target, v)
	}
	for _, fp := range h.FileParameters {
		p, err := resolve(fp.Path)
		if err != nil {
			return fmt.Errorf("file parameter %s: %w", fp.Name, err)
		}
		opts.SetFile = append(opts.SetFile, fp.Name+"="+cleanSetParameter(p))
	}
	opts.SkipCRDs = h.SkipCrds
	opts.SkipTests = h.SkipTests
	opts.SkipSchemaValidation = h.SkipSchemaValidation
	return nil
}

// cleanSetParameter is util/helm.cleanSetParameters: a value in braces (a helm list) stays,
// otherwise every comma not already escaped is escaped.
func cleanSetParameter(v string) string {
	if strings.HasPrefix(v, "{") && strings.HasSuffix(v, "}") {
		return v
	}
	var sb strings.Builder
	var prev rune
	for _, r := range v {
		if r == ',' && prev != '\\' {
			sb.WriteString(`\,`)
		} else {
			sb.WriteRune(r)
		}
		prev = r
	}
	return sb.String()
}

func isGlob(p string) bool { return strings.ContainsAny(p, "*?[") }

// KustomizeOptions maps spec.source.kustomize (or the plugin's Kustomize parameters) onto the
// kustomize edits (util/kustomize.kustomize.Build): images and common labels are
// env-substituted with subst, common annotations only with commonAnnotationsEnvsubst.
func KustomizeOptions(k *argocd.ApplicationSourceKustomize, subst func(string) string, opts *render.Options) error {
	env := struct{ Subst func(string) string }{subst}
	e := render.KustomizeEdits{
		NamePrefix: k.NamePrefix, NameSuffix: k.NameSuffix, Namespace: k.Namespace,
		ForceCommonLabels: k.ForceCommonLabels, ForceCommonAnnotations: k.ForceCommonAnnotations,
		LabelWithoutSelector: k.LabelWithoutSelector, LabelIncludeTemplates: k.LabelIncludeTemplates,
		Patches: k.Patches, Components: k.Components, IgnoreMissingComponents: k.IgnoreMissingComponents,
	}
	for _, im := range k.Images {
		e.Images = append(e.Images, env.Subst(im))
	}
	for _, r := range k.Replicas {
		n, err := r.IntCount()
		if err != nil {
			return err
		}
		e.Replicas = append(e.Replicas, fmt.Sprintf("%s=%d", r.Name, n))
	}
	if len(k.CommonLabels) > 0 {
		e.CommonLabels = map[string]string{}
		for name, v := range k.CommonLabels {
			e.CommonLabels[name] = env.Subst(v)
		}
	}
	if len(k.CommonAnnotations) > 0 {
		e.CommonAnnotations = map[string]string{}
		for name, v := range k.CommonAnnotations {
			if k.CommonAnnotationsEnvsubst {
				v = env.Subst(v)
			}
			e.CommonAnnotations[name] = v
		}
	}
	if k.KubeVersion != "" {
		opts.KubeVersion = k.KubeVersion
	}
	if len(k.APIVersions) > 0 {
		opts.APIVersions = k.APIVersions
	}
	opts.Edits = e
	return nil
}
