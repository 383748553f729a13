//go:build !nohelm

package render

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path"
	"path/filepath"
	"strings"

	"github.com/wavecheck/wavecheck/internal/atomicfile"
)

// PullChart fetches the chart of src as Argo CD's repo-server does for a Helm source
// (reposerver/repository.runManifestGenAsync, v3.6.1): the targetRevision is resolved against
// the repository's index or the registry's tags (newHelmClientResolveRevision,
// ResolveChartVersion), the archive is downloaded (util/helm.nativeHelmChart.ExtractChart:
// `helm pull`) and extracted into a fresh directory, the chart being its <chart name>
// directory. Archives are cached under Dependencies.CacheDir by repository URL, chart and
// version (ExtractChart's getCachedChartPath); without Dependencies.Fetch (--offline) only the
// cache is used, a constraint being resolved against the index or tags last downloaded.
// Credentials come from Helm's repositories.yaml (HTTP, entry of the same URL) and registry
// config (OCI); downloads count against MaxTotalBytes, extracted files against MaxFileBytes
// and MaxTotalBytes. Nothing is written outside the cache.
func PullChart(ctx context.Context, src ChartSource, opts Options) (*PulledChart, error) {
	if src.Chart == "" {
		return nil, errors.New("no chart given")
	}
	if strings.HasPrefix(src.RepoURL, "oci://") {
		// reposerver/repository.runManifestGenAsync tests source.IsOCI (the oci:// prefix)
		// before source.IsHelm: such a source is an OCI artifact, the chart field unused.
		return nil, fmt.Errorf("repoURL %s is an Argo CD OCI artifact source (oci://), which wavecheck does not fetch; for a Helm chart in an OCI registry write the repoURL without oci:// (Argo CD's Helm OCI form)", src.RepoURL)
	}
	if src.TargetRevision == "" {
		// util/argo.validateSourcePermissions refuses the Application.
		return nil, errors.New("spec.source.targetRevision is required if the manifest source is a helm chart (Argo CD refuses the Application without it; \"*\" is the newest version)")
	}
	// The download shares the render deadline (--render-timeout).
	if opts.Timeout >= 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, opts.timeout())
		defer cancel()
	}
	d := opts.Dependencies
	cacheDir, err := d.cacheDir()
	if err != nil {
		return nil, err
	}
	r := &chartRepoClient{src: src, d: d, opts: opts, cacheDir: cacheDir}
	version, err := r.resolve(ctx)
	if err != nil {
		return nil, err
	}
	archivePath := filepath.Join(cacheDir, "charts", chartKey(src, version)+".tgz")
	data, cached := []byte(nil), false
	if st, err := os.Stat(archivePath); err == nil && st.Mode().IsRegular() && st.Size() <= opts.maxTotal() {
		if data, err = os.ReadFile(archivePath); err == nil { //nolint:gosec // an entry of wavecheck's own cache
			cached = true
		}
	}
	if !cached {
		if !d.Fetch {
			return nil, fmt.Errorf("chart %s %s from %s is not in the cache %s, and --offline refuses the network: run once without --offline", src.Chart, version, src.RepoURL, cacheDir)
		}
		if data, err = r.download(ctx, version); err != nil {
			return nil, err
		}
		if err := atomicfile.Write(archivePath, data, 0o755); err != nil {
			slog.Warn("cache helm chart", "file", archivePath, "err", err)
		}
	}
	slog.Debug("helm chart", "repo", src.RepoURL, "chart", src.Chart, "version", version, "cached", cached)
	if err := os.MkdirAll(cacheDir, 0o755); err != nil { //nolint:gosec // a cache directory, readable like Helm's own cache
		return nil, fmt.Errorf("create cache: %w", err)
	}
	tmp, err := os.MkdirTemp(cacheDir, "chart-")
	if err != nil {
		return nil, fmt.Errorf("create chart directory: %w", err)
	}
	p := &PulledChart{Dir: filepath.Join(tmp, normalizeChartName(src.Chart)), Version: version, Cached: cached, tmp: tmp}
	if err := untarChart(tmp, data, opts); err != nil {
		_ = p.Close()
		return nil, fmt.Errorf("chart %s %s from %s: %w", src.Chart, version, src.RepoURL, err)
	}
	if st, err := os.Stat(p.Dir); err != nil || !st.IsDir() {
		_ = p.Close()
		return nil, fmt.Errorf("chart %s %s from %s: the archive has no directory %s/ (helm pull extracts the chart there)", src.Chart, version, src.RepoURL, normalizeChartName(src.Chart))
	}
	return p, nil
}

// normalizeChartName is util/helm.normalizeChartName: the last element of the chart name.
func normalizeChartName(chart string) string {
	_, nc := path.Split(chart)
	if nc == "" || nc == "." || nc == ".." {
		return chart
	}
	return nc
}

// chartKey keys a chart archive in the cache (util/helm.getCachedChartPath: url, chart and
// version).
func chartKey(src ChartSource, version string) string {
	h := sha256.Sum256(fmt.Appendf(nil, "wavecheck-helm-chart/v1\x00%s\x00%s\x00%s", strings.TrimSuffix(src.RepoURL, "/"), src.Chart, version))
	return hex.EncodeToString(h[:16])
}

// untarChart extracts a chart archive into dir as util/helm.untarChart (files.Untgz) does,
// with every file under MaxFileBytes and all of them under MaxTotalBytes; names leaving dir
// and links are refused.
func untarChart(dir string, data []byte, opts Options) error {
	zr, err := gzip.NewReader(bytes.NewReader(data))
	if err != nil {
		return fmt.Errorf("read chart archive: %w", err)
	}
	defer func() { _ = zr.Close() }()
	tr := tar.NewReader(zr)
	var total int64
	for {
		hd, err := tr.Next()
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			return fmt.Errorf("read chart archive: %w", err)
		}
		name := path.Clean(strings.ReplaceAll(hd.Name, "\\", "/"))
		if path.IsAbs(name) || name == ".." || strings.HasPrefix(name, "../") {
			return fmt.Errorf("read chart archive: %s leaves the archive", hd.Name)
		}
		p := filepath.Join(dir, filepath.FromSlash(name))
		switch hd.Typeflag {
		case tar.TypeDir:
			if err := os.MkdirAll(p, 0o755); err != nil { //nolint:gosec // a temporary chart directory in the cache
				return err
			}
			continue
		case tar.TypeReg:
		case tar.TypeXGlobalHeader:
			continue
		default:
			return fmt.Errorf("read chart archive: %s is not a regular file (links are not extracted)", hd.Name)
		}
		content, err := io.ReadAll(io.LimitReader(tr, opts.maxFile()+1))
		if err != nil {
			return fmt.Errorf("read chart archive: %s: %w", hd.Name, err)
		}
		if int64(len(content)) > opts.maxFile() {
			return &Error{File: name, Err: limitErr("the file is larger than the %d-byte limit", LimitFile, opts.maxFile())}
		}
		if total += int64(len(content)); total > opts.maxTotal() {
			return limitErr("the extracted chart is larger than the %d-byte total limit", LimitTotal, opts.maxTotal())
		}
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil { //nolint:gosec // a temporary chart directory in the cache
			return err
		}
		if err := os.WriteFile(p, content, 0o644); err != nil { //nolint:gosec // a temporary chart directory in the cache
			return err
		}
	}
}
