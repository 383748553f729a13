package main

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"testing"
	"time"
)

// testVersion is stamped into the test binary, as a release stamps its tag.
const testVersion = "v9.8.7"

// hostBinary is the sidecar build of wavecheck for the host platform, version testVersion,
// built once for all tests (one link: the packages are in the build cache after the root
// module's tests), or $WAVECHECK_SIDECAR_BIN when set. The cross-builds of all platforms are
// `make dist`'s, not the tests'.
var hostBinary string

var hostPlatform = Platform{runtime.GOOS, runtime.GOARCH}

func TestMain(m *testing.M) {
	os.Exit(testMain(m))
}

func testMain(m *testing.M) int {
	if bin := os.Getenv("WAVECHECK_SIDECAR_BIN"); bin != "" {
		hostBinary = bin
		return m.Run()
	}
	dir, err := os.MkdirTemp("", "release-test")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	defer func() { _ = os.RemoveAll(dir) }()
	hostBinary = filepath.Join(dir, "wavecheck")
	cfg, err := LoadConfig("release.yaml")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	start := time.Now()
	cmd := exec.Command("go", "build", "-tags", "sidecar", "-ldflags", "-X "+cfg.VersionVariable+"="+testVersion, "-o", hostBinary, cfg.Main)
	cmd.Dir = "../.."
	// The environment's CGO_ENABLED, as `go test -tags sidecar ./cmd/...` (make unit) builds the
	// packages: the link reuses their build cache. The release's static build (CGO_ENABLED=0,
	// -trimpath) is BuildCommand's, checked by TestBuildCommand and run by make dist/image.
	cmd.Stdout, cmd.Stderr = os.Stderr, os.Stderr
	if err := cmd.Run(); err != nil {
		fmt.Fprintf(os.Stderr, "build wavecheck: %v\n", err)
		return 1
	}
	fmt.Fprintf(os.Stderr, "built %s in %s\n", hostBinary, time.Since(start).Round(time.Second))
	return m.Run()
}
