// Package testtools finds the reference CLIs (helm, kustomize, conftest) that test/tools/build.sh
// builds, for the tests that compare wavecheck with them or run them: one place for the
// environment variable, the CI rule (missing tools fail the run under CI, skip a test locally)
// and the hint to build them.
package testtools

import (
	"fmt"
	"os"
	"path/filepath"
	"testing"
)

// Env names the folder printed by test/tools/build.sh.
const Env = "WAVECHECK_TOOLS_BIN"

// hint tells how to provide the tools.
const hint = `build them with: export ` + Env + `="$(test/tools/build.sh)"`

// Lookup returns the path of each tool in $WAVECHECK_TOOLS_BIN, or why they are unavailable.
func Lookup(tools ...string) (paths []string, missing string) {
	dir := os.Getenv(Env)
	if dir == "" {
		return nil, Env + " is not set; " + hint
	}
	return LookupIn(dir, tools...)
}

// LookupIn returns the path of each tool in dir (a folder test/tools/build.sh printed), or why
// one is unavailable.
func LookupIn(dir string, tools ...string) (paths []string, missing string) {
	for _, tool := range tools {
		p := filepath.Join(dir, tool)
		if st, err := os.Stat(p); err != nil || st.IsDir() { //nolint:gosec // G703: the tester's own tools folder, read by tests only
			return nil, fmt.Sprintf("%s not found in %s (%s); %s", tool, dir, Env, hint)
		}
		paths = append(paths, p)
	}
	return paths, ""
}

// Bins returns the paths of tools, failing the test under CI (the environment variable CI set)
// when one is unavailable, and skipping it otherwise.
func Bins(t testing.TB, tools ...string) []string {
	t.Helper()
	paths, missing := Lookup(tools...)
	if missing != "" {
		if os.Getenv("CI") != "" {
			t.Fatal(missing)
		}
		t.Skip(missing)
	}
	return paths
}
