package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestLint: the checked-in release.yaml is clean against this repository, and each broken
// variant is reported naming the field and the fix.
func TestLint(t *testing.T) {
	if err := Lint("../..", loadConfig(t)); err != nil {
		t.Fatalf("release.yaml:\n%v", err)
	}
	tests := []struct {
		name   string
		mutate func(c *Config)
		want   string
	}{
		{"unknown platform", func(c *Config) { c.Platforms = append(c.Platforms, "linux/z80") }, "linux/z80 is not a Go port"},
		{"no NOTICE in archives", func(c *Config) { c.Archive.Files = []string{"LICENSE"} }, "must ship NOTICE"},
		{"missing archive file", func(c *Config) { c.Archive.Files = append(c.Archive.Files, "CHANGELOG.md") }, "CHANGELOG.md does not exist"},
		{"version variable renamed", func(c *Config) { c.VersionVariable = strings.Replace(c.VersionVariable, ".Version", ".Vers", 1) }, "no `var Vers"},
		{"no image binaries", func(c *Config) { c.Image.Binaries = nil }, "image.binaries: empty"},
		{"lite binary not a sidecar build", func(c *Config) { c.Image.Binaries[0].Tags = []string{"nohelm"} }, "image.binaries[0].tags: /usr/local/bin/wavecheck must be a sidecar build"},
		{"helm binary not a sidecar build", func(c *Config) { c.Image.Binaries[1].Tags = nil }, "image.binaries[1].tags: /usr/local/bin/wavecheck-helm must be a sidecar build"},
		{"first binary links Helm", func(c *Config) { c.Image.Binaries[0].Tags = []string{"sidecar"} }, "image.binaries[0].tags: /usr/local/bin/wavecheck must be the lite build, tags [sidecar, nohelm]"},
		{"first binary not named after the project", func(c *Config) { c.Image.Binaries[0].Path = "/usr/local/bin/wavecheck-lite" }, `image.binaries[0].path: "/usr/local/bin/wavecheck-lite": want an absolute path ending in /wavecheck`},
		{"relative binary path", func(c *Config) { c.Image.Binaries[0].Path = "usr/local/bin/wavecheck" }, `image.binaries[0].path: "usr/local/bin/wavecheck": want a clean absolute file path`},
		{"binary listed twice", func(c *Config) { c.Image.Binaries[1].Path = c.Image.Binaries[0].Path }, "image.binaries[1].path: /usr/local/bin/wavecheck is listed twice"},
		{"no helm binary", func(c *Config) { c.Image.Binaries = c.Image.Binaries[:1] }, "image.binaries: no /usr/local/bin/wavecheck-helm: the lite build execs wavecheck-helm from its own directory"},
		{"helm binary in another directory", func(c *Config) { c.Image.Binaries[1].Path = "/opt/wavecheck/wavecheck-helm" }, "image.binaries: no /usr/local/bin/wavecheck-helm"},
		{"helm binary without Helm", func(c *Config) { c.Image.Binaries[1].Tags = []string{"sidecar", "nohelm"} }, "image.binaries[1].tags: /usr/local/bin/wavecheck-helm must link Helm"},
		{"lite binary elsewhere than PATH", func(c *Config) {
			c.Image.Binaries[0].Path, c.Image.Binaries[1].Path = "/opt/wavecheck/wavecheck", "/opt/wavecheck/wavecheck-helm"
		}, "image.env: PATH must hold /opt/wavecheck"},
		{"image platform not built", func(c *Config) { c.Image.Platforms = []string{"linux/s390x"} }, "linux/s390x must be a linux platform listed"},
		{"root image", func(c *Config) { c.Image.User = "0" }, "non-root"},
		{"entrypoint", func(c *Config) { c.Image.Entrypoint = []string{"/usr/local/bin/wavecheck"} }, "argocd-cmp-server"},
		{"binary off PATH", func(c *Config) { c.Image.Env = []string{"HOME=/tmp"} }, "PATH must hold /usr/local/bin"},
		{"other repository", func(c *Config) { c.Image.Repository = "quay.io/someone/wavecheck" }, "does not name the released image quay.io/someone/wavecheck:v"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			c := loadConfig(t)
			tc.mutate(c)
			err := Lint("../..", c)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("Lint error = %v, want one containing %q", err, tc.want)
			}
		})
	}
}

// TestLintSnippetDrift: a snippet naming another tag or a placeholder registry fails.
func TestLintSnippetDrift(t *testing.T) {
	root := t.TempDir()
	files := map[string]string{
		"go.mod":                      "module github.com/wavecheck/wavecheck\n",
		"charts/wavecheck/Chart.yaml": "apiVersion: v2\nname: wavecheck\nversion: 0.2.0\nappVersion: \"0.2.0\"\n",
		"good.yaml":                   "image: ghcr.io/wavecheck/wavecheck:v0.2.0\n",
		"old.yaml":                    "image: ghcr.io/wavecheck/wavecheck:v0.2.0\n# also ghcr.io/wavecheck/wavecheck:v0.1.0\n",
		"placeholder.md":              "image: ghcr.io/wavecheck/wavecheck:v0.2.0 or registry.example.com/wavecheck:v0.2.0\n",
	}
	for name, body := range files {
		p := filepath.Join(root, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	im := ImageConfig{Repository: "ghcr.io/wavecheck/wavecheck", Snippets: []string{"good.yaml", "old.yaml", "placeholder.md"}}
	err := checkSnippets(root, im)
	if err == nil {
		t.Fatal("no error")
	}
	for _, want := range []string{"old.yaml: names ghcr.io/wavecheck/wavecheck:v0.1.0", "placeholder.md: names registry.example.com/wavecheck:v0.2.0"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error lacks %q:\n%v", want, err)
		}
	}
	if strings.Contains(err.Error(), "good.yaml") {
		t.Errorf("good.yaml reported:\n%v", err)
	}
}
