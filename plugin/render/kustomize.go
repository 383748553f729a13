package render

// The Kustomize renderer is split by concern:
//   - kustomize.go: the build driver (walk, build, map sources, decode the output);
//   - kustwalk.go: the walk of the kustomization graph that refuses remote references;
//   - kustfs.go: the file system confined to the repository root and the size limits;
//   - kustsources.go: sources replayed from resource ids (local builds);
//   - kustorigins.go: sources from kustomize's origin annotations (the fallback);
//   - kustschema.go: kustomize's process-wide OpenAPI schema state.

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strings"

	"github.com/wavecheck/wavecheck/internal/manifest"
	"sigs.k8s.io/kustomize/api/konfig"
	"sigs.k8s.io/kustomize/api/krusty"
	"sigs.k8s.io/kustomize/api/types"
	"sigs.k8s.io/kustomize/kyaml/filesys"
)

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
	if !opts.Edits.IsZero() {
		b.step.set("the Application's kustomize edits of %s", relKFile)
		data, err := editKustomization(b, dir, kfile, opts.Edits)
		if err != nil {
			return nil, err
		}
		realPath, err := b.resolve(kfile)
		if err != nil {
			return nil, err
		}
		b.overrides = map[string][]byte{realPath: data}
	}

	fsys := &boundedFS{b: b, disk: filesys.MakeFsOnDisk()}
	// Sources come from replaying the build on resource ids (kustsources.go) when it is local
	// and the kustomization did not ask for origin annotations itself; otherwise kustomize
	// tracks origins (kustorigins.go), which slows it down.
	var sources *kustSources
	if opts.AllowRemote {
		tmp, err := filepath.EvalSymlinks(os.TempDir())
		if err == nil {
			fsys.clones = tmp
		}
	} else {
		b.step.set("the walk of the kustomizations from %s", relKFile)
		w := &kustWalker{b: b, nodes: map[string]*kustNode{}}
		if err := w.walk(dir); err != nil {
			return nil, err
		}
		if replay {
			var err error
			b.step.set("the replay of the kustomization sources from %s", relKFile)
			if sources, err = w.replay(dir); err != nil {
				slog.DebugContext(ctx, "kustomize sources from origin annotations", "app", b.rel(dir), "reason", err)
			}
		}
	}
	if sources == nil {
		// Ask kustomize to track where every resource comes from (removed again below unless
		// the kustomization itself asked for it), so objects can point to their resource file.
		if realPath, err := filepath.EvalSymlinks(kfile); err == nil {
			fsys.originFor = realPath
		}
	}

	kopts := krusty.MakeDefaultOptions()
	// MakeDefaultOptions keeps input order, but `kustomize build` (what Argo CD runs) applies
	// the legacy kind order unless the kustomization sets sortOptions: do the same.
	kopts.Reorder = krusty.ReorderOptionUnspecified
	if opts.EnableHelm {
		exe, restore, err := helmCommand(opts, b.root)
		if err != nil {
			return nil, &Error{File: relKFile, Err: err}
		}
		defer restore()
		kopts.PluginConfig.HelmConfig = types.HelmConfig{Enabled: true, Command: exe}
	}
	k := krusty.MakeKustomizer(kopts)
	b.step.set("kustomize build of %s", relKFile)
	m, err := runKustomizer(k, fsys, dir)
	if denied := fsys.deniedErr(); denied != nil {
		return nil, denied
	}
	if err != nil {
		var re *Error
		if errors.As(err, &re) {
			return nil, re
		}
		if strings.Contains(err.Error(), "must specify --enable-helm") {
			return nil, &Error{File: relKFile, Err: errors.New("build kustomization: helmCharts need --enable-helm (Argo CD: kustomize.buildOptions --enable-helm; plugin: WAVECHECK_KUSTOMIZE_ENABLE_HELM=true)")}
		}
		return nil, &Error{File: relKFile, Err: fmt.Errorf("build kustomization: %w", oneLineError{err})}
	}

	var org *origins
	if sources == nil {
		org = &origins{b: b, dir: dir, fsys: fsys, docs: map[string][]manifest.Object{}}
	}
	res := m.Resources()
	if len(res) > opts.maxObjects() {
		return nil, &Error{File: relKFile, Err: limitErr("the kustomization builds %d resources, more than the %d-object limit", LimitObjects, len(res), opts.maxObjects())}
	}
	b.step.set("the decoding of the output of %s", relKFile)
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
		if err := b.chargeRendered(int64(len(data))); err != nil {
			return nil, &Error{File: relKFile, Err: err}
		}
		return decodeStream(data, relKFile, false, b.maxFile)
	}, func(i int) manifest.Source { return srcs[i] })
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

// isKustomizationFile reports whether p is named as a kustomization file.
func isKustomizationFile(p string) bool {
	base := filepath.Base(p)
	for _, n := range konfig.RecognizedKustomizationFileNames() {
		if base == n {
			return true
		}
	}
	return false
}

// oneLineError folds a multi-line error (kustomize quotes plugin configs and helm output) onto
// one line, keeping the chain for errors.Is and errors.As.
type oneLineError struct{ err error }

func (e oneLineError) Error() string { return strings.Join(strings.Fields(e.err.Error()), " ") }
func (e oneLineError) Unwrap() error { return e.err }
