//go:build !nohelm

package render

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	chartv2 "helm.sh/helm/v4/pkg/chart/v2"

	"github.com/wavecheck/wavecheck/internal/testfs"
	"github.com/wavecheck/wavecheck/internal/testfs/chartrepo"
)

// webCharts are three versions of chart "web" and one of "db".
func webCharts() []*chartv2.Chart {
	var out []*chartv2.Chart
	for _, v := range []string{"1.0.0", "1.2.0", "2.0.0", "2.1.0-rc.1"} {
		out = append(out, chartrepo.Chart("web", v, map[string]string{
			"values.yaml":       "color: blue\n",
			"templates/cm.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: {{ .Release.Name }}\ndata:\n  version: " + v + "\n  color: {{ .Values.color }}\n",
		}))
	}
	return append(out, chartrepo.Chart("db", "0.1.0", map[string]string{"templates/cm.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: db\n"}))
}

// pullOpts are render options with a private cache and no user repositories.yaml.
func pullOpts(t *testing.T, fetch bool, cache string) Options {
	t.Helper()
	return Options{Dependencies: Dependencies{Fetch: fetch, CacheDir: cache, RepositoryConfig: filepath.Join(t.TempDir(), "none.yaml")}}
}

// TestPullChart: targetRevision is resolved as Argo CD resolves it, the chart is extracted
// into its own directory, and every bad input is one error naming the chart and the reason.
func TestPullChart(t *testing.T) {
	r := chartrepo.New(t, "", "", webCharts()...)
	release := make(chan struct{})
	hang := httptest.NewServer(http.HandlerFunc(func(_ http.ResponseWriter, req *http.Request) {
		select {
		case <-release:
		case <-req.Context().Done():
		}
	}))
	t.Cleanup(hang.Close)
	t.Cleanup(func() { close(release) })
	tests := []struct {
		name, repoURL, chart, revision string
		want                           string // version, or a substring of the error
		wantErr                        bool
	}{
		{"exact version", r.URL, "web", "1.0.0", "1.0.0", false},
		{"wildcard constraint", r.URL, "web", "1.*", "1.2.0", false},
		{"range constraint", r.URL, "web", ">=1.0 <2", "1.2.0", false},
		{"star is the newest stable", r.URL, "web", "*", "2.0.0", false},
		{"caret", r.URL, "web", "^1.0.0", "1.2.0", false},
		{"trailing slash on the URL", r.URL + "/", "web", "2.0.0", "2.0.0", false},
		{"prerelease constraint", r.URL, "web", ">=2.1.0-0", "2.1.0-rc.1", false},
		{"chart not in the index", r.URL, "nope", "1.*", "chart 'nope' not found in the index of " + r.URL + " (it has db, web)", true},
		{"exact version not in the index", r.URL, "web", "9.9.9", "chart web version 9.9.9 is not in the index of " + r.URL + " (the newest of 4 versions is 2.1.0-rc.1)", true},
		{"no version matches", r.URL, "web", "3.*", `no version matches targetRevision "3.*" (the newest of 4 versions is 2.1.0-rc.1)`, true},
		{"neither version nor constraint", r.URL, "web", "latest", `targetRevision "latest" is neither a version nor a semver constraint`, true},
		{"empty targetRevision", r.URL, "web", "", "targetRevision is required", true},
		{"unreachable repository", "http://127.0.0.1:1/charts", "web", "1.*", "chart repository http://127.0.0.1:1/charts cannot be reached", true},
		{"repository that never answers", hang.URL, "web", "1.*", "no answer within the 300ms render deadline (--render-timeout)", true},
		{"oci:// is an OCI artifact source", "oci://127.0.0.1:1/charts", "web", "1.0.0", "OCI artifact source", true},
		{"not a repository URL", "git@example.com:repo.git", "web", "1.*", "neither an http(s) chart repository nor an OCI registry", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			opts := pullOpts(t, true, t.TempDir())
			if tt.repoURL == hang.URL {
				opts.Timeout = 300 * time.Millisecond // the deadline is the point of the case
			}
			p, err := PullChart(context.Background(), ChartSource{RepoURL: tt.repoURL, Chart: tt.chart, TargetRevision: tt.revision}, opts)
			if tt.wantErr {
				testfs.OneLineError(t, err, tt.want)
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			defer func() { _ = p.Close() }()
			if p.Version != tt.want {
				t.Errorf("version %s, want %s", p.Version, tt.want)
			}
			data, err := os.ReadFile(filepath.Join(p.Dir, "templates", "cm.yaml"))
			if err != nil {
				t.Fatal(err)
			}
			if !strings.Contains(string(data), "version: "+tt.want+"\n") {
				t.Errorf("extracted template of another version:\n%s", data)
			}
			if filepath.Base(p.Dir) != "web" {
				t.Errorf("chart directory %s, want one named after the chart", p.Dir)
			}
		})
	}
}

// TestPullChartCacheAndOffline: a pulled chart is cached by repository, chart and version;
// --offline uses the cache only (a constraint resolved against the versions last listed),
// and refuses what is not cached.
func TestPullChartCacheAndOffline(t *testing.T) {
	r := chartrepo.New(t, "", "", webCharts()...)
	cache := t.TempDir()
	ctx := context.Background()
	src := ChartSource{RepoURL: r.URL, Chart: "web", TargetRevision: "1.*"}
	if _, err := PullChart(ctx, ChartSource{RepoURL: r.URL, Chart: "web", TargetRevision: "1.0.0"}, pullOpts(t, false, cache)); err == nil || !strings.Contains(err.Error(), "--offline") {
		t.Fatalf("offline before any pull: err %v, want a --offline refusal", err)
	}
	if _, err := PullChart(ctx, src, pullOpts(t, false, cache)); err == nil || !strings.Contains(err.Error(), `targetRevision "1.*" is a constraint and the versions of the chart are not in the cache`) {
		t.Fatalf("offline constraint before any pull: err %v", err)
	}
	if r.Requests() != 0 {
		t.Fatalf("--offline made %d requests", r.Requests())
	}
	p, err := PullChart(ctx, src, pullOpts(t, true, cache))
	if err != nil {
		t.Fatal(err)
	}
	if p.Cached || p.Version != "1.2.0" {
		t.Errorf("first pull: cached %v version %s, want a download of 1.2.0", p.Cached, p.Version)
	}
	dir := p.Dir
	if err := p.Close(); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(dir); !os.IsNotExist(err) {
		t.Errorf("Close left %s: %v", dir, err)
	}
	before := r.Requests()
	for _, rev := range []string{"1.*", "1.2.0"} {
		p, err := PullChart(ctx, ChartSource{RepoURL: r.URL, Chart: "web", TargetRevision: rev}, pullOpts(t, false, cache))
		if err != nil {
			t.Fatalf("offline %s: %v", rev, err)
		}
		if !p.Cached || p.Version != "1.2.0" {
			t.Errorf("offline %s: cached %v version %s", rev, p.Cached, p.Version)
		}
		_ = p.Close()
	}
	if r.Requests() != before {
		t.Errorf("--offline made %d requests", r.Requests()-before)
	}
	if _, err := PullChart(ctx, ChartSource{RepoURL: r.URL, Chart: "web", TargetRevision: "1.0.0"}, pullOpts(t, false, cache)); err == nil || !strings.Contains(err.Error(), "chart web 1.0.0 from "+r.URL+" is not in the cache") {
		t.Errorf("offline uncached version: err %v", err)
	}
	// Online, a cached version is not downloaded again (only the index, for a constraint).
	before = r.Requests()
	p, err = PullChart(ctx, ChartSource{RepoURL: r.URL, Chart: "web", TargetRevision: "1.2.0"}, pullOpts(t, true, cache))
	if err != nil {
		t.Fatal(err)
	}
	_ = p.Close()
	if !p.Cached || r.Requests() != before {
		t.Errorf("cached exact version: cached %v, %d requests", p.Cached, r.Requests()-before)
	}
}

// TestPullChartCredentials: the repository's credentials come from Helm's repositories.yaml
// entry of its URL; without them the error says where credentials come from.
func TestPullChartCredentials(t *testing.T) {
	r := chartrepo.New(t, "admin", "s3cret", webCharts()...)
	src := ChartSource{RepoURL: r.URL, Chart: "web", TargetRevision: "1.*"}
	_, err := PullChart(context.Background(), src, pullOpts(t, true, t.TempDir()))
	if err == nil || !strings.Contains(err.Error(), "401 Unauthorized") || !strings.Contains(err.Error(), "repositories.yaml") {
		t.Fatalf("no credentials: err %v", err)
	}
	opts := pullOpts(t, true, t.TempDir())
	opts.Dependencies.RepositoryConfig = repoWithCreds(t, "private", r.URL, "admin", "s3cret")
	p, err := PullChart(context.Background(), src, opts)
	if err != nil {
		t.Fatal(err)
	}
	_ = p.Close()
	if p.Version != "1.2.0" {
		t.Errorf("version %s", p.Version)
	}
}

// TestPullChartBounds: downloads and extracted files count against the input limits, and an
// archive whose names leave the chart directory is refused.
func TestPullChartBounds(t *testing.T) {
	r := chartrepo.New(t, "", "", chartrepo.Chart("big", "1.0.0", map[string]string{
		"templates/cm.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: big\n",
		"files/blob.txt":    strings.Repeat("0123456789abcdef", 64<<10), // 1 MiB, compresses well
	}))
	src := ChartSource{RepoURL: r.URL, Chart: "big", TargetRevision: "1.0.0"}
	opts := pullOpts(t, true, t.TempDir())
	opts.MaxFileBytes = 512 << 10
	if _, err := PullChart(context.Background(), src, opts); err == nil || !strings.Contains(err.Error(), "larger than the 524288-byte limit") {
		t.Errorf("file limit: err %v", err)
	}
	opts = pullOpts(t, true, t.TempDir())
	opts.MaxTotalBytes = 1 << 10
	if _, err := PullChart(context.Background(), src, opts); err == nil || !strings.Contains(err.Error(), "total limit") {
		t.Errorf("total limit: err %v", err)
	}

	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	tw := tar.NewWriter(zw)
	for _, name := range []string{"evil/Chart.yaml", "../escape.yaml"} {
		body := []byte("apiVersion: v2\nname: evil\nversion: 1.0.0\n")
		if err := tw.WriteHeader(&tar.Header{Name: name, Mode: 0o644, Size: int64(len(body)), Typeflag: tar.TypeReg}); err != nil {
			t.Fatal(err)
		}
		if _, err := tw.Write(body); err != nil {
			t.Fatal(err)
		}
	}
	if err := errors.Join(tw.Close(), zw.Close()); err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	if err := untarChart(filepath.Join(dir, "x"), buf.Bytes(), Options{}); err == nil || !strings.Contains(err.Error(), "../escape.yaml leaves the archive") {
		t.Errorf("escaping name: err %v", err)
	}
	if _, err := os.Stat(filepath.Join(dir, "escape.yaml")); err == nil {
		t.Error("the escaping file was written")
	}
}
