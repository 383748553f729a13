package conformance_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/argoproj/argo-cd/v3/util/app/discovery"
	"github.com/wavecheck/wavecheck/internal/argocd"
	"github.com/wavecheck/wavecheck/plugin/render"
)

// layoutCases is how many directory layouts TestSourceTypeDetection generates.
const layoutCases = 600

var (
	// Names an entry of a generated app directory may have: the chart and kustomization names,
	// near misses (case, extension, prefix and suffix), and ordinary files.
	layoutNames = []string{"Chart.yaml", "chart.yaml", "CHART.yaml", "MyChart.yaml", "values-Chart.yaml", "zChart.yaml",
		"aChart.yaml", "Chart.yml", "Chart.yaml.bak", " Chart.yaml", "kustomization.yaml", "kustomization.yml",
		"Kustomization", "Kustomization.yaml", "KUSTOMIZATION.yaml", "kustomization.yaml.orig", "kustomization",
		"deploy.yaml", "values.yaml", "README.md", ".hidden.yaml", "templates", "base", "overlays", "charts"}
	kinds = []string{"file", "file", "file", "file", "dir", "dir", "link-file", "link-dir", "link-broken"}
)

// writeLayout fills dir with random entries; directories get their own random entries
// (depth-limited), which Argo CD walks but which never decide the app's own type.
func writeLayout(t *testing.T, r *rand.Rand, dir string, depth int) {
	t.Helper()
	n := r.IntN(6)
	for range n {
		name := layoutNames[r.IntN(len(layoutNames))]
		p := filepath.Join(dir, name)
		if _, err := os.Lstat(p); err == nil {
			continue
		}
		kind := kinds[r.IntN(len(kinds))]
		if depth >= 2 && kind == "dir" {
			kind = "file"
		}
		var err error
		switch kind {
		case "file":
			err = os.WriteFile(p, []byte("# generated\n"), 0o644)
		case "dir":
			if err = os.Mkdir(p, 0o755); err == nil {
				writeLayout(t, r, p, depth+1)
			}
		case "link-file":
			target := filepath.Join(t.TempDir(), "target.yaml")
			if err = os.WriteFile(target, nil, 0o644); err == nil {
				err = os.Symlink(target, p)
			}
		case "link-dir":
			err = os.Symlink(t.TempDir(), p)
		case "link-broken":
			err = os.Symlink(filepath.Join(dir, "does-not-exist"), p)
		}
		if err != nil {
			t.Fatal(err)
		}
	}
}

// TestSourceTypeDetection writes random directory layouts and checks that wavecheck's source
// type (plugin/render.Detect, i.e. internal/argocd.SourceType over the listing) equals what
// Argo CD v3.6.1's repo-server computes for the directory (util/app/discovery.AppType, with no
// config management plugin answering).
func TestSourceTypeDetection(t *testing.T) {
	// No plugin sockets: AppType falls back to the file walk, as for a native source.
	t.Setenv("ARGOCD_PLUGINSOCKFILEPATH", t.TempDir())
	start := time.Now()
	r := rand.New(rand.NewPCG(3, 6))
	counts := map[string]int{}
	for i := range layoutCases {
		dir := filepath.Join(t.TempDir(), fmt.Sprintf("app%d", i))
		if err := os.Mkdir(dir, 0o755); err != nil {
			t.Fatal(err)
		}
		writeLayout(t, r, dir, 0)
		want, err := discovery.AppType(context.Background(), dir, dir, nil, nil, nil)
		if err != nil {
			t.Fatalf("discovery.AppType(%s): %v", dir, err)
		}
		counts[want]++
		got := string(render.Detect(dir))
		if got != want {
			ents, _ := os.ReadDir(dir)
			var names []string
			for _, e := range ents {
				names = append(names, fmt.Sprintf("%q(%s)", e.Name(), e.Type()))
			}
			t.Errorf("layout %d %v: wavecheck %s, Argo CD %s", i, names, got, want)
		}
	}
	for _, typ := range []string{argocd.SourceDirectory, argocd.SourceHelm, argocd.SourceKustomize} {
		if counts[typ] < layoutCases/20 {
			t.Errorf("only %d of %d layouts are %s: the generator does not exercise it", counts[typ], layoutCases, typ)
		}
	}
	t.Logf("%d generated layouts compared in %s: %v", layoutCases, time.Since(start).Round(time.Millisecond), counts)
}
