package argocd

import (
	"bufio"
	"bytes"
	"debug/buildinfo"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"

	"github.com/wavecheck/wavecheck/internal/testtools"
)

// EnvToolsBin names the environment variable holding the folder test/tools/build.sh printed
// (helm, kustomize, conftest).
const EnvToolsBin = testtools.Env

// referenceTools maps each CLI the repo-server execs for native sources to the main module
// its binary must be built from and the variable of Argo CD's hack/tool-versions.sh that pins
// its version in Argo CD's image.
var referenceTools = []struct{ bin, module, variable string }{
	{"helm", "helm.sh/helm/v4", "HELM_VERSION"},
	{"kustomize", "sigs.k8s.io/kustomize/kustomize/v5", "KUSTOMIZE_VERSION"},
}

// CheckToolVersions checks that dir holds the helm and kustomize that Argo CD's image ships:
// the versions of hack/tool-versions.sh in the Argo CD module that tools/go.mod pins (read
// from the module cache, where tools/build.sh downloaded it), compared with the module
// version recorded in each binary's build information.
func CheckToolVersions(dir string) error {
	want, err := argoToolVersions()
	if err != nil {
		return err
	}
	for _, tool := range referenceTools {
		path := filepath.Join(dir, tool.bin)
		info, err := buildinfo.ReadFile(path)
		if err != nil {
			return fmt.Errorf("read the build information of %s: %w (rerun test/tools/build.sh)", path, err)
		}
		if info.Main.Path != tool.module {
			return fmt.Errorf("%s is built from %s, want %s", path, info.Main.Path, tool.module)
		}
		if got, w := info.Main.Version, "v"+want[tool.variable]; got != w {
			return fmt.Errorf("%s is %s; Argo CD's hack/tool-versions.sh ships %s %s: update test/tools", path, got, tool.bin, w)
		}
	}
	return nil
}

// argoToolVersions reads the NAME=value lines of hack/tool-versions.sh of the pinned Argo CD.
func argoToolVersions() (map[string]string, error) {
	here, err := toolsModuleDir()
	if err != nil {
		return nil, err
	}
	cmd := exec.Command("go", "list", "-m", "-f", "{{.Dir}}", "github.com/argoproj/argo-cd/v3")
	cmd.Dir = here
	cmd.Env = append(os.Environ(), "GOWORK=off")
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		return nil, fmt.Errorf("find the Argo CD module: %w: %s", err, strings.TrimSpace(stderr.String()))
	}
	file := filepath.Join(strings.TrimSpace(string(out)), "hack", "tool-versions.sh")
	data, err := os.ReadFile(file)
	if err != nil {
		return nil, fmt.Errorf("read Argo CD's tool versions: %w", err)
	}
	vars := map[string]string{}
	sc := bufio.NewScanner(bytes.NewReader(data))
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if name, value, ok := strings.Cut(line, "="); ok && !strings.HasPrefix(line, "#") {
			vars[name] = value
		}
	}
	for _, tool := range referenceTools {
		if vars[tool.variable] == "" {
			return nil, fmt.Errorf("%s sets no %s", file, tool.variable)
		}
	}
	return vars, nil
}

// toolsModuleDir is the folder of tools/go.mod, which pins the Argo CD version: the test
// binary runs in the package folder (test/argocd).
func toolsModuleDir() (string, error) {
	dir, err := filepath.Abs("tools")
	if err != nil {
		return "", err
	}
	if _, err := os.Stat(filepath.Join(dir, "go.mod")); err != nil {
		return "", fmt.Errorf("find the Argo CD tools module: %w", err)
	}
	return dir, nil
}
