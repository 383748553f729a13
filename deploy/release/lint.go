package main

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path"
	"path/filepath"
	"regexp"
	"slices"
	"strings"

	"sigs.k8s.io/yaml"
)

// Lint checks release.yaml against the repository at root: what it names exists, the
// platforms are real Go ports, the image is fit for Argo CD's sidecar conventions, and every
// install snippet names the image a release publishes, at the chart's appVersion. It returns
// every problem, one per line.
func Lint(root string, cfg *Config) error {
	var errs []error
	fail := func(format string, a ...any) { errs = append(errs, fmt.Errorf(format, a...)) }
	exists := func(rel string) bool { _, err := os.Stat(filepath.Join(root, rel)); return err == nil }

	if cfg.Project == "" {
		fail("project: empty")
	}
	if !exists(filepath.Join(cfg.Main, "main.go")) {
		fail("main: %s has no main.go", cfg.Main)
	}
	if err := checkVersionVariable(root, cfg.VersionVariable); err != nil {
		errs = append(errs, err)
	}
	ports, err := goPorts()
	if err != nil {
		errs = append(errs, err)
	}
	for _, s := range cfg.Platforms {
		if _, err := ParsePlatform(s); err != nil {
			fail("platforms: %v", err)
		} else if ports != nil && !ports[s] {
			fail("platforms: %s is not a Go port (go tool dist list)", s)
		}
	}
	for _, f := range []string{"LICENSE", "NOTICE"} {
		if !slices.Contains(cfg.Archive.Files, f) {
			fail("archive.files: must ship %s (Apache-2.0, section 4)", f)
		}
	}
	for _, f := range cfg.Archive.Files {
		if !exists(f) {
			fail("archive.files: %s does not exist", f)
		}
	}

	im := cfg.Image
	if im.Repository == "" || im.Repository != strings.ToLower(im.Repository) || strings.Contains(im.Repository, ":") {
		fail("image.repository: %q: want a lower-case repository without a tag, e.g. ghcr.io/org/wavecheck", im.Repository)
	}
	for _, s := range im.Platforms {
		if !slices.Contains(cfg.Platforms, s) || !strings.HasPrefix(s, "linux/") {
			fail("image.platforms: %s must be a linux platform listed in platforms", s)
		}
	}
	if _, _, err := parseUser(im.User); err != nil {
		fail("image.user: %v", err)
	}
	errs = append(errs, checkBinaries(cfg.Project, im)...)
	if want := []string{"/var/run/argocd/argocd-cmp-server"}; !slices.Equal(im.Entrypoint, want) {
		fail("image.entrypoint: %q: Argo CD's sidecar convention is %q", im.Entrypoint, want)
	}
	if !exists(im.PluginConfig) {
		fail("image.pluginConfig: %s does not exist", im.PluginConfig)
	}
	if err := checkSnippets(root, im); err != nil {
		errs = append(errs, err)
	}
	return errors.Join(errs...)
}

// checkBinaries checks the image's builds: each an absolute path of its own and a sidecar build
// (-tags sidecar: no replay or plan); the first named after the project, on PATH (plugin.yaml
// runs it by name) and the lite build (-tags sidecar,nohelm: no Helm SDK); and next to it, in the
// same directory, <project>-helm built with Helm (sidecar without nohelm), which the lite build
// execs from its own executable's directory when an app needs Helm.
func checkBinaries(project string, im ImageConfig) []error {
	var errs []error
	fail := func(format string, a ...any) { errs = append(errs, fmt.Errorf(format, a...)) }
	if len(im.Binaries) == 0 {
		fail("image.binaries: empty; want /usr/local/bin/%s (tags sidecar, nohelm) and %s-helm next to it (tags sidecar)", project, project)
		return errs
	}
	seen := map[string]bool{}
	for i, b := range im.Binaries {
		if !path.IsAbs(b.Path) || path.Clean(b.Path) != b.Path || strings.HasSuffix(b.Path, "/") {
			fail("image.binaries[%d].path: %q: want a clean absolute file path, e.g. /usr/local/bin/%s", i, b.Path, project)
		}
		if seen[b.Path] {
			fail("image.binaries[%d].path: %s is listed twice", i, b.Path)
		}
		seen[b.Path] = true
		if !slices.Contains(b.Tags, "sidecar") {
			fail("image.binaries[%d].tags: %s must be a sidecar build (-tags sidecar: no replay or plan)", i, b.Path)
		}
	}
	lite := im.Binaries[0]
	if lite.Name() != project {
		fail("image.binaries[0].path: %q: want an absolute path ending in /%s (plugin.yaml runs it by name)", lite.Path, project)
	}
	if !slices.Contains(lite.Tags, "nohelm") {
		fail("image.binaries[0].tags: %s must be the lite build, tags [sidecar, nohelm] (no Helm SDK: half the start-up of every generate)", lite.Path)
	}
	dir := path.Dir(lite.Path)
	if !slices.ContainsFunc(im.Env, func(e string) bool {
		list, ok := strings.CutPrefix(e, "PATH=")
		return ok && slices.Contains(filepath.SplitList(list), dir)
	}) {
		fail("image.env: PATH must hold %s (plugin.yaml runs %s by name)", dir, project)
	}
	helm := path.Join(dir, project+"-helm")
	i := slices.IndexFunc(im.Binaries, func(b ImageBinary) bool { return b.Path == helm })
	switch {
	case i < 0:
		fail("image.binaries: no %s: the lite build execs %s-helm from its own directory when an app needs Helm; add it with tags [sidecar]", helm, project)
	case slices.Contains(im.Binaries[i].Tags, "nohelm"):
		fail("image.binaries[%d].tags: %s must link Helm (tags [sidecar], without nohelm): the lite build delegates Helm apps to it", i, helm)
	}
	return errs
}

// checkVersionVariable checks that pkg.Name is a package of the repository's module declaring
// Name (so -X really sets something: the linker ignores an unknown -X silently).
func checkVersionVariable(root, v string) error {
	dot := strings.LastIndex(v, ".")
	if dot < 0 {
		return fmt.Errorf("versionVariable: %q: want import/path.Name", v)
	}
	pkg, name := v[:dot], v[dot+1:]
	gomod, err := os.ReadFile(filepath.Join(root, "go.mod"))
	if err != nil {
		return err
	}
	m := regexp.MustCompile(`(?m)^module\s+(\S+)`).FindSubmatch(gomod)
	if m == nil {
		return fmt.Errorf("%s/go.mod: no module line", root)
	}
	rel, ok := strings.CutPrefix(pkg, string(m[1])+"/")
	if !ok {
		return fmt.Errorf("versionVariable: %s is not in module %s", pkg, m[1])
	}
	files, _ := filepath.Glob(filepath.Join(root, rel, "*.go"))
	decl := regexp.MustCompile(`(?m)^var\s+` + regexp.QuoteMeta(name) + `\s*=\s*"`)
	for _, f := range files {
		if b, err := os.ReadFile(f); err == nil && decl.Match(b) {
			return nil
		}
	}
	return fmt.Errorf("versionVariable: no `var %s = \"...\"` in %s", name, rel)
}

// goPorts is `go tool dist list`.
func goPorts() (map[string]bool, error) {
	out, err := exec.Command("go", "tool", "dist", "list").Output()
	if err != nil {
		return nil, fmt.Errorf("go tool dist list: %w", err)
	}
	ports := map[string]bool{}
	for _, l := range strings.Fields(string(out)) {
		ports[l] = true
	}
	return ports, nil
}

// checkSnippets: every snippet names repository:v<appVersion> and no other image of wavecheck
// (no other tag, no placeholder registry).
func checkSnippets(root string, im ImageConfig) error {
	var chart struct {
		AppVersion string `json:"appVersion"`
	}
	b, err := os.ReadFile(filepath.Join(root, "charts/wavecheck/Chart.yaml"))
	if err != nil {
		return err
	}
	if err := yaml.Unmarshal(b, &chart); err != nil {
		return fmt.Errorf("charts/wavecheck/Chart.yaml: %w", err)
	}
	if chart.AppVersion == "" {
		return errors.New("charts/wavecheck/Chart.yaml: no appVersion")
	}
	want := im.Repository + ":v" + chart.AppVersion
	other := regexp.MustCompile(`[a-z0-9.-]+(?::[0-9]+)?(?:/[a-z0-9._-]+)*/wavecheck:[A-Za-z0-9._{}<>-]+`)
	var errs []error
	if len(im.Snippets) == 0 {
		errs = append(errs, errors.New("image.snippets: empty"))
	}
	for _, s := range im.Snippets {
		b, err := os.ReadFile(filepath.Join(root, s))
		if err != nil {
			errs = append(errs, fmt.Errorf("image.snippets: %w", err))
			continue
		}
		text := string(b)
		if !strings.Contains(text, want) {
			errs = append(errs, fmt.Errorf("%s: does not name the released image %s", s, want))
		}
		for _, ref := range other.FindAllString(text, -1) {
			if ref != want && !strings.HasPrefix(ref, im.Repository+":v{{") {
				errs = append(errs, fmt.Errorf("%s: names %s; the release publishes %s (chart appVersion %s)", s, ref, want, chart.AppVersion))
			}
		}
	}
	return errors.Join(errs...)
}
