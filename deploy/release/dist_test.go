package main

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"context"
	"debug/buildinfo"
	"encoding/json"
	"errors"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

var epoch = time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC)

func loadConfig(t *testing.T) *Config {
	t.Helper()
	cfg, err := LoadConfig("release.yaml")
	if err != nil {
		t.Fatal(err)
	}
	return cfg
}

func TestBuildCommand(t *testing.T) {
	cfg := loadConfig(t)
	ldflags := "-s -w -X github.com/wavecheck/wavecheck/cmd/wavecheck/internal/cli.Version=v1.2.3"
	for _, tc := range []struct {
		tags []string
		want []string
	}{
		// The archives' full CLI.
		{nil, []string{"go", "build", "-trimpath", "-ldflags", ldflags, "-o", "/out/wavecheck", "./cmd/wavecheck"}},
		// The image's builds.
		{[]string{"sidecar"}, []string{"go", "build", "-trimpath", "-ldflags", ldflags, "-tags", "sidecar", "-o", "/out/wavecheck", "./cmd/wavecheck"}},
		{[]string{"sidecar", "nohelm"}, []string{"go", "build", "-trimpath", "-ldflags", ldflags, "-tags", "sidecar,nohelm", "-o", "/out/wavecheck", "./cmd/wavecheck"}},
	} {
		cmd := BuildCommand(context.Background(), "/repo", cfg, "v1.2.3", Platform{"darwin", "arm64"}, tc.tags, "/out/wavecheck")
		if diff := cmp.Diff(tc.want, append([]string{"go"}, cmd.Args[1:]...)); diff != "" {
			t.Errorf("tags %q: go build args (-want +got):\n%s", tc.tags, diff)
		}
		for _, env := range []string{"CGO_ENABLED=0", "GOOS=darwin", "GOARCH=arm64"} {
			if !slices.Contains(cmd.Env, env) {
				t.Errorf("build env lacks %s", env)
			}
		}
		if cmd.Dir != "/repo" {
			t.Errorf("build runs in %q", cmd.Dir)
		}
	}
}

// untar returns the entries of a tar.gz: name -> header and body.
func untar(t *testing.T, path string) (names []string, hdrs map[string]*tar.Header, bodies map[string][]byte) {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = f.Close() }()
	zr, err := gzip.NewReader(f)
	if err != nil {
		t.Fatal(err)
	}
	return readTar(t, zr)
}

// readTar returns the entries of a tar stream in order: name -> header and body.
func readTar(t *testing.T, r io.Reader) (names []string, hdrs map[string]*tar.Header, bodies map[string][]byte) {
	t.Helper()
	tr := tar.NewReader(r)
	hdrs, bodies = map[string]*tar.Header{}, map[string][]byte{}
	for {
		h, err := tr.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		b, err := io.ReadAll(tr)
		if err != nil {
			t.Fatal(err)
		}
		names = append(names, h.Name)
		hdrs[h.Name], bodies[h.Name] = h, b
	}
	return names, hdrs, bodies
}

// TestPackage packs the host binary as `make dist` packs each platform's: the archive holds the
// binary (which runs and prints the release version), LICENSE, NOTICE and README; the SBOM lists
// every module the binary links with its go.sum hash; SHA256SUMS verifies with sha256sum -c; and
// packing twice gives the same bytes.
func TestPackage(t *testing.T) {
	cfg := loadConfig(t)
	dirs := []string{t.TempDir(), t.TempDir()}
	var files []string
	for _, out := range dirs {
		var err error
		files, err = Package("../..", cfg, testVersion, map[Platform]string{hostPlatform: hostBinary}, out, epoch)
		if err != nil {
			t.Fatal(err)
		}
	}
	name := "wavecheck_9.8.7_" + hostPlatform.OS + "_" + hostPlatform.Arch
	if diff := cmp.Diff([]string{name + ".cdx.json", name + ".tar.gz", "SHA256SUMS"}, files); diff != "" {
		t.Fatalf("files (-want +got):\n%s", diff)
	}
	for _, f := range files {
		a, _ := os.ReadFile(filepath.Join(dirs[0], f))
		b, _ := os.ReadFile(filepath.Join(dirs[1], f))
		if len(a) == 0 || !bytes.Equal(a, b) {
			t.Errorf("%s: not reproducible (%d vs %d bytes)", f, len(a), len(b))
		}
	}
	out := dirs[0]

	names, hdrs, bodies := untar(t, filepath.Join(out, name+".tar.gz"))
	if diff := cmp.Diff([]string{"wavecheck", "LICENSE", "NOTICE", "README.md"}, names); diff != "" {
		t.Errorf("archive entries (-want +got):\n%s", diff)
	}
	for n, h := range hdrs {
		if !h.ModTime.Equal(epoch) || h.Uid != 0 || h.Gid != 0 {
			t.Errorf("%s: mtime %v uid %d gid %d, want the epoch and root", n, h.ModTime, h.Uid, h.Gid)
		}
	}
	if hdrs["wavecheck"].Mode != 0o755 {
		t.Errorf("binary mode %o, want 755", hdrs["wavecheck"].Mode)
	}
	bin := filepath.Join(t.TempDir(), "wavecheck")
	if err := os.WriteFile(bin, bodies["wavecheck"], 0o755); err != nil {
		t.Fatal(err)
	}
	got, err := exec.Command(bin, "--version").Output()
	if err != nil || !strings.HasPrefix(string(got), "wavecheck "+testVersion+" (") {
		t.Errorf("archived binary --version: %q, %v", got, err)
	}

	sums := exec.Command("sha256sum", "-c", "SHA256SUMS")
	sums.Dir = out
	if b, err := sums.CombinedOutput(); err != nil {
		t.Errorf("sha256sum -c SHA256SUMS: %v\n%s", err, b)
	}

	var bom struct {
		BOMFormat, SpecVersion, SerialNumber string
		Metadata                             struct {
			Timestamp string
			Component cdxComponent
		}
		Components   []cdxComponent
		Dependencies []cdxDependency
	}
	raw, _ := os.ReadFile(filepath.Join(out, name+".cdx.json"))
	if err := json.Unmarshal(raw, &bom); err != nil {
		t.Fatal(err)
	}
	if bom.BOMFormat != "CycloneDX" || bom.SpecVersion != "1.5" || !strings.HasPrefix(bom.SerialNumber, "urn:uuid:") || bom.Metadata.Timestamp != "2026-12-01T00:00:00Z" {
		t.Errorf("SBOM header: %s %s %s %s", bom.BOMFormat, bom.SpecVersion, bom.SerialNumber, bom.Metadata.Timestamp)
	}
	if c := bom.Metadata.Component; c.Name != "github.com/wavecheck/wavecheck" || c.Version != testVersion || !strings.HasPrefix(c.PURL, "pkg:golang/github.com/wavecheck/wavecheck@v9.8.7?goos=") {
		t.Errorf("SBOM component: %+v", c)
	}
	info, err := buildinfo.ReadFile(hostBinary)
	if err != nil {
		t.Fatal(err)
	}
	byName := map[string]cdxComponent{}
	for _, c := range bom.Components {
		byName[c.Name] = c
	}
	if len(bom.Components) != len(info.Deps) || len(info.Deps) < 50 {
		t.Errorf("SBOM has %d components, the binary links %d modules", len(bom.Components), len(info.Deps))
	}
	for _, d := range info.Deps {
		m := d
		if d.Replace != nil {
			m = d.Replace
		}
		c, ok := byName[d.Path]
		if !ok {
			t.Errorf("SBOM lacks %s", d.Path)
			continue
		}
		want, _ := h1Hash(m.Sum)
		if c.Version != m.Version || len(c.Hashes) != 1 || c.Hashes[0] != want || len(want.Content) != 64 {
			t.Errorf("SBOM %s: version %s hashes %v; want %s %v (go.sum %s)", d.Path, c.Version, c.Hashes, m.Version, want, m.Sum)
		}
	}
	for _, must := range []string{"github.com/spf13/cobra", "github.com/open-policy-agent/opa", "helm.sh/helm/v4", "sigs.k8s.io/kustomize/api"} {
		if _, ok := byName[must]; !ok {
			t.Errorf("SBOM lacks %s", must)
		}
	}
	if len(bom.Dependencies) != 1 || len(bom.Dependencies[0].DependsOn) != len(bom.Components) {
		t.Errorf("SBOM dependencies: %d entries", len(bom.Dependencies))
	}
}

func TestH1Hash(t *testing.T) {
	for _, tc := range []struct {
		sum  string
		want string
		ok   bool
	}{
		{"h1:47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=", "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855", true},
		{"", "", false},
		{"h2:abc", "", false},
		{"h1:notbase64!", "", false},
	} {
		got, ok := h1Hash(tc.sum)
		if ok != tc.ok || got.Content != tc.want || (ok && got.Alg != "SHA-256") {
			t.Errorf("h1Hash(%q) = %v, %v; want %s, %v", tc.sum, got, ok, tc.want, tc.ok)
		}
	}
}
