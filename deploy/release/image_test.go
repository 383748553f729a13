package main

import (
	"bytes"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/layout"
	"github.com/google/go-containerregistry/pkg/v1/mutate"
)

// readTree reads every file under dir: relative path -> content.
func readTree(t *testing.T, dir string) map[string]string {
	t.Helper()
	files := map[string]string{}
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := os.ReadFile(p)
		rel, _ := filepath.Rel(dir, p)
		files[rel] = string(b)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return files
}

// TestImage builds the sidecar image from the host binary as `make image` does (without a
// Docker daemon), twice: the layouts are identical byte for byte. It then opens the layout like
// a registry client would, checks the index and the config (user 999, the cmp-server
// entrypoint, env, labels), the file system (plugin.yaml where the cmp-server reads it, passwd
// naming uid 999, a world-writable /tmp, both builds of wavecheck side by side, nothing else),
// and runs each binary taken out of the image.
func TestImage(t *testing.T) {
	cfg := loadConfig(t)
	ca := filepath.Join(t.TempDir(), "ca.pem")
	if err := os.WriteFile(ca, []byte("-----BEGIN CERTIFICATE-----\ntest\n-----END CERTIFICATE-----\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	inputs := map[Platform]ImageInputs{hostPlatform: {Binaries: hostImageBinaries, PluginConfig: "../../plugin.yaml", CABundle: ca}}
	var digests []v1.Hash
	var trees []map[string]string
	var dir string
	for range 2 {
		dir = filepath.Join(t.TempDir(), "image")
		d, err := BuildImage(cfg.Image, inputs, testVersion, "0123abcd", epoch, dir)
		if err != nil {
			t.Fatal(err)
		}
		digests = append(digests, d)
		trees = append(trees, readTree(t, dir))
	}
	if digests[0] != digests[1] {
		t.Errorf("not reproducible: index digests %s and %s", digests[0], digests[1])
	}
	if diff := cmp.Diff(trees[0], trees[1]); diff != "" {
		t.Errorf("not reproducible: layouts differ")
	}

	idx, err := layout.ImageIndexFromPath(dir)
	if err != nil {
		t.Fatal(err)
	}
	if d, _ := idx.Digest(); d != digests[0] {
		t.Errorf("layout index digest %s, BuildImage said %s", d, digests[0])
	}
	im, err := idx.IndexManifest()
	if err != nil {
		t.Fatal(err)
	}
	if len(im.Manifests) != 1 || im.Manifests[0].Platform == nil || im.Manifests[0].Platform.OS != hostPlatform.OS || im.Manifests[0].Platform.Architecture != hostPlatform.Arch {
		t.Fatalf("index manifests: %+v", im.Manifests)
	}
	img, err := idx.Image(im.Manifests[0].Digest)
	if err != nil {
		t.Fatal(err)
	}
	cf, err := img.ConfigFile()
	if err != nil {
		t.Fatal(err)
	}
	wantCfg := v1.Config{
		User:       "999:999",
		Entrypoint: []string{"/var/run/argocd/argocd-cmp-server"},
		Env:        []string{"PATH=/usr/local/bin", "HOME=/tmp"},
		WorkingDir: "/home/argocd",
		Labels: map[string]string{
			"org.opencontainers.image.title":       "wavecheck",
			"org.opencontainers.image.description": "wavecheck Config Management Plugin sidecar for Argo CD",
			"org.opencontainers.image.source":      "https://github.com/wavecheck/wavecheck",
			"org.opencontainers.image.licenses":    "Apache-2.0",
			"org.opencontainers.image.version":     testVersion,
			"org.opencontainers.image.revision":    "0123abcd",
			"org.opencontainers.image.created":     "2026-12-01T00:00:00Z",
		},
	}
	if diff := cmp.Diff(wantCfg, cf.Config); diff != "" {
		t.Errorf("image config (-want +got):\n%s", diff)
	}
	if cf.OS != hostPlatform.OS || cf.Architecture != hostPlatform.Arch || !cf.Created.Equal(epoch) {
		t.Errorf("config os/arch/created: %s/%s %v", cf.OS, cf.Architecture, cf.Created)
	}
	layers, err := img.Layers()
	if err != nil || len(layers) != 1 {
		t.Fatalf("layers: %d, %v", len(layers), err)
	}

	// The file system, as a container runtime unpacks it.
	rc := mutate.Extract(img)
	defer func() { _ = rc.Close() }()
	type entry struct {
		Mode     int64
		UID, GID int
	}
	got := map[string]entry{}
	_, hdrs, bodies := readTar(t, rc)
	for name, h := range hdrs {
		// mutate.Extract cleans names: directories lose their trailing slash.
		got[name] = entry{h.Mode, h.Uid, h.Gid}
		if !h.ModTime.Equal(epoch) {
			t.Errorf("%s: mtime %v, want the epoch", name, h.ModTime)
		}
	}
	want := map[string]entry{
		"etc": {0o755, 0, 0}, "etc/group": {0o644, 0, 0}, "etc/passwd": {0o644, 0, 0},
		"etc/ssl": {0o755, 0, 0}, "etc/ssl/certs": {0o755, 0, 0}, "etc/ssl/certs/ca-certificates.crt": {0o644, 0, 0},
		"home": {0o755, 0, 0}, "home/argocd": {0o755, 999, 999}, "home/argocd/cmp-server": {0o755, 999, 999},
		"home/argocd/cmp-server/config": {0o755, 999, 999}, "home/argocd/cmp-server/config/plugin.yaml": {0o644, 0, 0},
		"tmp": {0o1777, 0, 0},
		"usr": {0o755, 0, 0}, "usr/local": {0o755, 0, 0}, "usr/local/bin": {0o755, 0, 0}, "usr/local/bin/wavecheck": {0o755, 0, 0},
		"usr/local/bin/wavecheck-helm": {0o755, 0, 0},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("image file system (-want +got):\n%s", diff)
	}
	plugin, _ := os.ReadFile("../../plugin.yaml")
	if !bytes.Equal(plugin, bodies["home/argocd/cmp-server/config/plugin.yaml"]) {
		t.Errorf("plugin.yaml in the image differs from the repository's")
	}
	if !strings.Contains(string(bodies["etc/passwd"]), "argocd:x:999:999:") {
		t.Errorf("/etc/passwd lacks uid 999: %q", bodies["etc/passwd"])
	}
	// Each binary is the build release.yaml names for its path, and runs.
	for _, b := range cfg.Image.Binaries {
		name := strings.TrimPrefix(b.Path, "/")
		built, err := os.ReadFile(hostImageBinaries[b.Path])
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(built, bodies[name]) {
			t.Errorf("%s in the image is not the -tags %s build", b.Path, strings.Join(b.Tags, ","))
		}
		bin := filepath.Join(t.TempDir(), b.Name())
		if err := os.WriteFile(bin, bodies[name], 0o755); err != nil {
			t.Fatal(err)
		}
		out, err := exec.Command(bin, "version").Output()
		if err != nil || !strings.HasPrefix(string(out), "wavecheck "+testVersion+" (") || !strings.Contains(string(out), "sidecar build") {
			t.Errorf("%s version from the image: %q, %v; want the sidecar build of %s", b.Path, out, err, testVersion)
		}
	}
}

// TestImageInputs: the layer refuses a binary of image.binaries without a build, a build for no
// listed binary, and a binary path taken by another file of the image.
func TestImageInputs(t *testing.T) {
	cfg := loadConfig(t).Image
	tests := []struct {
		name     string
		binaries []ImageBinary
		inputs   map[string]string
		want     string
	}{
		{"missing build", cfg.Binaries, map[string]string{"/usr/local/bin/wavecheck": hostBinary}, "no build of /usr/local/bin/wavecheck-helm"},
		{"extra build", cfg.Binaries[:1], map[string]string{"/usr/local/bin/wavecheck": hostBinary, "/usr/local/bin/wavecheck-helm": hostBinary}, "2 binaries for the 1 of image.binaries"},
		{"path taken", []ImageBinary{{Path: "/etc/passwd", Tags: []string{"sidecar"}}}, map[string]string{"/etc/passwd": hostBinary}, "/etc/passwd: want an absolute path of its own"},
		{"relative path", []ImageBinary{{Path: "wavecheck", Tags: []string{"sidecar"}}}, map[string]string{"wavecheck": hostBinary}, "wavecheck: want an absolute path"},
		{"none", nil, nil, "image.binaries: empty"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			c := cfg
			c.Binaries = tc.binaries
			_, err := layerEntries(c, ImageInputs{Binaries: tc.inputs, PluginConfig: "../../plugin.yaml"})
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("layerEntries error = %v, want one containing %q", err, tc.want)
			}
		})
	}
}

func TestImageUser(t *testing.T) {
	for _, tc := range []struct {
		user     string
		uid, gid int
		ok       bool
	}{
		{"999:999", 999, 999, true}, {"999", 999, 999, true}, {"0:0", 0, 0, false}, {"argocd", 0, 0, false}, {"999:x", 0, 0, false},
	} {
		uid, gid, err := parseUser(tc.user)
		if (err == nil) != tc.ok || (tc.ok && (uid != tc.uid || gid != tc.gid)) {
			t.Errorf("parseUser(%q) = %d, %d, %v", tc.user, uid, gid, err)
		}
	}
}
