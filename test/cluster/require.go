package cluster

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// ErrNotBuilt means no control plane build was found: WAVECHECK_K8S_BIN is
// unset and test/k8s-tools/build.sh has no complete build cached.
var ErrNotBuilt = errors.New("no control plane binaries: run `export " + EnvBinDir + "=\"$(test/k8s-tools/build.sh)\"` (~10 min cold, once per machine)")

// FindBinaries returns the control plane folder: WAVECHECK_K8S_BIN when set
// (it must then be complete), otherwise the build cached by
// test/k8s-tools/build.sh for the current tool versions, found with its
// --cached mode, which never builds. It returns ErrNotBuilt when there is
// neither.
func FindBinaries() (string, error) {
	if dir := os.Getenv(EnvBinDir); dir != "" {
		if err := checkBinaries(dir); err != nil {
			return "", fmt.Errorf("%s=%s: %w", EnvBinDir, dir, err)
		}
		return dir, nil
	}
	script, err := buildScript()
	if err != nil {
		return "", errors.Join(ErrNotBuilt, err)
	}
	return CachedBuild(script, ErrNotBuilt, checkBinaries)
}

// CachedBuild runs a tool build script in its --cached mode, which never builds: it prints
// the cached folder, or exits 1 when there is none (reported as notBuilt). check validates
// the folder printed.
func CachedBuild(script string, notBuilt error, check func(dir string) error) (string, error) {
	var stdout, stderr bytes.Buffer
	cmd := exec.Command("bash", script, "--cached")
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		var exit *exec.ExitError
		if errors.As(err, &exit) && exit.ExitCode() == 1 {
			return "", notBuilt
		}
		return "", fmt.Errorf("run %s --cached: %w: %s", script, err, strings.TrimSpace(stderr.String()))
	}
	dir := strings.TrimSpace(stdout.String())
	if err := check(dir); err != nil {
		return "", err
	}
	return dir, nil
}

// buildScript finds test/k8s-tools/build.sh above the working directory
// (go test runs in the package folder).
func buildScript() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", fmt.Errorf("find build script: %w", err)
	}
	for {
		p := filepath.Join(dir, "test", "k8s-tools", "build.sh")
		if _, err := os.Stat(p); err == nil {
			return p, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", errors.New("find build script: no test/k8s-tools/build.sh above the working directory")
		}
		dir = parent
	}
}

// RequireBinaries returns the control plane folder for a test. Without a
// build the test is skipped with instructions, unless the CI environment
// variable is set: under CI the real-cluster tests must run, so it fails.
// A WAVECHECK_K8S_BIN that points at an incomplete folder always fails.
func RequireBinaries(t testing.TB) string {
	t.Helper()
	return RequireBuild(t, "real-cluster", FindBinaries, ErrNotBuilt)
}

// RequireBuild is the policy of every suite that needs a tool build: the folder find returns;
// without a build (notBuilt) the test is skipped with find's instructions, unless the CI
// environment variable is set: under CI the suite must run, so it fails. Any other error (an
// incomplete folder) always fails. what names the suite in the messages.
func RequireBuild(t testing.TB, what string, find func() (string, error), notBuilt error) string {
	t.Helper()
	dir, err := find()
	switch {
	case err == nil:
		return dir
	case errors.Is(err, notBuilt) && os.Getenv("CI") == "":
		t.Skipf("skipping the %s test: %v", what, err)
	case errors.Is(err, notBuilt):
		t.Fatalf("CI is set and the %s test cannot run: %v", what, err)
	default:
		t.Fatalf("%s test: %v", what, err)
	}
	return ""
}
