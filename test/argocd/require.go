package argocd

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/wavecheck/wavecheck/test/cluster"
)

// EnvBinDir names the environment variable holding the folder tools/build.sh printed.
const EnvBinDir = "WAVECHECK_ARGOCD_BIN"

// files are what a build folder must hold.
var files = []string{"argocd", "git-verify-wrapper.sh", "crds/application-crd.yaml", "crds/applicationset-crd.yaml", "crds/appproject-crd.yaml"}

// ErrNotBuilt means no Argo CD build was found.
var ErrNotBuilt = errors.New("no argocd build: run `export " + EnvBinDir + "=\"$(test/argocd/tools/build.sh)\"` (~5 min with a warm module cache, once per machine)")

// FindBinaries returns the Argo CD folder: WAVECHECK_ARGOCD_BIN when set (it must then be
// complete), otherwise the build cached by tools/build.sh for the pinned version, found with
// its --cached mode, which never builds. It returns ErrNotBuilt when there is neither.
func FindBinaries() (string, error) {
	if dir := os.Getenv(EnvBinDir); dir != "" {
		if err := checkBinaries(dir); err != nil {
			return "", fmt.Errorf("%s=%s: %w", EnvBinDir, dir, err)
		}
		return dir, nil
	}
	script, err := filepath.Abs(filepath.Join("tools", "build.sh"))
	if err != nil {
		return "", err
	}
	if _, err := os.Stat(script); err != nil {
		return "", errors.Join(ErrNotBuilt, fmt.Errorf("find build script: %w", err))
	}
	return cluster.CachedBuild(script, ErrNotBuilt, checkBinaries)
}

// RequireBinaries returns the Argo CD folder for a test. Without a build the test is skipped
// with instructions, unless CI is set: under CI the suite must run, so it fails.
func RequireBinaries(t testing.TB) string {
	t.Helper()
	return cluster.RequireBuild(t, "Argo CD end-to-end", FindBinaries, ErrNotBuilt)
}

func checkBinaries(dir string) error {
	if dir == "" {
		return fmt.Errorf("find argocd: no folder given (set %s to the output of test/argocd/tools/build.sh)", EnvBinDir)
	}
	var missing []string
	for _, f := range files {
		if st, err := os.Stat(filepath.Join(dir, f)); err != nil || st.IsDir() || st.Size() == 0 {
			missing = append(missing, f)
		}
	}
	if len(missing) > 0 {
		return fmt.Errorf("find argocd in %s: missing %s (rerun test/argocd/tools/build.sh)", dir, strings.Join(missing, ", "))
	}
	return nil
}
