package main

import (
	"fmt"
	"github.com/google/go-cmp/cmp"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"
)

// testVersion is stamped into the test binary, as a release stamps its tag.
const testVersion = "v9.8.7"

// hostBinary is the sidecar build of wavecheck (-tags sidecar, Helm linked) for the host
// platform, version testVersion, built once for all tests (one link: the packages are in the
// build cache after the root module's tests), or $WAVECHECK_SIDECAR_BIN when set. The archive
// and SBOM tests pack it. The cross-builds of all platforms are `make dist`'s, not the tests'.
var hostBinary string

// hostImageBinaries are the host builds of release.yaml's image.binaries, by image path, each
// with its own tags; a binary with hostBinary's tags (sidecar) is hostBinary, not a second link.
var hostImageBinaries map[string]string

var hostPlatform = Platform{runtime.GOOS, runtime.GOARCH}

func TestMain(m *testing.M) {
	os.Exit(testMain(m))
}

func testMain(m *testing.M) int {
	dir, err := os.MkdirTemp("", "release-test")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	defer func() { _ = os.RemoveAll(dir) }()
	cfg, err := LoadConfig("release.yaml")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	builds := map[string]string{} // tags -> binary
	if bin := os.Getenv("WAVECHECK_SIDECAR_BIN"); bin != "" {
		builds["sidecar"] = bin
	}
	hostBuild := func(name string, tags []string) (string, error) {
		key := strings.Join(tags, ",")
		if bin, ok := builds[key]; ok {
			return bin, nil
		}
		bin := filepath.Join(dir, key, name)
		start := time.Now()
		cmd := exec.Command("go", "build", "-tags", key, "-ldflags", "-X "+cfg.VersionVariable+"="+testVersion, "-o", bin, cfg.Main)
		cmd.Dir = "../.."
		// The environment's CGO_ENABLED, as `go test -tags sidecar ./cmd/...` (make unit) builds
		// the packages: the link reuses their build cache. The release's static build
		// (CGO_ENABLED=0, -trimpath) is BuildCommand's, checked by TestBuildCommand and run by
		// make dist/image.
		cmd.Stdout, cmd.Stderr = os.Stderr, os.Stderr
		if err := cmd.Run(); err != nil {
			return "", fmt.Errorf("build wavecheck -tags %s: %w", key, err)
		}
		fmt.Fprintf(os.Stderr, "built %s in %s\n", bin, time.Since(start).Round(time.Second))
		builds[key] = bin
		return bin, nil
	}
	if hostBinary, err = hostBuild(cfg.Project, []string{"sidecar"}); err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	hostImageBinaries = map[string]string{}
	for _, b := range cfg.Image.Binaries {
		if hostImageBinaries[b.Path], err = hostBuild(b.Name(), b.Tags); err != nil {
			fmt.Fprintln(os.Stderr, err)
			return 1
		}
	}
	return m.Run()
}

// TestBinaryFlags: -binary os/arch=path replaces the project's binary (the archives', the
// image's first), os/arch/name=path the image binary of that file name; a name the command does
// not build is refused.
func TestBinaryFlags(t *testing.T) {
	f := binaryFlags{}
	for _, s := range []string{"linux/amd64=/a", "linux/arm64/wavecheck=/b", "linux/amd64/wavecheck-helm=/c"} {
		if err := f.Set(s); err != nil {
			t.Fatalf("Set(%q): %v", s, err)
		}
	}
	amd64, arm64 := Platform{"linux", "amd64"}, Platform{"linux", "arm64"}
	if diff := cmp.Diff(map[Platform]string{amd64: "/a", arm64: "/b"}, f.named("wavecheck", "wavecheck")); diff != "" {
		t.Errorf("named(wavecheck) (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff(map[Platform]string{amd64: "/c"}, f.named("wavecheck-helm", "wavecheck")); diff != "" {
		t.Errorf("named(wavecheck-helm) (-want +got):\n%s", diff)
	}
	if err := f.check("wavecheck", "wavecheck", "wavecheck-helm"); err != nil {
		t.Errorf("image check: %v", err)
	}
	if err := f.check("wavecheck", "wavecheck"); err == nil || !strings.Contains(err.Error(), "-binary linux/amd64/wavecheck-helm: no binary wavecheck-helm to replace") {
		t.Errorf("dist check: %v", err)
	}
	for _, bad := range []string{"linux/amd64", "linux/amd64=", "linux=/a", "linux/amd64/x/y=/a"} {
		if err := (binaryFlags{}).Set(bad); err == nil {
			t.Errorf("Set(%q): no error", bad)
		}
	}
}

// TestLoadConfigStrict: an unknown key is refused, among them image.tags and image.binary,
// which image.binaries replaced.
func TestLoadConfigStrict(t *testing.T) {
	for _, key := range []string{"tags: [sidecar]", "binary: /usr/local/bin/wavecheck", "binaries: [{path: /usr/local/bin/wavecheck, tag: [sidecar]}]"} {
		p := filepath.Join(t.TempDir(), "release.yaml")
		if err := os.WriteFile(p, []byte("project: wavecheck\nimage:\n  "+key+"\n"), 0o644); err != nil {
			t.Fatal(err)
		}
		if _, err := LoadConfig(p); err == nil || !strings.Contains(err.Error(), "unknown field") {
			t.Errorf("image %s: LoadConfig error = %v, want unknown field", key, err)
		}
	}
}
