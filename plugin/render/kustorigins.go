package render

import (
	"fmt"
	"path/filepath"
	"strings"

	"github.com/wavecheck/wavecheck/internal/manifest"
	"sigs.k8s.io/kustomize/api/resource"
	"sigs.k8s.io/kustomize/api/types"
	"sigs.k8s.io/yaml"
)

// originAnnotation is where kustomize records the file a resource came from when the
// kustomization asks for it with buildMetadata: [originAnnotations].
const originAnnotation = "config.kubernetes.io/origin"

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
	realPath, err := filepath.EvalSymlinks(abs)
	if err != nil {
		return src, true
	}
	objs, ok := m.docs[realPath]
	if !ok {
		if data, read := m.fsys.read(realPath); read {
			objs, _ = decodeStream(data, src.File, true, m.b.maxFile)
		}
		m.docs[realPath] = objs
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
