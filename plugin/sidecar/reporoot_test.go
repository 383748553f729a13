package sidecar

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/wavecheck/wavecheck/internal/testfs"
	"github.com/wavecheck/wavecheck/plugin/render"
)

func TestSourceRoot(t *testing.T) {
	root := testfs.Tree(t, map[string]string{"overlays/prod/kustomization.yaml": "resources: []\n"})
	dir := filepath.Join(root, "overlays", "prod")
	// A symlink to the app directory: the working directory the process sees may go through one.
	link := filepath.Join(t.TempDir(), "prod")
	if err := os.Symlink(dir, link); err != nil {
		t.Fatal(err)
	}
	realRoot, err := filepath.EvalSymlinks(root)
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name, dir, sourcePath string
		want                  string // the root; empty when an error is expected
		wantErr               string
	}{
		{name: "app path", dir: dir, sourcePath: "overlays/prod", want: root},
		{name: "leading ./ and trailing slash", dir: dir, sourcePath: "./overlays/prod/", want: root},
		{name: "dot-dot inside the repository", dir: dir, sourcePath: "overlays/x/../prod", want: root},
		{name: "repository root itself", dir: dir, sourcePath: ".", want: dir},
		{name: "through a symlink", dir: link, sourcePath: "overlays/prod", want: realRoot},
		{name: "absolute", dir: dir, sourcePath: "/overlays/prod", wantErr: "is absolute"},
		{name: "leaves the repository", dir: dir, sourcePath: "../prod", wantErr: "leaves the repository"},
		{name: "climbs out through dot-dot", dir: dir, sourcePath: "overlays/../../prod", wantErr: "leaves the repository"},
		{name: "other path", dir: dir, sourcePath: "apps/prod", wantErr: "is not the end of the app directory"},
		{name: "partial component", dir: dir, sourcePath: "lays/prod", wantErr: "is not the end of the app directory"},
		{name: "longer than the directory", dir: dir, sourcePath: strings.Repeat("a/", 64) + "overlays/prod", wantErr: "is not the end of the app directory"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := SourceRoot(tt.dir, tt.sourcePath)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("SourceRoot(%q) = %q, %v; want an error containing %q", tt.sourcePath, got, err, tt.wantErr)
				}
				return
			}
			if err != nil || got != tt.want {
				t.Fatalf("SourceRoot(%q) = %q, %v; want %q", tt.sourcePath, got, err, tt.want)
			}
		})
	}
}

// captureLog sends the default logger (stderr in the CLI) to a buffer for the test.
func captureLog(t *testing.T) *bytes.Buffer {
	t.Helper()
	var buf bytes.Buffer
	prev := slog.Default()
	slog.SetDefault(slog.New(slog.NewTextHandler(&buf, &slog.HandlerOptions{Level: slog.LevelWarn})))
	t.Cleanup(func() { slog.SetDefault(prev) })
	return &buf
}

// resolveSourcePath resolves the sidecar's configuration for the app "shop" with repository
// policies on, ARGOCD_APP_SOURCE_PATH set to sourcePath ("-" leaves it unset) and extra
// variables.
func resolveSourcePath(t *testing.T, sourcePath string, extra ...string) Config {
	t.Helper()
	env := append([]string{"ARGOCD_APP_NAME=shop", "WAVECHECK_REPO_POLICIES=true"}, extra...)
	if sourcePath != "-" {
		env = append(env, "ARGOCD_APP_SOURCE_PATH="+sourcePath)
	}
	cfg, err := Resolve(ParseEnv(env))
	if err != nil {
		t.Fatal(err)
	}
	return cfg
}

// Regression test (issue 11, item 10): the cmp-server unpacks a repository streamed without .git
// (--plugin-tar-exclude) and runs generate and discover in the app directory; an overlay whose
// base lies outside the app directory rendered only when .git marked the repository root.
// ARGOCD_APP_SOURCE_PATH now gives the root.
func TestRepoRootFromSourcePath(t *testing.T) {
	root := testfs.Tree(t, map[string]string{
		".wavecheck/team.rego":             "package main\n",
		"base/kustomization.yaml":          "resources:\n- cm.yaml\n",
		"base/cm.yaml":                     cmYAML,
		"overlays/prod/kustomization.yaml": "resources:\n- ../../base\nnameSuffix: -prod\n",
	})
	for d := root; ; d = filepath.Dir(d) {
		if _, err := os.Stat(filepath.Join(d, ".git")); err == nil {
			t.Skipf("the temp dir lies inside a git checkout (%s): the test needs a tree without .git", d)
		}
		if filepath.Dir(d) == d {
			break
		}
	}
	dir := filepath.Join(root, "overlays", "prod")
	const wantManifests = "apiVersion: v1\ndata:\n  a: \"1\"\nkind: ConfigMap\nmetadata:\n  name: cfg-prod\n"
	tests := []struct {
		name       string
		sourcePath string // ARGOCD_APP_SOURCE_PATH; "-" leaves it unset
		wantOK     bool
		wantLog    string // substring of the warning on stderr; empty: no warning
	}{
		{name: "source path gives the root", sourcePath: "overlays/prod", wantOK: true},
		{name: "unset: bounded by the app directory", sourcePath: "-"},
		{name: "mismatch falls back and says why", sourcePath: "apps/prod", wantLog: `is not the end of the app directory`},
		{name: "escape falls back and says why", sourcePath: "../../prod", wantLog: "leaves the repository"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			logs := captureLog(t)
			cfg := resolveSourcePath(t, tt.sourcePath)
			var l fakeLinter
			out, err := Generate(context.Background(), dir, cfg, l.lint)
			d := Discover(context.Background(), dir, cfg)
			if tt.wantOK {
				if err != nil {
					t.Fatalf("Generate: %v", err)
				}
				if string(out.Manifests) != wantManifests {
					t.Errorf("manifests = %q, want %q", out.Manifests, wantManifests)
				}
				// The repository's policies are found at the derived root too (the pipeline looks
				// for them in the rendered app's RepoRoot).
				if got, want := filepath.Join(l.root, RepoPolicyDir), filepath.Join(root, RepoPolicyDir); got != want {
					t.Errorf("repo policy dir = %q, want %q", got, want)
				}
			} else if !errors.Is(err, render.ErrOutsideRoot) {
				t.Errorf("Generate error = %v, want the base refused as outside the root (%v)", err, render.ErrOutsideRoot)
			}
			// Discover decides from names, like Argo CD's discovery: a kustomization is claimed
			// whatever its render gives, and a render failure surfaces in generate.
			if !d.Match || d.Type != render.Kustomize {
				t.Errorf("Discover = %+v, want a Kustomize match", d)
			}
			got := logs.String()
			switch {
			case tt.wantLog == "" && got != "":
				t.Errorf("unexpected log on stderr:\n%s", got)
			case tt.wantLog != "" && (!strings.Contains(got, tt.wantLog) || !strings.Contains(got, "level=WARN") || !strings.Contains(got, "ARGOCD_APP_SOURCE_PATH")):
				t.Errorf("log = %q, want a warning naming ARGOCD_APP_SOURCE_PATH and %q", got, tt.wantLog)
			}
		})
	}
}

// Regression test: with --plugin-use-manifest-generate-paths the repo-server streams only the
// common root of the Application's manifest-generate-paths, so ARGOCD_APP_SOURCE_PATH is not the
// end of the app directory; wavecheck warned on every generation and bounded reads by the app
// directory, refusing an overlay's base that Argo CD had sent. The stream's root (the folder
// below the cmp-server's work directory) is now the bound.
func TestRepoRootFromStream(t *testing.T) {
	const id = "0b5e7c1a-2f4d-4c8e-9a61-3d2b7f0e9c44" // files.CreateTempDir names it with a UUID
	work := t.TempDir()
	stream := filepath.Join(work, "_cmp_server", id)
	testfs.Write(t, stream, map[string]string{
		".wavecheck/team.rego":             "package main\n",
		"base/kustomization.yaml":          "resources:\n- cm.yaml\n",
		"base/cm.yaml":                     cmYAML,
		"overlays/prod/kustomization.yaml": "resources:\n- ../../base\nnameSuffix: -prod\n",
	})
	dir := filepath.Join(stream, "overlays", "prod")
	const wantManifests = "apiVersion: v1\ndata:\n  a: \"1\"\nkind: ConfigMap\nmetadata:\n  name: cfg-prod\n"
	tests := []struct {
		name       string
		sourcePath string // ARGOCD_APP_SOURCE_PATH; "-" leaves it unset
	}{
		// The whole checkout was streamed: the source path and the stream agree.
		{name: "whole repository", sourcePath: "overlays/prod"},
		// manifest-generate-paths ".;../../base" of apps/shop/overlays/prod: the stream's root
		// is apps/shop.
		{name: "common root of manifest-generate-paths", sourcePath: "apps/shop/overlays/prod"},
		{name: "no source path", sourcePath: "-"},
		// A source path naming the stream's own folder would put the root above the stream.
		{name: "root above the stream is clamped", sourcePath: id + "/overlays/prod"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			logs := captureLog(t)
			cfg := resolveSourcePath(t, tt.sourcePath, "ARGOCD_CMP_WORKDIR="+work)
			var l fakeLinter
			out, err := Generate(context.Background(), dir, cfg, l.lint)
			if err != nil {
				t.Fatalf("Generate: %v", err)
			}
			if string(out.Manifests) != wantManifests {
				t.Errorf("manifests = %q, want %q", out.Manifests, wantManifests)
			}
			if got, want := filepath.Join(l.root, RepoPolicyDir), filepath.Join(stream, RepoPolicyDir); got != want {
				t.Errorf("repo policy dir = %q, want %q", got, want)
			}
			if got := logs.String(); got != "" {
				t.Errorf("unexpected log on stderr:\n%s", got)
			}
		})
	}
}

func TestStreamRoot(t *testing.T) {
	work := filepath.Join(t.TempDir(), "_cmp_server")
	stream := filepath.Join(work, "abc")
	if err := os.MkdirAll(filepath.Join(stream, "apps", "web"), 0o755); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name, dir, work string
		want            string // "" when not in a stream
	}{
		{name: "app below the stream root", dir: filepath.Join(stream, "apps", "web"), work: work, want: stream},
		{name: "app at the stream root", dir: stream, work: work, want: stream},
		{name: "the work directory itself", dir: work, work: work},
		{name: "outside the work directory", dir: t.TempDir(), work: work},
		{name: "prefix without a separator", dir: work + "x", work: work},
		{name: "no work directory", dir: stream, work: ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, ok := StreamRoot(tt.dir, tt.work)
			if got != tt.want || ok != (tt.want != "") {
				t.Errorf("StreamRoot(%q, %q) = %q, %v; want %q", tt.dir, tt.work, got, ok, tt.want)
			}
		})
	}
}

// A render that misses a file in a stream cut down by manifest-generate-paths says so, with the
// stream's repository path and the annotation to fix; other errors, and a whole-repository
// stream, keep their message.
func TestPartialStreamHint(t *testing.T) {
	const hint = `the repo-server sent the plugin only "apps/shop", the common root of the Application's argocd.argoproj.io/manifest-generate-paths annotation`
	tests := []struct {
		name       string
		files      map[string]string
		sourcePath string
		wantHint   bool
	}{
		{name: "base left out of the annotation", sourcePath: "apps/shop/overlays/prod", wantHint: true,
			files: map[string]string{"overlays/prod/kustomization.yaml": "resources:\n- ../../base\n"}},
		{name: "missing file in a whole-repository stream", sourcePath: "overlays/prod",
			files: map[string]string{"overlays/prod/kustomization.yaml": "resources:\n- ../../base\n"}},
		{name: "syntax error in a cut-down stream", sourcePath: "apps/shop/overlays/prod",
			files: map[string]string{"overlays/prod/cm.yaml": "kind: [\n"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			work := t.TempDir()
			stream := filepath.Join(work, "_cmp_server", "3f6c2a10-5b7e-4d21-8c0f-9a4e1b2d3c55")
			testfs.Write(t, stream, tt.files)
			cfg := resolveSourcePath(t, tt.sourcePath, "ARGOCD_CMP_WORKDIR="+work)
			var l fakeLinter
			_, err := Generate(context.Background(), filepath.Join(stream, "overlays", "prod"), cfg, l.lint)
			if err == nil {
				t.Fatal("Generate succeeded, want a render error")
			}
			// The hint comes first: Argo CD shows the start of a long message.
			if got := strings.HasPrefix(err.Error(), "a file this app reads was not sent: "+hint); got != tt.wantHint {
				t.Errorf("error = %q; starts with the hint: %v, want %v", err, got, tt.wantHint)
			}
			if strings.Contains(err.Error(), "\n") {
				t.Errorf("error spans lines: %q", err)
			}
		})
	}
}
