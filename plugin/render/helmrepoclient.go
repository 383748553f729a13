//go:build !nohelm

package render

// The client of one chart repository: an HTTP repository's index and archives, or an OCI
// registry's tags and blobs (PullChart).

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strings"

	"helm.sh/helm/v4/pkg/registry"
	"helm.sh/helm/v4/pkg/repo/v1"
	"sigs.k8s.io/yaml"

	"github.com/wavecheck/wavecheck/internal/atomicfile"
)

// chartRepoClient talks to the repository of one chart source.
type chartRepoClient struct {
	src      ChartSource
	d        Dependencies
	opts     Options
	cacheDir string
	index    []byte   // the HTTP index, once read
	listed   []string // its versions of the chart
}

// resolve returns the version targetRevision selects (newHelmClientResolveRevision): an
// exact version as written, a constraint against the versions offered.
func (r *chartRepoClient) resolve(ctx context.Context) (string, error) {
	if v, err := ResolveChartVersion(r.src.TargetRevision, nil); err == nil {
		return v, nil
	}
	versions, err := r.versions(ctx)
	if err != nil {
		return "", err
	}
	v, err := ResolveChartVersion(r.src.TargetRevision, versions)
	if err != nil {
		return "", fmt.Errorf("chart %s from %s: %w", r.src.Chart, r.src.RepoURL, err)
	}
	return v, nil
}

// versions lists the versions of the chart: the entries of the HTTP repository's index
// (util/helm.Index.GetEntries, Tags) or the registry's tags ("_" read as "+"), downloaded, or
// with --offline read from the copy cached by the last download.
func (r *chartRepoClient) versions(ctx context.Context) ([]string, error) {
	listFile := filepath.Join(r.cacheDir, "charts", "versions-"+chartKey(r.src, "")+".yaml")
	var data []byte
	if !r.d.Fetch {
		var err error
		if data, err = os.ReadFile(listFile); err != nil { //nolint:gosec // an entry of wavecheck's own cache
			return nil, fmt.Errorf("chart %s from %s: targetRevision %q is a constraint and the versions of the chart are not in the cache %s, and --offline refuses the network: run once without --offline, or pin an exact version", r.src.Chart, r.src.RepoURL, r.src.TargetRevision, r.cacheDir)
		}
	}
	var versions []string
	if data == nil {
		var err error
		if r.src.IsOCI() {
			versions, err = r.ociTags()
		} else {
			versions, err = r.indexVersions(ctx)
		}
		if err != nil {
			return nil, err
		}
		if out, err := yaml.Marshal(versions); err == nil {
			if err := atomicfile.Write(listFile, out, 0o755); err != nil {
				slog.Warn("cache helm chart versions", "file", listFile, "err", err)
			}
		}
		return versions, nil
	}
	if err := yaml.Unmarshal(data, &versions); err != nil {
		return nil, fmt.Errorf("cached versions %s: %w", listFile, err)
	}
	return versions, nil
}

// indexVersions reads the repository's index.yaml (util/helm.nativeHelmChart.GetIndex: every
// entry of the chart, as written) and keeps it for the download.
func (r *chartRepoClient) indexVersions(ctx context.Context) ([]string, error) {
	u, err := url.Parse(r.src.RepoURL)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, fmt.Errorf("repoURL %q of chart %s is neither an http(s) chart repository nor an OCI registry (host/path without scheme)", r.src.RepoURL, r.src.Chart)
	}
	u.Path = path.Join(u.Path, "index.yaml")
	u.RawPath = ""
	data, err := r.get(ctx, u.String())
	if err != nil {
		return nil, err
	}
	var idx struct {
		Entries map[string][]struct {
			Version string `json:"version"`
		} `json:"entries"`
	}
	if err := yaml.Unmarshal(data, &idx); err != nil {
		return nil, fmt.Errorf("chart repository %s: read index.yaml: %w", r.src.RepoURL, err)
	}
	entries, ok := idx.Entries[r.src.Chart]
	if !ok {
		names := make([]string, 0, len(idx.Entries))
		for n := range idx.Entries {
			names = append(names, n)
		}
		slices.Sort(names)
		return nil, fmt.Errorf("chart '%s' not found in the index of %s (it has %s)", r.src.Chart, r.src.RepoURL, listOrNone(names))
	}
	r.index = data
	r.listed = make([]string, 0, len(entries))
	for _, e := range entries {
		r.listed = append(r.listed, e.Version)
	}
	return r.listed, nil
}

func listOrNone(names []string) string {
	if len(names) == 0 {
		return "no chart"
	}
	if len(names) > 10 {
		return strings.Join(names[:10], ", ") + fmt.Sprintf(" and %d more", len(names)-10)
	}
	return strings.Join(names, ", ")
}

// download fetches the archive of version: `helm pull --repo URL chart --version V` (Helm's
// IndexFile.Get picks the entry, its first URL resolved against the repository URL), or
// `helm pull oci://repo/chart --version V`.
func (r *chartRepoClient) download(ctx context.Context, version string) ([]byte, error) {
	if r.src.IsOCI() {
		return r.ociPull(version)
	}
	if r.index == nil {
		if _, err := r.indexVersions(ctx); err != nil {
			return nil, err
		}
	}
	tmp, err := os.CreateTemp(r.cacheDir, "index-*.yaml")
	if err != nil {
		return nil, err
	}
	defer func() { _ = os.Remove(tmp.Name()) }()
	_, werr := tmp.Write(r.index)
	if err := errors.Join(werr, tmp.Close()); err != nil {
		return nil, err
	}
	idx, err := repo.LoadIndexFile(tmp.Name())
	if err != nil {
		return nil, fmt.Errorf("chart repository %s: read index.yaml: %w", r.src.RepoURL, err)
	}
	cv, err := idx.Get(r.src.Chart, version)
	if err != nil {
		newest := newestVersion(r.listed)
		if newest == "" {
			newest = "none"
		}
		return nil, fmt.Errorf("chart %s version %s is not in the index of %s (the newest of %d versions is %s): %w", r.src.Chart, version, r.src.RepoURL, len(r.listed), newest, err)
	}
	if len(cv.URLs) == 0 {
		return nil, fmt.Errorf("chart %s %s in the index of %s has no URL", r.src.Chart, version, r.src.RepoURL)
	}
	u, err := repo.ResolveReferenceURL(r.src.RepoURL, cv.URLs[0])
	if err != nil {
		return nil, fmt.Errorf("chart %s %s: %w", r.src.Chart, version, err)
	}
	return r.get(ctx, u)
}

// entry is the user's repositories.yaml entry of the repository (credentials, TLS), or a
// bare one.
func (r *chartRepoClient) entry() (*repo.Entry, error) {
	f, err := repo.LoadFile(r.d.repositoryConfig())
	if err != nil && !errors.Is(err, os.ErrNotExist) {
		return nil, fmt.Errorf("read Helm repositories %s: %w", r.d.repositoryConfig(), err)
	}
	if f != nil {
		for _, e := range f.Repositories {
			if strings.TrimSuffix(e.URL, "/") == strings.TrimSuffix(r.src.RepoURL, "/") {
				return e, nil
			}
		}
	}
	return &repo.Entry{URL: r.src.RepoURL}, nil
}

// get downloads u with the repository's credentials (sent to other hosts only with
// passCredentials, as Helm's HTTP getter does), at most MaxTotalBytes.
func (r *chartRepoClient) get(ctx context.Context, u string) ([]byte, error) {
	e, err := r.entry()
	if err != nil {
		return nil, err
	}
	client, err := httpClient(e)
	if err != nil {
		return nil, fmt.Errorf("chart repository %s: %w", r.src.RepoURL, err)
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, http.NoBody)
	if err != nil {
		return nil, err
	}
	req.Header.Set("User-Agent", "wavecheck")
	if e.Username != "" && e.Password != "" {
		base, err1 := url.Parse(e.URL)
		target, err2 := url.Parse(u)
		if r.src.PassCredentials || e.PassCredentialsAll || (err1 == nil && err2 == nil && base.Scheme == target.Scheme && base.Host == target.Host) {
			req.SetBasicAuth(e.Username, e.Password)
		}
	}
	resp, err := client.Do(req)
	if err != nil {
		if errors.Is(err, context.DeadlineExceeded) {
			return nil, fmt.Errorf("chart repository %s: GET %s: no answer within the %s render deadline (%s)", r.src.RepoURL, u, r.opts.timeout(), LimitTimeout.Flag)
		}
		return nil, fmt.Errorf("chart repository %s cannot be reached: %w", r.src.RepoURL, unwrapURLError(err))
	}
	defer func() { _ = resp.Body.Close() }()
	if resp.StatusCode != http.StatusOK {
		hint := ""
		if resp.StatusCode == http.StatusUnauthorized || resp.StatusCode == http.StatusForbidden {
			hint = " (credentials come from Helm's repositories.yaml entry of this URL, HELM_REPOSITORY_CONFIG)"
		}
		return nil, fmt.Errorf("chart repository %s: GET %s: %s%s", r.src.RepoURL, u, resp.Status, hint)
	}
	limit := r.opts.maxTotal()
	data, err := io.ReadAll(io.LimitReader(resp.Body, limit+1))
	if err != nil {
		return nil, fmt.Errorf("chart repository %s: GET %s: %w", r.src.RepoURL, u, err)
	}
	if int64(len(data)) > limit {
		return nil, fmt.Errorf("chart repository %s: GET %s: %w", r.src.RepoURL, u, limitErr("the download is larger than the %d-byte total limit", LimitTotal, limit))
	}
	return data, nil
}

func unwrapURLError(err error) error {
	if ue, ok := errors.AsType[*url.Error](err); ok {
		return ue.Err
	}
	return err
}

// httpClient is an HTTP client with the entry's TLS settings (CA, client certificate,
// insecure_skip_tls_verify).
func httpClient(e *repo.Entry) (*http.Client, error) {
	conf := &tls.Config{InsecureSkipVerify: e.InsecureSkipTLSVerify, MinVersion: tls.VersionTLS12} //nolint:gosec // the user's own insecure_skip_tls_verify
	if e.CAFile != "" {
		pem, err := os.ReadFile(e.CAFile)
		if err != nil {
			return nil, fmt.Errorf("read caFile: %w", err)
		}
		pool := x509.NewCertPool()
		if !pool.AppendCertsFromPEM(pem) {
			return nil, fmt.Errorf("caFile %s holds no PEM certificate", e.CAFile)
		}
		conf.RootCAs = pool
	}
	if e.CertFile != "" && e.KeyFile != "" {
		cert, err := tls.LoadX509KeyPair(e.CertFile, e.KeyFile)
		if err != nil {
			return nil, fmt.Errorf("read certFile and keyFile: %w", err)
		}
		conf.Certificates = []tls.Certificate{cert}
	}
	tr := http.DefaultTransport.(*http.Transport).Clone()
	tr.TLSClientConfig = conf
	return &http.Client{Transport: tr}, nil
}

// registryClient is Helm's OCI registry client with the user's registry credentials.
func (r *chartRepoClient) registryClient() (*registry.Client, error) {
	opts := []registry.ClientOption{
		registry.ClientOptWriter(io.Discard),
		registry.ClientOptCredentialsFile(r.d.registryConfig()),
	}
	if r.d.PlainHTTP {
		opts = append(opts, registry.ClientOptPlainHTTP())
	}
	rc, err := registry.NewClient(opts...)
	if err != nil {
		return nil, fmt.Errorf("create registry client: %w", err)
	}
	return rc, nil
}

func (r *chartRepoClient) ociRef() string {
	return strings.TrimSuffix(r.src.RepoURL, "/") + "/" + r.src.Chart
}

// ociTags lists the tags of repo/chart (util/helm.nativeHelmChart.GetTags). Helm's client
// returns the strict semver tags only; the others can never satisfy a constraint anyway.
func (r *chartRepoClient) ociTags() ([]string, error) {
	rc, err := r.registryClient()
	if err != nil {
		return nil, err
	}
	tags, err := rc.Tags(r.ociRef())
	if err != nil {
		// oras reports an unknown repository as a 404 (NAME_UNKNOWN) of the tags list.
		if strings.Contains(err.Error(), "status code 404") {
			return nil, fmt.Errorf("chart '%s' not found in OCI registry %s (%s has no tags: %w)", r.src.Chart, r.src.RepoURL, r.ociRef(), err)
		}
		return nil, fmt.Errorf("OCI registry %s cannot be read: list the tags of %s: %w", r.src.RepoURL, r.ociRef(), err)
	}
	if len(tags) == 0 {
		return nil, fmt.Errorf("chart '%s' not found in OCI registry %s (no version tag in %s)", r.src.Chart, r.src.RepoURL, r.ociRef())
	}
	return tags, nil
}

func (r *chartRepoClient) ociPull(version string) ([]byte, error) {
	rc, err := r.registryClient()
	if err != nil {
		return nil, err
	}
	ref := r.ociRef() + ":" + strings.ReplaceAll(version, "+", "_")
	res, err := rc.Pull(ref, registry.PullOptWithChart(true))
	if err != nil {
		return nil, fmt.Errorf("chart %s version %s from OCI registry %s: pull %s: %w", r.src.Chart, version, r.src.RepoURL, ref, err)
	}
	if int64(len(res.Chart.Data)) > r.opts.maxTotal() {
		return nil, fmt.Errorf("OCI registry %s: pull %s: %w", r.src.RepoURL, ref, limitErr("the download is larger than the %d-byte total limit", LimitTotal, r.opts.maxTotal()))
	}
	return res.Chart.Data, nil
}
