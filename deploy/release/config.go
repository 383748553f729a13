package main

import (
	"fmt"
	"os"

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
	// Tags are the Go build tags of the binary in the image (sidecar: no replay or plan).
	Tags      []string `json:"tags"`
	Platforms []string `json:"platforms"`
	// Binary is the binary's path in the image (plugin.yaml runs it by name from PATH).
	Binary string `json:"binary"`
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
