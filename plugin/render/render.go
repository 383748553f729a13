// Package render turns an application directory into the list of Kubernetes objects Argo CD's
// repo-server would generate for it: a plain directory of manifests, a Kustomize app or a Helm
// chart, all rendered in-process.
package render

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/wavecheck/wavecheck/internal/argocd"
	"github.com/wavecheck/wavecheck/internal/manifest"
)

// SourceType is how an application is rendered, named as in Argo CD.
type SourceType string

// Source types, detected as Argo CD's repo-server does.
const (
	Directory SourceType = "Directory"
	Kustomize SourceType = "Kustomize"
	Helm      SourceType = "Helm"
)

// ParseSourceType accepts a source type name in any case ("helm", "Kustomize", "directory").
func ParseSourceType(s string) (SourceType, error) {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "":
		return "", nil
	case "directory", "dir", "plain":
		return Directory, nil
	case "kustomize":
		return Kustomize, nil
	case "helm":
		return Helm, nil
	}
	return "", fmt.Errorf("parse source type: unknown source type %q (want directory, kustomize or helm)", s)
}

// Default input limits.
const (
	DefaultMaxFileBytes  = 8 << 20
	DefaultMaxTotalBytes = 64 << 20
)

// Options control rendering. The zero value is a safe default: detect the source type, bound
// reads by the repository root, refuse remote resources, no network.
type Options struct {
	// SourceType forces the source type; empty means detect.
	SourceType SourceType
	// RepoRoot bounds every file read. Empty means the nearest parent of the app directory
	// holding .git, else the app directory itself.
	RepoRoot string
	// AppName is the application name, used as the Helm release name when ReleaseName is empty.
	AppName string

	// Directory sources.
	Recurse bool
	Include []string
	Exclude []string
	// NoExtensionFilter is Argo CD's directory.disableExtensionFilter: every file the include
	// and exclude globs select is read as a manifest, whatever its extension.
	NoExtensionFilter bool

	// Kustomize sources.
	AllowRemote bool
	// EnableHelm inflates helmCharts (kustomize build --enable-helm, Argo CD's
	// kustomize.buildOptions); HelmCommand is the helm kustomize runs, default wavecheck's own
	// executable serving as helm (HelmShim).
	EnableHelm  bool
	HelmCommand string
	// Edits are Argo CD's spec.source.kustomize settings, applied to a copy of the app's
	// kustomization file before the build (never written to the repository).
	Edits KustomizeEdits

	// Helm sources.
	ReleaseName string
	Namespace   string
	ValueFiles  []string
	// Values is an inline values document (Argo CD's helm.values), merged after the values
	// files and before Set, as Argo CD passes them to helm.
	Values string
	Set    []string
	// SetString and SetFile are --set-string and --set-file (key=path) values, merged after Set
	// as helm does (Argo CD's helm.parameters with forceString and helm.fileParameters).
	SetString   []string
	SetFile     []string
	KubeVersion string
	APIVersions []string
	// SkipCRDs leaves out the chart's crds/ (Argo CD's helm.skipCrds: no --include-crds),
	// SkipTests its test hooks, SkipSchemaValidation the values schema check.
	SkipCRDs             bool
	SkipTests            bool
	SkipSchemaValidation bool
	// ValueRoots are directories besides RepoRoot that values files and --set-file files may
	// be read from: the checkouts of the sources a multi-source Application refers to with
	// $ref/... paths. Reads stay confined to the root holding the file.
	ValueRoots []string
	// Dependencies say how missing chart dependencies are built; the zero value refuses the
	// network.
	Dependencies Dependencies

	// Limits; zero means the defaults (here and in budget.go).
	MaxFileBytes  int64
	MaxTotalBytes int64
	// Timeout is the render deadline (see Render).
	Timeout time.Duration
	// MaxObjects bounds the objects rendered; MaxRenderedBytes the YAML produced.
	MaxObjects       int
	MaxRenderedBytes int64
	// MaxMemoryBytes bounds the process heap while rendering.
	MaxMemoryBytes int64
}

func (o Options) maxFile() int64  { return orDefault(o.MaxFileBytes, DefaultMaxFileBytes) }
func (o Options) maxTotal() int64 { return orDefault(o.MaxTotalBytes, DefaultMaxTotalBytes) }

// Result is a rendered application.
type Result struct {
	Type SourceType
	// Dir is the absolute application directory; RepoRoot the absolute bounding root.
	Dir      string
	RepoRoot string
	Objects  []manifest.Object
}

// Error is a rendering failure caused by the input (bad YAML, escaping path, missing chart
// dependency...). The CLI maps it to exit code 2.
type Error struct {
	// File is the offending file relative to the repository root, when known.
	File string
	Line int
	Err  error
}

func (e *Error) Error() string {
	switch {
	case e.File != "" && e.Line > 0:
		return fmt.Sprintf("%s:%d: %v", e.File, e.Line, e.Err)
	case e.File != "":
		return fmt.Sprintf("%s: %v", e.File, e.Err)
	}
	return e.Err.Error()
}

func (e *Error) Unwrap() error { return e.Err }

// renderApp renders the application in dir, recording its progress in st.
func renderApp(ctx context.Context, dir string, opts Options, st *step) (*Result, error) {
	absDir, err := filepath.Abs(dir)
	if err != nil {
		return nil, fmt.Errorf("render app: %w", err)
	}
	fi, err := os.Stat(absDir)
	if err != nil {
		return nil, fmt.Errorf("render app: %w", err)
	}
	if !fi.IsDir() {
		return nil, fmt.Errorf("render app: %s is not a directory", dir)
	}
	root, err := findRepoRoot(absDir, opts.RepoRoot)
	if err != nil {
		return nil, err
	}
	typ := opts.SourceType
	if typ == "" {
		typ = Detect(absDir)
	}
	b := &bounds{root: root, maxFile: opts.maxFile(), maxTotal: opts.maxTotal(), maxRendered: opts.maxRendered(), step: st}
	st.set("the check of the app directory's symlinks")
	if err := b.checkSymlinks(absDir); err != nil {
		return nil, err
	}
	res := &Result{Type: typ, Dir: absDir, RepoRoot: root}
	switch typ {
	case Directory:
		res.Objects, err = renderDirectory(ctx, b, absDir, opts)
	case Kustomize:
		res.Objects, err = renderKustomize(ctx, b, absDir, opts)
	case Helm:
		res.Objects, err = renderHelm(ctx, b, absDir, opts)
	default:
		err = fmt.Errorf("render app: unknown source type %q", typ)
	}
	if err != nil {
		return nil, err
	}
	if n := len(res.Objects); n > opts.maxObjects() {
		return nil, &Error{File: b.rel(absDir), Err: limitErr("the app renders %d objects, more than the %d-object limit", LimitObjects, n, opts.maxObjects())}
	}
	return res, nil
}

// Detect chooses the source type as Argo CD's repo-server does without a plugin
// (internal/argocd.SourceType, after util/app/discovery.AppType): from the directory's own
// entries in lexical order, the last of a file named *Chart.yaml (Helm) or a kustomization
// file (Kustomize) wins, so Chart.yaml with kustomization.yaml is Kustomize; else Directory.
// An unreadable directory is a Directory (rendering it reports the error).
func Detect(dir string) SourceType {
	ents, err := os.ReadDir(dir)
	if err != nil {
		return Directory
	}
	list := make([]argocd.DirEntry, len(ents))
	for i, e := range ents {
		// os.ReadDir, like filepath.Walk's os.Lstat, reports a symbolic link as a non-directory.
		list[i] = argocd.DirEntry{Name: e.Name(), Dir: e.IsDir()}
	}
	return SourceType(argocd.SourceType(list))
}

func fileExists(p string) bool {
	st, err := os.Stat(p) //nolint:gosec // an existence check of a path under the app directory
	return err == nil && !st.IsDir()
}

// RepoRoot returns the absolute, symlink-free repository root that contains dir: explicit
// (--repo-root) when set, else the nearest parent of dir holding .git, else dir itself. It is
// the root every file read of a render is bounded by.
func RepoRoot(dir, explicit string) (string, error) { return findRepoRoot(dir, explicit) }

// findRepoRoot returns the absolute, symlink-free repository root that contains dir.
func findRepoRoot(dir, explicit string) (string, error) {
	realDir, err := filepath.EvalSymlinks(dir)
	if err != nil {
		return "", fmt.Errorf("resolve app dir: %w", err)
	}
	if explicit != "" {
		abs, err := filepath.Abs(explicit)
		if err != nil {
			return "", fmt.Errorf("resolve repo root: %w", err)
		}
		root, err := filepath.EvalSymlinks(abs)
		if err != nil {
			return "", fmt.Errorf("resolve repo root: %w", err)
		}
		if !within(root, realDir) {
			return "", fmt.Errorf("resolve repo root: app dir %s is outside repo root %s", dir, explicit)
		}
		return root, nil
	}
	for d := realDir; ; {
		if _, err := os.Stat(filepath.Join(d, ".git")); err == nil {
			return d, nil
		}
		parent := filepath.Dir(d)
		if parent == d {
			return realDir, nil
		}
		d = parent
	}
}

// Within reports whether p is root or below it (absolute paths, cleaned here).
func Within(root, p string) bool { return within(filepath.Clean(root), filepath.Clean(p)) }

// within reports whether p is root or below it. Both must be clean absolute paths.
func within(root, p string) bool {
	if p == root {
		return true
	}
	rel, err := filepath.Rel(root, p)
	return err == nil && rel != ".." && !strings.HasPrefix(rel, ".."+string(filepath.Separator)) && !filepath.IsAbs(rel)
}

// ErrOutsideRoot marks a path that resolves outside the repository root.
var ErrOutsideRoot = errors.New("path escapes the repository root")
