package main

import (
	"fmt"
	"os"
	"path"

	"sigs.k8s.io/yaml"
)

// Config is release.yaml: what `make dist` and `make image` build, and what `make lint` checks.
// It plays the part of a .goreleaser.yaml, read by this small tool instead of goreleaser (see
// doc.go for why).
type Config struct {
	// Project names the archives: <project>_<version>_<os>_<arch>.tar.gz.
	Project string `json:"project"`
	// Main is the package built, relative to the repository root.
	Main string `json:"main"`
	// VersionVariable is set to the release version with -ldflags -X.
	VersionVariable string `json:"versionVariable"`
	// Ldflags come before the -X of the version.
	Ldflags []string `json:"ldflags"`
	// Platforms are the GOOS/GOARCH pairs of the binaries (CGO_ENABLED=0, -trimpath).
	Platforms []string `json:"platforms"`
	// Archive lists the repository files packed next to the binary.
	Archive struct {
		Files []string `json:"files"`
	} `json:"archive"`
	Image ImageConfig `json:"image"`
}

// ImageConfig is the sidecar image: built from scratch, without a Docker daemon.
type ImageConfig struct {
	// Repository is where the release workflow pushes the image, tagged with the version;
	// every install snippet must name it (Lint).
	Repository string `json:"repository"`
	// Binaries are the builds of wavecheck in the image, each with its own build tags. The
	// first is the one plugin.yaml runs by name from PATH (sidecar,nohelm: the lite build); it
	// execs the Helm-linked build (<project>-helm, tags sidecar) found next to its own
	// executable when an app needs Helm. Lint checks that layout.
	Binaries  []ImageBinary `json:"binaries"`
	Platforms []string      `json:"platforms"`
	// User is uid:gid; Argo CD runs sidecars as 999 with runAsNonRoot.
	User       string   `json:"user"`
	Entrypoint []string `json:"entrypoint"`
	Env        []string `json:"env"`
	// PluginConfig is copied to /home/argocd/cmp-server/config/plugin.yaml.
	PluginConfig string `json:"pluginConfig"`
	// Labels are OCI annotations set on the image config (version, revision and created are
	// added at build time).
	Labels map[string]string `json:"labels"`
	// Snippets are the files that must name Repository:v<chart appVersion>.
	Snippets []string `json:"snippets"`
}

// ImageBinary is one build of the main package in the image.
type ImageBinary struct {
	// Path is the binary's absolute path in the image.
	Path string `json:"path"`
	// Tags are its Go build tags (sidecar: no replay or plan; nohelm: no Helm SDK).
	Tags []string `json:"tags"`
}

// Name is the binary's file name, which names its build directory and its -binary override.
func (b ImageBinary) Name() string { return path.Base(b.Path) }

// LoadConfig reads release.yaml strictly: an unknown key is an error, not ignored.
func LoadConfig(path string) (*Config, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var c Config
	if err := yaml.UnmarshalStrict(b, &c); err != nil {
		return nil, fmt.Errorf("parse %s: %w", path, err)
	}
	return &c, nil
}
