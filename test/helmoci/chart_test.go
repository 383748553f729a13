package helmoci

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/wavecheck/wavecheck/internal/testfs"
	"github.com/wavecheck/wavecheck/plugin/render"
)

// TestPullChartOCI: an Application's chart from an OCI registry (repoURL host/charts without
// scheme, util/helm.IsHelmOciRepo) is resolved against the registry's tags as Argo CD's
// repo-server resolves it, pulled, cached, and reused with --offline.
func TestPullChartOCI(t *testing.T) {
	host := startRegistry(t)
	for _, v := range []string{"1.0.0", "1.2.3", "2.0.0"} {
		push(t, depChart("ocichart", v), host)
	}
	cache := t.TempDir()
	opts := func(fetch bool) render.Options {
		return render.Options{Dependencies: render.Dependencies{Fetch: fetch, CacheDir: cache, PlainHTTP: true,
			RepositoryConfig: filepath.Join(t.TempDir(), "none.yaml"), RegistryConfig: filepath.Join(t.TempDir(), "config.json")}}
	}
	tests := []struct {
		name, chart, revision string
		fetch                 bool
		want, err             string
	}{
		{"constraint", "ocichart", "^1.0.0", true, "1.2.3", ""},
		{"exact", "ocichart", "2.0.0", true, "2.0.0", ""},
		{"star", "ocichart", "*", true, "2.0.0", ""},
		{"offline from the cache, constraint against the tags last listed", "ocichart", "1.*", false, "1.2.3", ""},
		{"no tag matches", "ocichart", "3.*", true, "", `no version matches targetRevision "3.*" (the newest of 3 versions is 2.0.0)`},
		{"exact version missing", "ocichart", "9.9.9", true, "", "pull " + host + "/charts/ocichart:9.9.9"},
		{"chart not in the registry", "nochart", "1.*", true, "", "chart 'nochart' not found in OCI registry " + host + "/charts"},
		{"offline, not cached", "ocichart", "1.0.0", false, "", "chart ocichart 1.0.0 from " + host + "/charts is not in the cache"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, err := render.PullChart(context.Background(), render.ChartSource{RepoURL: host + "/charts", Chart: tt.chart, TargetRevision: tt.revision}, opts(tt.fetch))
			if tt.err != "" {
				testfs.OneLineError(t, err, tt.err)
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			defer func() { _ = p.Close() }()
			if p.Version != tt.want {
				t.Errorf("version %s, want %s", p.Version, tt.want)
			}
			if _, err := os.Stat(filepath.Join(p.Dir, "Chart.yaml")); err != nil {
				t.Errorf("no chart extracted: %v", err)
			}
			res, err := render.Render(context.Background(), p.Dir, render.Options{RepoRoot: p.Dir, ReleaseName: "rel"})
			if err != nil {
				t.Fatal(err)
			}
			if len(res.Objects) != 1 || res.Objects[0].Name() != "rel-ocichart" {
				t.Errorf("rendered %v", res.Objects)
			}
		})
	}
}
