//go:build !nohelm

package render

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"os"
	"path"
	"path/filepath"
	"regexp"
	"slices"
	"strings"

	"helm.sh/helm/v4/pkg/chart/loader/archive"
	chartv2 "helm.sh/helm/v4/pkg/chart/v2"
	"helm.sh/helm/v4/pkg/chart/v2/loader"
	"helm.sh/helm/v4/pkg/downloader"
	"helm.sh/helm/v4/pkg/getter"
	"helm.sh/helm/v4/pkg/helmpath"
	"helm.sh/helm/v4/pkg/registry"
	"helm.sh/helm/v4/pkg/repo/v1"
	"sigs.k8s.io/yaml"
)

func (d Dependencies) cacheDir() (string, error) {
	if d.CacheDir != "" {
		return filepath.Abs(d.CacheDir)
	}
	c, err := os.UserCacheDir()
	if err != nil {
		return "", fmt.Errorf("find the cache directory (set XDG_CACHE_HOME): %w", err)
	}
	return filepath.Join(c, "wavecheck", "helm"), nil
}

func (d Dependencies) repositoryConfig() string {
	return firstOf(d.RepositoryConfig, os.Getenv("HELM_REPOSITORY_CONFIG"), helmpath.ConfigPath("repositories.yaml"))
}

func (d Dependencies) registryConfig() string {
	return firstOf(d.RegistryConfig, os.Getenv("HELM_REGISTRY_CONFIG"), helmpath.ConfigPath("registry", "config.json"))
}

func firstOf(s ...string) string {
	for _, v := range s {
		if v != "" {
			return v
		}
	}
	return ""
}

// missingDependencies are the dependencies of ch without a subchart of their name, as
// action.CheckDependencies finds them (by chart name: an alias does not matter).
func missingDependencies(ch *chartv2.Chart) []*chartv2.Dependency {
	have := map[string]bool{}
	for _, d := range ch.Dependencies() {
		have[d.Name()] = true
	}
	var out []*chartv2.Dependency
	for _, d := range ch.Metadata.Dependencies {
		if !have[d.Name] {
			out = append(out, d)
		}
	}
	return out
}

// needsNetwork reports whether building dep downloads it (not a file:// or charts/ one).
func needsNetwork(dep *chartv2.Dependency) bool {
	return dep.Repository != "" && !strings.HasPrefix(dep.Repository, "file://")
}

// buildDependencies runs `helm dependency build` for the chart in dir (its files already
// read) and returns its files with charts/ as the build leaves it: downloaded archives added
// or replaced, outdated archives removed, local dependencies kept (downloader.safeMoveDeps).
func buildDependencies(ctx context.Context, b *bounds, dir string, files []*archive.BufferedFile, ch *chartv2.Chart, missing []*chartv2.Dependency, d Dependencies) ([]*archive.BufferedFile, error) {
	chartFile := path.Join(b.rel(dir), "Chart.yaml")
	fail := func(err error) error { return &Error{File: chartFile, Err: err} }
	cacheDir, err := d.cacheDir()
	if err != nil {
		return nil, fail(err)
	}
	key, cacheable := lockKey(ch)
	final := filepath.Join(cacheDir, "deps", key)
	if cacheable {
		if got, err := readCachedArchives(b, final); err == nil {
			slog.Debug("helm dependencies from the cache", "chart", ch.Name(), "cache", final)
			return mergeCharts(files, got, ch), nil
		}
	}
	if !d.Fetch {
		// helm dependency build fetches every dependency with a repository, not only the
		// missing ones: refuse when any needs the network, naming a missing one first.
		deps := append(slices.Clone(missing), ch.Metadata.Dependencies...)
		if i := slices.IndexFunc(deps, needsNetwork); i >= 0 {
			dep := deps[i]
			return nil, fail(fmt.Errorf("chart %s: dependency %s %s from %s is not vendored under charts/ nor cached in %s, and --offline refuses the network: run once without --offline, or vendor it with `helm dependency build`",
				ch.Name(), dep.Name, dep.Version, dep.Repository, cacheDir))
		}
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	got, err := runDependencyBuild(b, dir, files, ch, missing, cacheDir, d)
	if err != nil {
		return nil, fail(err)
	}
	if cacheable {
		if err := writeCachedArchives(cacheDir, final, got); err != nil {
			slog.Warn("cache helm dependencies", "dir", final, "err", err)
		}
	}
	return mergeCharts(files, got, ch), nil
}

// lockKey keys a locked chart's dependencies: the lock digest (Helm's hash of Chart.yaml's
// dependencies and the locked versions) and every locked name, version and repository. A
// chart without Chart.lock (versions resolved at build time) or with file:// dependencies
// (local content) is not cached.
func lockKey(ch *chartv2.Chart) (string, bool) {
	if ch.Lock == nil {
		return "", false
	}
	// Chart.yaml's dependencies are in the key too: when they change without a new lock,
	// the build runs and refuses the out-of-sync lock as helm does.
	req, err := json.Marshal(ch.Metadata.Dependencies)
	if err != nil {
		return "", false
	}
	h := sha256.New()
	_, _ = fmt.Fprintf(h, "wavecheck-helm-deps/v1\x00%s\x00%s\x00%s\x00", ch.Metadata.APIVersion, ch.Lock.Digest, req)
	for _, dep := range ch.Lock.Dependencies {
		if strings.HasPrefix(dep.Repository, "file://") {
			return "", false
		}
		_, _ = fmt.Fprintf(h, "%s\x00%s\x00%s\x00", dep.Name, dep.Version, dep.Repository)
	}
	return hex.EncodeToString(h.Sum(nil))[:32], true
}

// runDependencyBuild copies the chart to a temporary directory (mirroring its place in the
// repository, so that file:// dependencies resolve to their real directories through links),
// writes a repositories.yaml holding what Argo CD would add, runs Manager.Build and returns
// the archives it left in charts/ that the repository does not hold byte for byte.
func runDependencyBuild(b *bounds, dir string, files []*archive.BufferedFile, ch *chartv2.Chart, missing []*chartv2.Dependency, cacheDir string, d Dependencies) (map[string][]byte, error) {
	if err := os.MkdirAll(cacheDir, 0o755); err != nil { //nolint:gosec // a cache directory, readable like Helm's own cache
		return nil, fmt.Errorf("create cache: %w", err)
	}
	tmp, err := os.MkdirTemp(cacheDir, "build-")
	if err != nil {
		return nil, fmt.Errorf("create build directory: %w", err)
	}
	defer func() { _ = os.RemoveAll(tmp) }()
	relDir := b.rel(dir)
	if filepath.IsAbs(relDir) {
		relDir = filepath.Base(dir)
	}
	chartDir := filepath.Join(tmp, "repo", filepath.FromSlash(relDir))
	orig := map[string][]byte{}
	for _, f := range files {
		p := filepath.Join(chartDir, filepath.FromSlash(f.Name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil { //nolint:gosec // a temporary copy of the chart inside the cache
			return nil, err
		}
		if err := os.WriteFile(p, f.Data, 0o644); err != nil { //nolint:gosec // a temporary copy of the chart inside the cache
			return nil, err
		}
		if dirName, base, ok := strings.Cut(f.Name, "/"); ok && dirName == "charts" && !strings.Contains(base, "/") {
			orig[base] = f.Data
		}
	}
	if err := linkLocalDependencies(b, dir, filepath.Join(tmp, "repo"), ch); err != nil {
		return nil, err
	}
	reposFile := filepath.Join(tmp, "repositories.yaml")
	if err := writeRepositories(reposFile, d.repositoryConfig(), ch); err != nil {
		return nil, err
	}
	var out bytes.Buffer
	opts := []registry.ClientOption{
		registry.ClientOptEnableCache(true),
		registry.ClientOptWriter(&out),
		registry.ClientOptCredentialsFile(d.registryConfig()),
	}
	if d.PlainHTTP {
		opts = append(opts, registry.ClientOptPlainHTTP())
	}
	rc, err := registry.NewClient(opts...)
	if err != nil {
		return nil, fmt.Errorf("create registry client: %w", err)
	}
	m := &downloader.Manager{
		Out:              &out,
		ChartPath:        chartDir,
		Getters:          getter.Getters(),
		RegistryClient:   rc,
		RepositoryConfig: reposFile,
		RepositoryCache:  filepath.Join(cacheDir, "repository"),
		ContentCache:     filepath.Join(cacheDir, "content"),
		SkipUpdate:       !d.Fetch,
	}
	slog.Debug("helm dependency build", "chart", ch.Name(), "dir", chartDir)
	buildErr := m.Build()
	slog.Debug("helm dependency build output", "chart", ch.Name(), "out", out.String())
	if buildErr != nil {
		return nil, dependencyError(ch, missing, buildErr, out.String())
	}
	got := map[string][]byte{}
	ents, err := os.ReadDir(filepath.Join(chartDir, "charts"))
	if err != nil {
		return nil, fmt.Errorf("read built charts: %w", err)
	}
	for _, e := range ents {
		if !e.Type().IsRegular() {
			continue
		}
		data, err := os.ReadFile(filepath.Join(chartDir, "charts", e.Name())) //nolint:gosec // an archive Helm just built in our temporary directory
		if err != nil {
			return nil, fmt.Errorf("read built charts: %w", err)
		}
		if o, ok := orig[e.Name()]; ok && bytes.Equal(o, data) {
			continue
		}
		if _, err := loader.LoadArchive(bytes.NewReader(data)); err != nil {
			continue // not a chart: safeMoveDeps skips it too
		}
		got[e.Name()] = data
	}
	return got, nil
}

var downloadingRE = regexp.MustCompile(`Downloading (\S+) from repo (\S+)`)
var unreachableRE = regexp.MustCompile(`Unable to get an update from the "([^"]+)" chart repository[^:]*:\s*(.*)`)

// dependencyError is one line naming the chart and the dependency that failed, with Helm's
// reason: the dependency being downloaded when it failed, else the repository that could not
// be reached, else every missing dependency.
func dependencyError(ch *chartv2.Chart, missing []*chartv2.Dependency, err error, out string) error {
	reason := strings.Join(strings.Fields(err.Error()), " ")
	if m := unreachableRE.FindStringSubmatch(out); m != nil {
		// What follows (no cached index) is a consequence: the cause is enough.
		reason = fmt.Sprintf("repository %s cannot be reached: %s", m[1], strings.TrimSpace(m[2]))
	}
	if _, ok := errors.AsType[downloader.ErrRepoNotFound](err); ok {
		reason += " (Argo CD adds https and oci dependency repositories only: list it in Helm's repositories.yaml, HELM_REPOSITORY_CONFIG)"
	}
	var names []string
	if ms := downloadingRE.FindAllStringSubmatch(out, -1); len(ms) > 0 {
		last := ms[len(ms)-1]
		names = append(names, strings.TrimSpace(last[1]+" "+dependencyVersion(ch, last[1]))+" from "+last[2])
	} else {
		for _, d := range missing {
			names = append(names, fmt.Sprintf("%s %s from %s", d.Name, d.Version, cmpOr(d.Repository, "charts/")))
		}
	}
	return fmt.Errorf("chart %s: build dependency %s (helm dependency build, as Argo CD's repo-server runs it): %s",
		ch.Name(), strings.Join(names, ", "), reason)
}

// dependencyVersion is the version of dependency name being built: the locked one, else the
// one of Chart.yaml.
func dependencyVersion(ch *chartv2.Chart, name string) string {
	if ch.Lock != nil {
		for _, d := range ch.Lock.Dependencies {
			if d.Name == name {
				return d.Version
			}
		}
	}
	for _, d := range ch.Metadata.Dependencies {
		if d.Name == name {
			return d.Version
		}
	}
	return ""
}

func cmpOr(a, b string) string {
	if a != "" {
		return a
	}
	return b
}

// linkLocalDependencies makes every file:// dependency resolve in the temporary copy: a link
// at its place in the mirrored repository to its real directory, which must lie inside the
// repository root.
func linkLocalDependencies(b *bounds, dir, mirror string, ch *chartv2.Chart) error {
	for _, dep := range ch.Metadata.Dependencies {
		p, ok := strings.CutPrefix(dep.Repository, "file://")
		if !ok {
			continue
		}
		target := p
		if !filepath.IsAbs(target) {
			target = filepath.Join(dir, filepath.FromSlash(p))
		}
		resolved, err := b.resolve(target)
		if err != nil {
			return fmt.Errorf("dependency %s: %w", dep.Name, err)
		}
		rel, err := filepath.Rel(b.root, resolved)
		if err != nil || rel == "." {
			continue
		}
		link := filepath.Join(mirror, rel)
		if _, err := os.Lstat(link); err == nil {
			continue // inside the copied chart, or linked already
		}
		if err := os.MkdirAll(filepath.Dir(link), 0o755); err != nil { //nolint:gosec // a link folder inside our temporary directory
			return err
		}
		if err := os.Symlink(resolved, link); err != nil {
			return fmt.Errorf("dependency %s: link %s: %w", dep.Name, p, err)
		}
	}
	return nil
}

// writeRepositories writes the repositories.yaml of one build, as Argo CD prepares its helm
// home (reposerver/repository.getHelmRepos and util/helm.DependencyBuild, v3.6.1): every https
// dependency repository is added ("helm repo add", named after its URL with "/" replaced by
// "-") unless the user's repositories.yaml lists it, with its credentials; @name and alias:name
// dependencies use the user's entry of that name. Other user entries are left out, so that
// Helm does not refresh unrelated repositories.
func writeRepositories(dst, userFile string, ch *chartv2.Chart) error {
	user, err := repo.LoadFile(userFile)
	if err != nil && !errors.Is(err, os.ErrNotExist) {
		return fmt.Errorf("read Helm repositories %s: %w", userFile, err)
	}
	if user == nil {
		user = repo.NewFile()
	}
	out := repo.NewFile()
	add := func(e *repo.Entry) {
		if !out.Has(e.Name) {
			out.Add(e)
		}
	}
	for _, dep := range ch.Metadata.Dependencies {
		r := dep.Repository
		if name, ok := strings.CutPrefix(r, "@"); ok {
			if e := user.Get(name); e != nil {
				add(e)
			}
			continue
		}
		if name, ok := strings.CutPrefix(r, "alias:"); ok {
			if e := user.Get(name); e != nil {
				add(e)
			}
			continue
		}
		u, err := url.Parse(r)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") {
			continue
		}
		if i := slices.IndexFunc(user.Repositories, func(e *repo.Entry) bool {
			return strings.TrimSuffix(e.URL, "/") == strings.TrimSuffix(r, "/")
		}); i >= 0 {
			add(user.Repositories[i])
			continue
		}
		if u.Scheme == "https" {
			add(&repo.Entry{Name: strings.ReplaceAll(r, "/", "-"), URL: r})
		}
	}
	data, err := yaml.Marshal(out)
	if err != nil {
		return err
	}
	return os.WriteFile(dst, data, 0o600)
}

// mergeCharts returns files with charts/ as downloader.safeMoveDeps leaves it: the built
// archives added or replacing a file of the same name, and every other top-level archive of
// charts/ that is a chart removed unless it is a local dependency (no repository).
func mergeCharts(files []*archive.BufferedFile, built map[string][]byte, ch *chartv2.Chart) []*archive.BufferedFile {
	local := map[string]bool{}
	for _, d := range ch.Metadata.Dependencies {
		if d.Repository == "" {
			local[d.Name] = true
		}
	}
	out := make([]*archive.BufferedFile, 0, len(files)+len(built))
	for _, f := range files {
		dirName, base, ok := strings.Cut(f.Name, "/")
		if ok && dirName == "charts" && !strings.Contains(base, "/") {
			if _, replaced := built[base]; replaced {
				continue
			}
			if c, err := loader.LoadArchive(bytes.NewReader(f.Data)); err == nil && !local[c.Name()] {
				continue // outdated dependency
			}
		}
		out = append(out, f)
	}
	names := make([]string, 0, len(built))
	for n := range built {
		names = append(names, n)
	}
	slices.Sort(names)
	for _, n := range names {
		out = append(out, &archive.BufferedFile{Name: "charts/" + n, Data: built[n]})
	}
	return out
}

// readCachedArchives reads a cache entry: every archive must load as a chart, and counts
// against the input limits.
func readCachedArchives(b *bounds, dir string) (map[string][]byte, error) {
	ents, err := os.ReadDir(dir)
	if err != nil {
		return nil, err
	}
	got := map[string][]byte{}
	for _, e := range ents {
		data, err := os.ReadFile(filepath.Join(dir, e.Name())) //nolint:gosec // an entry of wavecheck's own cache
		if err != nil {
			return nil, err
		}
		if int64(len(data)) > b.maxFile {
			return nil, fmt.Errorf("cached %s is larger than the %d-byte limit", e.Name(), b.maxFile)
		}
		if _, err := loader.LoadArchive(bytes.NewReader(data)); err != nil {
			return nil, fmt.Errorf("cached %s: %w", e.Name(), err)
		}
		if err := b.charge(int64(len(data))); err != nil {
			return nil, err
		}
		got[e.Name()] = data
	}
	return got, nil
}

// writeCachedArchives stores a build's archives: written to a temporary directory, then
// renamed into place, so that a concurrent run sees a whole entry or none.
func writeCachedArchives(cacheDir, final string, got map[string][]byte) error {
	if err := os.MkdirAll(filepath.Dir(final), 0o755); err != nil { //nolint:gosec // a cache directory, readable like Helm's own cache
		return err
	}
	tmp, err := os.MkdirTemp(cacheDir, "entry-")
	if err != nil {
		return err
	}
	for n, data := range got {
		if err := os.WriteFile(filepath.Join(tmp, n), data, 0o644); err != nil { //nolint:gosec // cached chart archives, public like Helm's own cache
			_ = os.RemoveAll(tmp)
			return err
		}
	}
	if err := os.Rename(tmp, final); err != nil {
		_ = os.RemoveAll(tmp)
		if _, statErr := os.Stat(final); statErr == nil {
			return nil // another run cached it first
		}
		return err
	}
	return nil
}
