package render

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"sync"

	"github.com/wavecheck/wavecheck/internal/manifest"
	"sigs.k8s.io/kustomize/api/konfig"
	"sigs.k8s.io/kustomize/api/krusty"
	"sigs.k8s.io/kustomize/api/resmap"
	"sigs.k8s.io/kustomize/api/resource"
	"sigs.k8s.io/kustomize/api/types"
	"sigs.k8s.io/kustomize/kyaml/filesys"
	"sigs.k8s.io/kustomize/kyaml/openapi"
	"sigs.k8s.io/yaml"
)

// originAnnotation is where kustomize records the file a resource came from when the
// kustomization asks for it with buildMetadata: [originAnnotations].
const originAnnotation = "config.kubernetes.io/origin"

// renderKustomize builds a Kustomize app in-process with krusty, as `kustomize build` (and Argo
// CD's repo-server) does, with every file read confined to the repository root and remote
// resources refused unless opts.AllowRemote.
func renderKustomize(ctx context.Context, b *bounds, dir string, opts Options) ([]manifest.Object, error) {
	return buildKustomize(ctx, b, dir, opts, true)
}

// buildKustomize is renderKustomize; with replay false, sources always come from origin
// annotations (the tests compare both ways).
func buildKustomize(ctx context.Context, b *bounds, dir string, opts Options, replay bool) ([]manifest.Object, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	kfile, ok := findKustomizationFile(dir)
	if !ok {
		return nil, &Error{File: b.rel(dir), Err: errors.New("render kustomization: no kustomization.yaml, kustomization.yml or Kustomization file")}
	}
	relKFile := b.rel(kfile)

	fsys := &boundedFS{b: b, disk: filesys.MakeFsOnDisk()}
	// Sources come from replaying the build on resource ids (kustsources.go) when it is local
	// and the kustomization did not ask for origin annotations itself; otherwise kustomize
	// tracks origins (origins below), which slows it down.
	var sources *kustSources
	if opts.AllowRemote {
		tmp, err := filepath.EvalSymlinks(os.TempDir())
		if err == nil {
			fsys.clones = tmp
		}
	} else {
		w := &kustWalker{b: b, nodes: map[string]*kustNode{}}
		if err := w.walk(dir); err != nil {
			return nil, err
		}
		if replay {
			var err error
			if sources, err = w.replay(dir); err != nil {
				slog.DebugContext(ctx, "kustomize sources from origin annotations", "app", b.rel(dir), "reason", err)
			}
		}
	}
	if sources == nil {
		// Ask kustomize to track where every resource comes from (removed again below unless
		// the kustomization itself asked for it), so objects can point to their resource file.
		if real, err := filepath.EvalSymlinks(kfile); err == nil {
			fsys.originFor = real
		}
	}

	kopts := krusty.MakeDefaultOptions()
	// MakeDefaultOptions keeps input order, but `kustomize build` (what Argo CD runs) applies
	// the legacy kind order unless the kustomization sets sortOptions: do the same.
	kopts.Reorder = krusty.ReorderOptionUnspecified
	k := krusty.MakeKustomizer(kopts)
	m, err := runKustomizer(k, fsys, dir)
	if denied := fsys.deniedErr(); denied != nil {
		return nil, denied
	}
	if err != nil {
		var re *Error
		if errors.As(err, &re) {
			return nil, re
		}
		return nil, &Error{File: relKFile, Err: fmt.Errorf("build kustomization: %w", err)}
	}

	var org *origins
	if sources == nil {
		org = &origins{b: b, dir: dir, fsys: fsys, docs: map[string][]manifest.Object{}}
	}
	res := m.Resources()
	srcs := make([]manifest.Source, len(res))
	for i, r := range res {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		// Without origin information the object is attributed to the kustomization file,
		// Doc being its index in the build output.
		srcs[i] = manifest.Source{File: relKFile, Doc: i}
		if sources != nil {
			if s, ok := sources.source(r.GetKind(), r.GetGvk().Group, r.GetName(), r.GetNamespace()); ok {
				srcs[i] = s
			}
			continue
		}
		if s, ok := org.source(r); ok {
			srcs[i] = s
		}
		if !fsys.userOrigin {
			if err := r.SetOrigin(nil); err != nil {
				return nil, &Error{File: relKFile, Err: fmt.Errorf("remove origin annotation: %w", err)}
			}
		}
	}
	// Print each resource as kustomize build does and read it back as Argo CD would, on
	// every core (the resources are independent).
	return decodeAll(len(res), func(i int) ([]manifest.Object, error) {
		data, err := res[i].AsYAML()
		if err != nil {
			return nil, &Error{File: relKFile, Err: fmt.Errorf("marshal %s: %w", res[i].CurId(), err)}
		}
		return decodeStream(data, relKFile, false)
	}, func(i int) manifest.Source { return srcs[i] })
}

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

// findKustomizationFile returns the kustomization file in dir, in kustomize's order of
// preference.
func findKustomizationFile(dir string) (string, bool) {
	for _, n := range konfig.RecognizedKustomizationFileNames() {
		p := filepath.Join(dir, n)
		if fileExists(p) {
			return p, true
		}
	}
	return "", false
}

// origins maps kustomize's origin annotations back to source files: the file relative to the
// repository root (or the remote repository URL and path) and, for local resource files, the
// document and line the object came from, found among the documents of the file kustomize
// read (same kind, original name contained in the rendered one, longest match first).
type origins struct {
	b    *bounds
	dir  string
	fsys *boundedFS
	docs map[string][]manifest.Object // parsed resource files by real path
}

func (m *origins) source(r *resource.Resource) (manifest.Source, bool) {
	o, err := r.GetOrigin()
	if err != nil || o == nil {
		return manifest.Source{}, false
	}
	p := o.Path
	generated := p == ""
	if generated {
		p = o.ConfiguredIn
	}
	if p == "" {
		return manifest.Source{}, false
	}
	if o.Repo != "" {
		ref := ""
		if o.Ref != "" {
			ref = "?ref=" + o.Ref
		}
		return manifest.Source{File: o.Repo + "//" + filepath.ToSlash(p) + ref}, true
	}
	abs := filepath.Join(m.dir, filepath.FromSlash(p))
	if !within(m.b.root, abs) {
		return manifest.Source{}, false
	}
	src := manifest.Source{File: m.b.rel(abs)}
	if generated {
		return src, true
	}
	real, err := filepath.EvalSymlinks(abs)
	if err != nil {
		return src, true
	}
	objs, ok := m.docs[real]
	if !ok {
		if data, read := m.fsys.read(real); read {
			objs, _ = decodeStream(data, src.File, true)
		}
		m.docs[real] = objs
	}
	best := -1
	for i, d := range objs {
		if d.Kind() == r.GetKind() && strings.Contains(r.GetName(), d.Name()) &&
			(best < 0 || len(d.Name()) > len(objs[best].Name())) {
			best = i
		}
	}
	if best >= 0 {
		src.Line, src.Doc = objs[best].Source.Line, objs[best].Source.Doc
	}
	return src, true
}

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
	real  string
	kfile string               // base name of its kustomization file; empty when none
	k     *types.Kustomization // nil when none or unparsable
}

// replay replays the build of the kustomization in dir, walked before, to find sources
// without origin annotations. It fails when the top kustomization asks for origin
// annotations itself (kustomize then keeps them in the output) or the replay cannot follow
// the build.
func (w *kustWalker) replay(dir string) (*kustSources, error) {
	real, err := w.b.resolve(dir)
	if err != nil {
		return nil, err
	}
	if n := w.nodes[real]; n != nil && n.k != nil && slices.Contains(n.k.BuildMetadata, types.OriginAnnotations) {
		return nil, errors.New("the kustomization asks for origin annotations")
	}
	return replayKustomize(w.b, w.nodes, real, dir)
}

func (w *kustWalker) walk(dir string) error {
	real, err := w.b.resolve(dir)
	if err != nil {
		return err
	}
	if w.nodes[real] != nil {
		return nil
	}
	node := &kustNode{real: real}
	w.nodes[real] = node
	kfile, ok := findKustomizationFile(real)
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
			p := filepath.Join(real, filepath.FromSlash(ref))
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

// boundedFS is kustomize's on-disk file system confined to the repository root: any path
// resolving (after symlinks) outside the root is refused, reads are charged against the size
// limits, and nothing is written. With remote resources allowed, kustomize's own clone
// directories (under the system temp dir) are readable and removable too.
type boundedFS struct {
	b    *bounds
	disk filesys.FileSystem
	// clones is the real temp dir when remote resources are allowed; empty otherwise.
	clones string
	// originFor is the top kustomization file: when read, buildMetadata originAnnotations is
	// added so resources can be mapped back to their files.
	originFor string

	mu sync.Mutex
	// denied is the first refused access (outside the root, over a limit): the build fails
	// with it whatever kustomize made of the refusal.
	denied     error
	userOrigin bool
	files      map[string][]byte // local files read, by real path
	openAPI    bool              // a kustomization read sets the openapi field
}

func (f *boundedFS) sawOpenAPI() bool {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.openAPI
}

func isKustomizationFile(p string) bool {
	base := filepath.Base(p)
	for _, n := range konfig.RecognizedKustomizationFileNames() {
		if base == n {
			return true
		}
	}
	return false
}

// read returns a local file kustomize read during the build.
func (f *boundedFS) read(real string) ([]byte, bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	data, ok := f.files[real]
	return data, ok
}

func (f *boundedFS) deniedErr() error {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.denied
}

func (f *boundedFS) deny(err error) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.denied == nil {
		f.denied = err
	}
	return err
}

// inClone reports whether real lies in a kustomize clone directory.
func (f *boundedFS) inClone(real string) bool {
	if f.clones == "" {
		return false
	}
	rel, err := filepath.Rel(f.clones, real)
	if err != nil || rel == "." || strings.HasPrefix(rel, "..") || filepath.IsAbs(rel) {
		return false
	}
	return strings.HasPrefix(rel, "kustomize-")
}

// check resolves p and refuses it when it exists outside the root (and outside clones). A
// path that does not exist is returned as is: the caller's own operation reports it.
func (f *boundedFS) check(p string) (string, bool, error) {
	abs, err := filepath.Abs(p)
	if err != nil {
		return "", false, err
	}
	real, err := filepath.EvalSymlinks(abs)
	if err != nil {
		return abs, false, nil
	}
	if within(f.b.root, real) {
		return real, false, nil
	}
	if f.inClone(real) {
		return real, true, nil
	}
	return "", false, f.deny(&Error{File: f.b.rel(abs), Err: fmt.Errorf("%w: resolves to %s, outside %s", ErrOutsideRoot, real, f.b.root)})
}

var errReadOnly = errors.New("the kustomize file system is read-only")

func (f *boundedFS) writable(p string) error {
	real, clone, err := f.check(p)
	if err != nil {
		return err
	}
	if clone {
		return nil
	}
	if f.clones != "" {
		// A clone directory that does not exist yet.
		if parent, err := filepath.EvalSymlinks(filepath.Dir(real)); err == nil && f.inClone(filepath.Join(parent, filepath.Base(real))) {
			return nil
		}
	}
	return fmt.Errorf("write %s: %w", f.b.rel(real), errReadOnly)
}

func (f *boundedFS) Create(p string) (filesys.File, error) {
	if err := f.writable(p); err != nil {
		return nil, err
	}
	return f.disk.Create(p)
}

func (f *boundedFS) Mkdir(p string) error {
	if err := f.writable(p); err != nil {
		return err
	}
	return f.disk.Mkdir(p)
}

func (f *boundedFS) MkdirAll(p string) error {
	if err := f.writable(p); err != nil {
		return err
	}
	return f.disk.MkdirAll(p)
}

func (f *boundedFS) RemoveAll(p string) error {
	if err := f.writable(p); err != nil {
		return err
	}
	return f.disk.RemoveAll(p)
}

func (f *boundedFS) WriteFile(p string, data []byte) error {
	if err := f.writable(p); err != nil {
		return err
	}
	return f.disk.WriteFile(p, data)
}

func (f *boundedFS) Open(p string) (filesys.File, error) {
	real, _, err := f.check(p)
	if err != nil {
		return nil, err
	}
	st, err := os.Stat(real)
	if err != nil {
		return nil, err
	}
	if !st.IsDir() {
		if st.Size() > f.b.maxFile {
			return nil, f.deny(&Error{File: f.b.rel(real), Err: fmt.Errorf("file is larger than the %d-byte limit", f.b.maxFile)})
		}
		if err := f.b.charge(st.Size()); err != nil {
			return nil, f.deny(&Error{File: f.b.rel(real), Err: err})
		}
	}
	return f.disk.Open(real)
}

func (f *boundedFS) ReadFile(p string) ([]byte, error) {
	real, clone, err := f.check(p)
	if err != nil {
		return nil, err
	}
	var data []byte
	if clone {
		data, err = f.readClone(real)
	} else {
		data, err = f.b.readFile(real)
	}
	if err != nil {
		if !errors.Is(err, fs.ErrNotExist) {
			// Over a size limit or unreadable: kustomize would bury this under its own
			// "accumulation" messages (or try the path as a directory), so report it as is.
			return nil, f.deny(err)
		}
		return nil, err
	}
	if !clone {
		f.mu.Lock()
		if f.files == nil {
			f.files = map[string][]byte{}
		}
		f.files[real] = data
		f.mu.Unlock()
	}
	if isKustomizationFile(real) {
		var k types.Kustomization
		if k.Unmarshal(data) == nil && len(k.OpenAPI) > 0 {
			f.mu.Lock()
			f.openAPI = true
			f.mu.Unlock()
		}
	}
	if f.originFor != "" && real == f.originFor {
		data, err = f.withOriginTracking(data)
		if err != nil {
			return nil, &Error{File: f.b.rel(real), Err: err}
		}
	}
	return data, nil
}

// readClone reads a file of a remote clone under the same size limits.
func (f *boundedFS) readClone(real string) ([]byte, error) {
	fh, err := os.Open(real)
	if err != nil {
		return nil, err
	}
	defer fh.Close()
	data, err := io.ReadAll(io.LimitReader(fh, f.b.maxFile+1))
	if err != nil {
		return nil, err
	}
	if int64(len(data)) > f.b.maxFile {
		return nil, fmt.Errorf("read %s: file is larger than the %d-byte limit", real, f.b.maxFile)
	}
	if err := f.b.charge(int64(len(data))); err != nil {
		return nil, fmt.Errorf("read %s: %w", real, err)
	}
	return data, nil
}

// withOriginTracking adds originAnnotations to the top kustomization's buildMetadata. It
// records whether the user asked for it already (then the annotations stay in the output).
func (f *boundedFS) withOriginTracking(data []byte) ([]byte, error) {
	var k types.Kustomization
	if err := k.Unmarshal(data); err != nil {
		return data, nil // krusty reports it
	}
	for _, m := range k.BuildMetadata {
		if m == types.OriginAnnotations {
			f.mu.Lock()
			f.userOrigin = true
			f.mu.Unlock()
			return data, nil
		}
	}
	var doc map[string]any
	if err := yaml.Unmarshal(data, &doc); err != nil || doc == nil {
		return data, nil
	}
	md, _ := doc["buildMetadata"].([]any)
	doc["buildMetadata"] = append(md, types.OriginAnnotations)
	out, err := yaml.Marshal(doc)
	if err != nil {
		return nil, fmt.Errorf("add origin tracking: %w", err)
	}
	return out, nil
}

func (f *boundedFS) IsDir(p string) bool {
	real, _, err := f.check(p)
	return err == nil && f.disk.IsDir(real)
}

func (f *boundedFS) Exists(p string) bool {
	real, _, err := f.check(p)
	return err == nil && f.disk.Exists(real)
}

func (f *boundedFS) ReadDir(p string) ([]string, error) {
	real, _, err := f.check(p)
	if err != nil {
		return nil, err
	}
	return f.disk.ReadDir(real)
}

func (f *boundedFS) CleanedAbs(p string) (filesys.ConfirmedDir, string, error) {
	if _, _, err := f.check(p); err != nil {
		return "", "", err
	}
	return f.disk.CleanedAbs(p)
}

func (f *boundedFS) Glob(pattern string) ([]string, error) {
	matches, err := f.disk.Glob(pattern)
	if err != nil {
		return nil, err
	}
	for _, m := range matches {
		if _, _, err := f.check(m); err != nil {
			return nil, err
		}
	}
	return matches, nil
}

func (f *boundedFS) Walk(p string, fn filepath.WalkFunc) error {
	if _, _, err := f.check(p); err != nil {
		return err
	}
	return f.disk.Walk(p, fn)
}
