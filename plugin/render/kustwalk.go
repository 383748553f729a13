package render

import (
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"

	"sigs.k8s.io/kustomize/api/types"
)

// kustWalker walks the graph of kustomizations (resources, bases, components, generators,
// transformers, validators) before the build, to refuse remote references: krusty offers no
// hook to stop its git cloner or HTTP loader once the build runs. It keeps every
// kustomization it read for the replay of sources.
type kustWalker struct {
	b     *bounds
	nodes map[string]*kustNode // by real directory
}

// kustNode is a directory the walker visited.
type kustNode struct {
	realPath string
	kfile    string               // base name of its kustomization file; empty when none
	k        *types.Kustomization // nil when none or unparsable
}

// replay replays the build of the kustomization in dir, walked before, to find sources
// without origin annotations. It fails when the top kustomization asks for origin
// annotations itself (kustomize then keeps them in the output) or the replay cannot follow
// the build.
func (w *kustWalker) replay(dir string) (*kustSources, error) {
	realPath, err := w.b.resolve(dir)
	if err != nil {
		return nil, err
	}
	if n := w.nodes[realPath]; n != nil && n.k != nil && slices.Contains(n.k.BuildMetadata, types.OriginAnnotations) {
		return nil, errors.New("the kustomization asks for origin annotations")
	}
	return replayKustomize(w.b, w.nodes, realPath, dir)
}

func (w *kustWalker) walk(dir string) error {
	realPath, err := w.b.resolve(dir)
	if err != nil {
		return err
	}
	if w.nodes[realPath] != nil {
		return nil
	}
	node := &kustNode{realPath: realPath}
	w.nodes[realPath] = node
	kfile, ok := findKustomizationFile(realPath)
	if !ok {
		return nil
	}
	node.kfile = filepath.Base(kfile)
	data, err := w.b.readFile(kfile)
	if err != nil {
		return err
	}
	var k types.Kustomization
	if err := k.Unmarshal(data); err != nil {
		// krusty reports the same parse error, with its context, when it builds.
		return nil
	}
	node.k = &k
	rel := w.b.rel(kfile)
	refuse := func(field, ref string) error {
		return &Error{File: rel, Err: fmt.Errorf("refuse remote %s %q: remote resources are disabled (enable them with --allow-remote)", field, ref)}
	}

	dirRefs := []struct {
		field string
		refs  []string
	}{
		{"resource", k.Resources},
		{"base", k.Bases},
		{"component", k.Components},
		{"generator", k.Generators},
		{"transformer", k.Transformers},
		{"validator", k.Validators},
	}
	for _, g := range dirRefs {
		for _, ref := range g.refs {
			if strings.ContainsAny(ref, "\n") {
				continue // inline generator or transformer configuration
			}
			if isRemoteRef(ref) {
				return refuse(g.field, ref)
			}
			if filepath.IsAbs(ref) {
				continue // krusty refuses absolute roots itself
			}
			p := filepath.Join(realPath, filepath.FromSlash(ref))
			st, err := os.Stat(p)
			if err != nil || !st.IsDir() {
				continue // a file, or missing: krusty reads or reports it through the bounded FS
			}
			if _, err := w.b.resolve(p); err != nil {
				return err
			}
			if err := w.walk(p); err != nil {
				return err
			}
		}
	}

	var files []string
	files = append(files, k.Crds...)
	files = append(files, k.Configurations...)
	for _, p := range k.PatchesStrategicMerge {
		files = append(files, string(p))
	}
	for _, p := range append(append([]types.Patch(nil), k.Patches...), k.PatchesJson6902...) {
		files = append(files, p.Path)
	}
	for _, r := range k.Replacements {
		files = append(files, r.Path)
	}
	for _, g := range k.ConfigMapGenerator {
		files = append(files, generatorFiles(g.GeneratorArgs)...)
	}
	for _, g := range k.SecretGenerator {
		files = append(files, generatorFiles(g.GeneratorArgs)...)
	}
	if p, ok := k.OpenAPI["path"]; ok {
		files = append(files, p)
	}
	for _, f := range files {
		if isRemoteFile(f) {
			return refuse("file", f)
		}
	}
	for _, h := range k.HelmCharts {
		if h.Repo != "" {
			return refuse("helm chart repository", h.Repo)
		}
	}
	return nil
}

func generatorFiles(g types.GeneratorArgs) []string {
	var out []string
	for _, f := range g.FileSources {
		if _, v, ok := strings.Cut(f, "="); ok {
			f = v
		}
		out = append(out, f)
	}
	out = append(out, g.EnvSources...)
	if g.EnvSource != "" {
		out = append(out, g.EnvSource)
	}
	return out
}

// isRemoteFile reports whether kustomize would fetch path over HTTP.
func isRemoteFile(p string) bool {
	u, err := url.Parse(strings.TrimSpace(p))
	return err == nil && (u.Scheme == "http" || u.Scheme == "https")
}

var scpUser = regexp.MustCompile(`^[a-zA-Z][a-zA-Z0-9-]*@[^/]*[:/]`)

// isRemoteRef reports whether kustomize would treat a resource, base or component reference
// as a remote git repository or URL (following kustomize's repospec parsing: a URL scheme, the
// go-getter "git::" prefix, a github.com host, or an scp-style user@host:path).
func isRemoteRef(ref string) bool {
	r := strings.TrimSpace(ref)
	l := strings.ToLower(r)
	switch {
	case strings.HasPrefix(l, "git::"), strings.Contains(l, "://"):
		return true
	case strings.HasPrefix(l, "github.com/"), strings.HasPrefix(l, "github.com:"):
		return true
	case scpUser.MatchString(r):
		return true
	}
	return false
}
