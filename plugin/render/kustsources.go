package render

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/wavecheck/wavecheck/internal/manifest"
	"sigs.k8s.io/kustomize/api/types"
	"sigs.k8s.io/kustomize/kyaml/openapi"
	kyaml "sigs.k8s.io/kustomize/kyaml/yaml"
	"sigs.k8s.io/yaml"
)

// kustomize can record where each resource comes from (buildMetadata: [originAnnotations]),
// but it then carries that annotation, and a list of the transformers applied, through every
// transformer: the build is 20-40 % slower. For a local build wavecheck instead replays,
// before the build and on resource ids alone, the part of kustomize's accumulation that
// decides them (internal/target.KustTarget.accumulateTarget): the resource files and
// generators each kustomization gathers from its bases and components, and the namespace,
// namePrefix and nameSuffix transformers applied on the way up. Each built resource is then
// found by its final kind and name. A kustomization using anything the replay does not model
// and that can change an id (custom generators or transformers, Helm charts, JSON patches or
// replacements writing names or kinds, patches allowed to rename, name transformer
// configurations) makes the build use origin annotations as before.

// maxReplayEntries bounds the replay of kustomizations that include the same bases many
// times over.
const maxReplayEntries = 1 << 18

// kustEntry is one resource of the replayed build.
type kustEntry struct {
	apiVersion string
	kind       string
	group      string
	// names holds the original name and then every name a transformer gave it, the current
	// one last (kustomize matches generator merges against all of them).
	names []string
	// ns is its namespace if its kind is namespaced, orgNS the one it was read or generated
	// with: the namespace transformer leaves cluster-scoped kinds alone. builtNS is the one
	// of the two kustomize's schema picks.
	ns, orgNS, builtNS string
	src                manifest.Source
	// known is false for a file outside the repository root: no source then, as with origin
	// annotations.
	known bool
	// hashed marks generated (or generator-merged) resources, whose built name may end with
	// a content hash.
	hashed bool
}

func (e *kustEntry) name() string { return e.names[len(e.names)-1] }

// kustSources finds the source of each built resource by its final kind and name.
type kustSources struct {
	byName map[kustKey][]*kustEntry
}

type kustKey struct{ kind, name string }

// errNoReplay marks a build the replay cannot follow.
var errNoReplay = errors.New("kustomize sources cannot be replayed")

func noReplay(format string, args ...any) error {
	return fmt.Errorf("%w: "+format, append([]any{errNoReplay}, args...)...)
}

// kustReplay replays the kustomizations parsed by the walker.
type kustReplay struct {
	b      *bounds
	nodes  map[string]*kustNode
	files  map[string][]manifest.Object // decoded resource files by real path
	read   int64
	count  int
	active map[string]bool
}

// replayKustomize replays the build of the kustomization in dir (realPath and as given) from the
// walker's nodes.
func replayKustomize(b *bounds, nodes map[string]*kustNode, realPath, dir string) (*kustSources, error) {
	s := &kustReplay{b: b, nodes: nodes, files: map[string][]manifest.Object{}, active: map[string]bool{}}
	ra, err := s.accumulate(realPath, dir, nil)
	if err != nil {
		return nil, err
	}
	// The namespace transformer asks kustomize's OpenAPI schema (process-wide, see
	// kustomizeMu) whether a kind is cluster-scoped; check made sure the build uses the
	// built-in one.
	kustomizeMu.Lock()
	for _, e := range ra {
		e.builtNS = e.ns
		if openapi.IsCertainlyClusterScoped(kyaml.TypeMeta{APIVersion: e.apiVersion, Kind: e.kind}) {
			e.builtNS = e.orgNS
		}
	}
	kustomizeMu.Unlock()
	out := &kustSources{byName: make(map[kustKey][]*kustEntry, len(ra))}
	for _, e := range ra {
		k := kustKey{e.kind, e.name()}
		for _, o := range out.byName[k] {
			if o.group == e.group && o.builtNS == e.builtNS {
				// Possible when a patch deleted one of them, which the replay does not model.
				return nil, noReplay("%s/%s comes from %s and %s", e.kind, e.name(), o.src, e.src)
			}
		}
		out.byName[k] = append(out.byName[k], e)
	}
	return out, nil
}

// source returns the source of a built resource: the replayed resource of the same kind, API
// group, namespace and name (a generated one may have a content hash appended); false when
// there is none.
func (s *kustSources) source(kind, group, name, namespace string) (manifest.Source, bool) {
	match := func(name string, generated bool) *kustEntry {
		for _, e := range s.byName[kustKey{kind, name}] {
			if e.group == group && e.builtNS == namespace && (e.hashed || !generated) {
				return e
			}
		}
		return nil
	}
	e := match(name, false)
	if base, ok := trimHashSuffix(name); ok && e == nil {
		e = match(base, true)
	}
	if e == nil || !e.known {
		return manifest.Source{}, false
	}
	return e.src, true
}

// trimHashSuffix removes the "-" and 10-character content hash kustomize appends to generated
// names.
func trimHashSuffix(name string) (string, bool) {
	i := len(name) - 11
	if i < 1 || name[i] != '-' {
		return "", false
	}
	for _, c := range name[i+1:] {
		if (c < 'a' || c > 'z') && (c < '0' || c > '9') {
			return "", false
		}
	}
	return name[:i], true
}

// accumulate replays KustTarget.accumulateTarget for the kustomization in realPath (logical is the
// same directory as reached from the app directory, which sources are named after): resources
// and bases, generators, components, then the id-changing transformers over everything
// gathered. ra holds the parent's resources when the kustomization is a component.
func (s *kustReplay) accumulate(realPath, logical string, ra []*kustEntry) ([]*kustEntry, error) {
	if s.active[realPath] {
		return nil, noReplay("%s includes itself", s.b.rel(realPath))
	}
	s.active[realPath] = true
	defer delete(s.active, realPath)
	n := s.nodes[realPath]
	if n == nil || n.k == nil {
		return nil, noReplay("no kustomization read in %s", s.b.rel(realPath))
	}
	k := n.k
	if err := s.check(n); err != nil {
		return nil, err
	}

	for _, ref := range append(slices.Clone(k.Resources), k.Bases...) {
		p, lp, err := s.ref(realPath, logical, ref)
		if err != nil {
			return nil, err
		}
		st, err := os.Stat(p)
		if err != nil {
			return nil, noReplay("resource %s: %v", ref, err)
		}
		if st.IsDir() {
			rp, err := s.b.resolve(p)
			if err != nil {
				return nil, err
			}
			sub, err := s.accumulate(rp, lp, nil)
			if err != nil {
				return nil, err
			}
			ra = append(ra, sub...)
			continue
		}
		entries, err := s.file(p, lp)
		if err != nil {
			return nil, err
		}
		ra = append(ra, entries...)
	}

	gen := manifest.Source{File: s.b.rel(filepath.Join(logical, n.kfile))}
	genKnown := within(s.b.root, filepath.Join(logical, n.kfile))
	var err error
	for _, g := range k.ConfigMapGenerator {
		if ra, err = s.generate(ra, "ConfigMap", g.GeneratorArgs, gen, genKnown); err != nil {
			return nil, err
		}
	}
	for _, g := range k.SecretGenerator {
		if ra, err = s.generate(ra, "Secret", g.GeneratorArgs, gen, genKnown); err != nil {
			return nil, err
		}
	}

	for _, c := range k.Components {
		p, lp, err := s.ref(realPath, logical, c)
		if err != nil {
			return nil, err
		}
		rp, err := s.b.resolve(p)
		if err != nil {
			return nil, err
		}
		if ra, err = s.accumulate(rp, lp, ra); err != nil {
			return nil, err
		}
	}

	// NamespaceTransformer, PrefixTransformer, SuffixTransformer (the other built-in
	// transformers keep ids, as check made sure).
	if k.Namespace != "" {
		for _, e := range ra {
			e.ns = k.Namespace
			// The namespace field specs also name v1 Namespace objects.
			if e.kind == "Namespace" && e.apiVersion == "v1" {
				e.names = append(e.names, k.Namespace)
			}
		}
	}
	if k.NamePrefix != "" {
		for _, e := range ra {
			if !skipsNameAffix(e) {
				e.names = append(e.names, k.NamePrefix+e.name())
			}
		}
	}
	if k.NameSuffix != "" {
		for _, e := range ra {
			if !skipsNameAffix(e) {
				e.names = append(e.names, e.name()+k.NameSuffix)
			}
		}
	}
	return ra, nil
}

// ref returns the path of a resource or component reference, on disk and as reached from the
// app directory.
func (s *kustReplay) ref(realPath, logical, ref string) (string, string, error) {
	if isRemoteRef(ref) || filepath.IsAbs(ref) {
		return "", "", noReplay("reference %q", ref)
	}
	return filepath.Join(realPath, filepath.FromSlash(ref)), filepath.Join(logical, filepath.FromSlash(ref)), nil
}

// skipsNameAffix reports the kinds kustomize's prefix and suffix transformers leave alone.
func skipsNameAffix(e *kustEntry) bool {
	switch e.kind {
	case "CustomResourceDefinition", "Namespace":
		return true
	case "APIService":
		return e.group == "apiregistration.k8s.io"
	}
	return false
}

// file returns the resources of a resource file, decoded as the stream decoder does.
func (s *kustReplay) file(p, logical string) ([]*kustEntry, error) {
	realPath, err := s.b.resolve(p)
	if err != nil {
		return nil, err
	}
	objs, ok := s.files[realPath]
	if !ok {
		data, err := s.peek(realPath)
		if err != nil {
			return nil, err
		}
		if objs, err = decodeStream(data, s.b.rel(realPath), true, s.b.maxFile); err != nil {
			return nil, noReplay("decode %s: %v", s.b.rel(realPath), err)
		}
		s.files[realPath] = objs
	}
	if s.count += len(objs); s.count > maxReplayEntries {
		return nil, noReplay("more than %d resources", maxReplayEntries)
	}
	file, known := s.b.rel(logical), within(s.b.root, logical)
	out := make([]*kustEntry, len(objs))
	for i, o := range objs {
		if o.Name() == "" {
			return nil, noReplay("%s document %d has no name", file, o.Source.Doc)
		}
		out[i] = &kustEntry{
			apiVersion: o.APIVersion(),
			kind:       o.Kind(),
			group:      apiGroup(o.APIVersion()),
			names:      []string{o.Name()},
			ns:         o.Namespace(),
			orgNS:      o.Namespace(),
			src:        manifest.Source{File: file, Line: o.Source.Line, Doc: o.Source.Doc},
			known:      known,
		}
	}
	return out, nil
}

func apiGroup(apiVersion string) string {
	if g, _, ok := strings.Cut(apiVersion, "/"); ok {
		return g
	}
	return ""
}

// generate replays a ConfigMap or Secret generator: a new resource configured in the
// kustomization, or a merge into (kept source) or a replacement of (the generator's source) the
// one resource of that kind that has or had the name.
func (s *kustReplay) generate(ra []*kustEntry, kind string, g types.GeneratorArgs, src manifest.Source, known bool) ([]*kustEntry, error) {
	switch g.Behavior {
	case "", "create":
		if s.count++; s.count > maxReplayEntries {
			return nil, noReplay("more than %d resources", maxReplayEntries)
		}
		return append(ra, &kustEntry{apiVersion: "v1", kind: kind, names: []string{g.Name}, ns: g.Namespace, orgNS: g.Namespace, src: src, known: known, hashed: true}), nil
	case "merge", "replace":
		var target *kustEntry
		for _, e := range ra {
			if e.kind == kind && e.group == "" && slices.Contains(e.names, g.Name) &&
				(g.Namespace == "" || g.Namespace == e.ns || g.Namespace == e.orgNS) {
				if target != nil {
					return nil, noReplay("%s generator %s (%s) matches several resources", kind, g.Name, g.Behavior)
				}
				target = e
			}
		}
		if target == nil {
			return nil, noReplay("%s generator %s (%s) matches no resource", kind, g.Name, g.Behavior)
		}
		target.hashed = true
		if g.Behavior == "replace" {
			target.src, target.known = src, known
		}
		return ra, nil
	}
	return nil, noReplay("%s generator %s: behavior %q", kind, g.Name, g.Behavior)
}

// check refuses the kustomization features that can change ids in ways the replay does not
// model.
func (s *kustReplay) check(n *kustNode) error {
	k := n.k
	switch {
	case len(k.Generators) > 0:
		return noReplay("generators")
	case len(k.Transformers) > 0:
		return noReplay("transformers")
	case len(k.HelmCharts) > 0 || len(k.HelmChartInflationGenerator) > 0:
		return noReplay("helm charts")
	case len(k.OpenAPI) > 0:
		return noReplay("a custom OpenAPI schema")
	}
	for _, p := range append(slices.Clone(k.Patches), k.PatchesJson6902...) {
		if err := s.checkPatch(n, p); err != nil {
			return err
		}
	}
	for _, r := range k.Replacements {
		if r.Path != "" {
			return noReplay("replacements from %s", r.Path)
		}
		for _, t := range r.Targets {
			if t == nil || len(t.FieldPaths) == 0 {
				return noReplay("replacement writing metadata.name")
			}
			for _, fp := range t.FieldPaths {
				if fieldPathTouchesID(fp) {
					return noReplay("replacement writing %s", fp)
				}
			}
		}
	}
	for _, c := range k.Configurations {
		var cfg map[string]any
		data, err := s.peek(filepath.Join(n.realPath, filepath.FromSlash(c)))
		if err != nil {
			return err
		}
		if err := yaml.Unmarshal(data, &cfg); err != nil {
			return noReplay("configuration %s: %v", c, err)
		}
		if _, ok := cfg["namePrefix"]; ok {
			return noReplay("configuration %s sets namePrefix field specs", c)
		}
		if _, ok := cfg["nameSuffix"]; ok {
			return noReplay("configuration %s sets nameSuffix field specs", c)
		}
		specs, _ := cfg["namespace"].([]any)
		for _, fs := range specs {
			if m, _ := fs.(map[string]any); m["path"] == "metadata/name" {
				return noReplay("configuration %s sets a namespace field spec on names", c)
			}
		}
	}
	return nil
}

// checkPatch refuses patches that may rename a resource or change its kind: strategic merge
// patches allowed to, and JSON 6902 patches writing them.
func (s *kustReplay) checkPatch(n *kustNode, p types.Patch) error {
	if p.Options != nil && (p.Options.AllowNameChange || p.Options.AllowKindChange) {
		return noReplay("patch allowed to change names or kinds")
	}
	data := []byte(p.Patch)
	if p.Path != "" {
		var err error
		if data, err = s.peek(filepath.Join(n.realPath, filepath.FromSlash(p.Path))); err != nil {
			return err
		}
	}
	var v any
	if err := yaml.Unmarshal(data, &v); err != nil || v == nil {
		return noReplay("patch %s is neither a strategic merge nor a JSON patch", p.Path)
	}
	ops, ok := v.([]any)
	if !ok {
		return nil // strategic merge: kustomize restores the name, namespace and kind
	}
	for _, op := range ops {
		m, _ := op.(map[string]any)
		path, ok := m["path"].(string)
		if !ok || jsonPointerTouchesID(path) {
			return noReplay("JSON patch writing %q", path)
		}
		if from, _ := m["from"].(string); m["op"] == "move" && jsonPointerTouchesID(from) {
			return noReplay("JSON patch moving %q", from)
		}
	}
	return nil
}

// jsonPointerTouchesID reports whether a JSON patch path writes the kind, group, name or
// namespace.
func jsonPointerTouchesID(p string) bool {
	switch p {
	case "", "/", "/kind", "/apiVersion", "/metadata":
		return true
	}
	return strings.HasPrefix(p, "/metadata/name")
}

// fieldPathTouchesID is jsonPointerTouchesID for a replacement's dotted field path.
func fieldPathTouchesID(fp string) bool {
	seg := strings.Split(fp, ".")
	for i := range seg {
		seg[i] = strings.Trim(seg[i], "[]")
	}
	switch seg[0] {
	case "kind", "apiVersion":
		return true
	case "metadata":
		return len(seg) == 1 || strings.HasPrefix(seg[1], "name")
	}
	return false
}

// peek reads a file inside the root under the per-file limit without charging it to the total
// (kustomize reads and charges it when it builds); the replay stops past the total limit.
func (s *kustReplay) peek(p string) ([]byte, error) {
	data, err := s.b.peekFile(p)
	if err != nil {
		return nil, noReplay("%v", err)
	}
	if s.read += int64(len(data)); s.read > s.b.maxTotal {
		return nil, noReplay("input is larger than the %d-byte total limit", s.b.maxTotal)
	}
	return data, nil
}
