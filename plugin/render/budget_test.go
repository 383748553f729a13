package render

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"context"
	"errors"
	"fmt"
	"maps"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"
)

// writeApp writes files under a fresh repository root and returns it.
func writeApp(t *testing.T, files map[string]string) string {
	t.Helper()
	root := t.TempDir()
	for p, c := range files {
		writeFile(t, filepath.Join(root, p), c)
	}
	return root
}

// tgz packs files (path -> content) into a gzipped tar, as `helm package` does.
// tgz writes a chart archive with its entries in name order: a fixed order, so that the limit
// a test hits first is always the same one (regression: the map order made TestRenderLimits
// name a different file from run to run).
func tgz(t *testing.T, files map[string][]byte) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	tw := tar.NewWriter(zw)
	for _, name := range slices.Sorted(maps.Keys(files)) {
		data := files[name]
		if err := tw.WriteHeader(&tar.Header{Name: name, Mode: 0o644, Size: int64(len(data)), Typeflag: tar.TypeReg}); err != nil {
			t.Fatal(err)
		}
		if _, err := tw.Write(data); err != nil {
			t.Fatal(err)
		}
	}
	if err := tw.Close(); err != nil {
		t.Fatal(err)
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

const (
	budgetChart = "apiVersion: v2\nname: c\nversion: 0.1.0\n"
	budgetCM    = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: cm%d\n"
)

func configMaps(n int) string {
	var b strings.Builder
	for i := range n {
		fmt.Fprintf(&b, "---\n"+budgetCM, i)
	}
	return b.String()
}

// TestRenderLimits: each limit stops the render with an error naming the limit and the flag
// and variable that raise it; the same app renders under the default limits.
func TestRenderLimits(t *testing.T) {
	subchart := tgz(t, map[string][]byte{
		"sub/Chart.yaml":         []byte("apiVersion: v2\nname: sub\nversion: 0.1.0\n"),
		"sub/assets/padding.txt": bytes.Repeat([]byte("a"), 600_000),
		"sub/charts/deep.tgz": tgz(t, map[string][]byte{
			"deep/Chart.yaml":        []byte("apiVersion: v2\nname: deep\nversion: 0.1.0\n"),
			"deep/files/padding.txt": bytes.Repeat([]byte("b"), 600_000),
		}),
	})
	tests := []struct {
		name    string
		files   map[string]string
		opts    Options
		wantErr []string
	}{
		{"directory objects", map[string]string{"app/cms.yaml": configMaps(5)}, Options{MaxObjects: 4},
			[]string{"app/cms.yaml", "4-object limit", "--max-objects", "WAVECHECK_MAX_OBJECTS"}},
		{"directory rendered bytes", map[string]string{"app/cms.yaml": configMaps(50)}, Options{MaxRenderedBytes: 1000},
			[]string{"app/cms.yaml", "1000-byte limit", "--max-rendered-size", "WAVECHECK_MAX_RENDERED_SIZE"}},
		{"kustomize objects", map[string]string{
			"app/kustomization.yaml": "resources:\n- cms.yaml\n", "app/cms.yaml": configMaps(5),
		}, Options{MaxObjects: 4}, []string{"app/kustomization.yaml", "builds 5 resources", "--max-objects"}},
		{"kustomize rendered bytes", map[string]string{
			"app/kustomization.yaml": "resources:\n- cms.yaml\n", "app/cms.yaml": configMaps(50),
		}, Options{MaxRenderedBytes: 1000}, []string{"app/kustomization.yaml", "--max-rendered-size"}},
		{"helm objects", map[string]string{
			"app/Chart.yaml": budgetChart, "app/templates/cm.yaml": "{{ range until 5 }}\n---\n" + fmt.Sprintf(budgetCM, 0) + "  namespace: n{{ . }}\n{{ end }}",
		}, Options{MaxObjects: 4}, []string{"5 documents", "4-object limit", "--max-objects"}},
		{"helm rendered bytes (repeat)", map[string]string{
			"app/Chart.yaml": budgetChart, "app/templates/cm.yaml": fmt.Sprintf(budgetCM, 0) + "data:\n  big: {{ repeat 100000 \"x\" | quote }}\n",
		}, Options{MaxRenderedBytes: 50_000}, []string{"app", "render chart c", "50000-byte limit", "--max-rendered-size"}},
		{"helm decompressed subcharts", map[string]string{
			"app/Chart.yaml": budgetChart, "app/templates/cm.yaml": fmt.Sprintf(budgetCM, 0),
			"app/charts/sub.tgz": string(subchart),
		}, Options{MaxTotalBytes: 1 << 20}, []string{"app/charts/sub.tgz", "sub/charts/deep.tgz", "1048576-byte total limit", "--max-total-size", "WAVECHECK_MAX_TOTAL_SIZE"}},
		{"helm decompressed file", map[string]string{
			"app/Chart.yaml": budgetChart, "app/templates/cm.yaml": fmt.Sprintf(budgetCM, 0),
			"app/charts/sub.tgz": string(subchart),
		}, Options{MaxFileBytes: 500_000}, []string{"app/charts/sub.tgz:sub/assets/padding.txt", "500000-byte limit", "--max-file-size"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			withoutHelm(t, tc.files)
			root := writeApp(t, tc.files)
			opts := tc.opts
			opts.RepoRoot = root
			_, err := Render(context.Background(), filepath.Join(root, "app"), opts)
			if !errors.Is(err, ErrLimit) {
				t.Fatalf("Render error = %v, want a limit error", err)
			}
			for _, w := range tc.wantErr {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not contain %q", err, w)
				}
			}
			// Under the default limits the same app renders.
			if _, err := Render(context.Background(), filepath.Join(root, "app"), Options{RepoRoot: root}); err != nil {
				t.Errorf("under the default limits: %v", err)
			}
		})
	}
}

// TestRenderRefusesFIFO: a FIFO in the app would block the read forever.
func TestRenderRefusesFIFO(t *testing.T) {
	root := writeApp(t, map[string]string{"app/a.yaml": fmt.Sprintf(budgetCM, 1)})
	if err := syscall.Mkfifo(filepath.Join(root, "app", "b.yaml"), 0o644); err != nil {
		t.Skipf("mkfifo: %v", err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	_, err := Render(ctx, filepath.Join(root, "app"), Options{RepoRoot: root, Timeout: 5 * time.Second})
	if err == nil || !strings.Contains(err.Error(), "app/b.yaml: not a regular file") {
		t.Fatalf("Render error = %v, want app/b.yaml refused as not a regular file", err)
	}
}

// helperEnv runs a test of this binary in a child process: the renderer it abandons at the
// deadline keeps running until the process exits, as in the CLI.
const helperEnv = "WAVECHECK_RENDER_DEADLINE_HELPER"

// deadlineApps never finish rendering (or take minutes).
var deadlineApps = map[string]struct {
	files map[string]string
	step  string
}{
	"helm-loop": {map[string]string{
		"app/Chart.yaml": budgetChart,
		// No allocation per iteration: CPU only, for as long as the process lives.
		"app/templates/cm.yaml": fmt.Sprintf(budgetCM, 0) + "{{ range until 100000 }}{{ range until 100000 }}{{ end }}{{ end }}\n",
	}, "helm template of chart c"},
	"kustomize-fanout": {kustomizeFanout(14), "kustomization"},
}

// kustomizeFanout builds 2^levels copies of one ConfigMap: each level includes the previous
// one twice, under two name prefixes, so kustomize builds the base 2^levels times.
func kustomizeFanout(levels int) map[string]string {
	files := map[string]string{"l0/kustomization.yaml": "resources:\n- cm.yaml\n", "l0/cm.yaml": fmt.Sprintf(budgetCM, 0)}
	for l := 1; l <= levels; l++ {
		dir := fmt.Sprintf("l%d", l)
		if l == levels {
			dir = "app"
		}
		files[dir+"/kustomization.yaml"] = "resources:\n- a\n- b\n"
		for _, p := range []string{"a", "b"} {
			files[dir+"/"+p+"/kustomization.yaml"] = fmt.Sprintf("namePrefix: %s-\nresources:\n- ../../l%d\n", p, l-1)
		}
	}
	return files
}

func TestRenderDeadlineHelper(t *testing.T) {
	name := os.Getenv(helperEnv)
	if name == "" {
		t.Skip("run by TestRenderDeadline")
	}
	app := deadlineApps[name]
	root := writeApp(t, app.files)
	_, err := Render(context.Background(), filepath.Join(root, "app"), Options{RepoRoot: root, Timeout: time.Second, MaxObjects: 1 << 20})
	fmt.Printf("RESULT %v\n", err)
	// Exit at once, as the CLI does: the abandoned renderer ends with the process.
	os.Exit(0)
}

// TestRenderDeadline: a Helm template looping for hours and a Kustomize fan-out stop at the
// render deadline with an error naming the step, and the process is free to exit.
func TestRenderDeadline(t *testing.T) {
	for name, app := range deadlineApps {
		t.Run(name, func(t *testing.T) {
			withoutHelm(t, app.files)
			start := time.Now()
			cmd := exec.Command(os.Args[0], "-test.run=^TestRenderDeadlineHelper$", "-test.count=1") //nolint:gosec // G204: the test binary itself
			cmd.Env = append(os.Environ(), helperEnv+"="+name)
			out, err := cmd.CombinedOutput()
			elapsed := time.Since(start)
			if err != nil {
				t.Fatalf("helper: %v\n%s", err, out)
			}
			for _, w := range []string{"RESULT", "rendering took longer than the 1s render deadline", "stopped during ", app.step, "--render-timeout", "WAVECHECK_RENDER_TIMEOUT"} {
				if !strings.Contains(string(out), w) {
					t.Errorf("helper output does not contain %q:\n%s", w, out)
				}
			}
			if elapsed > 15*time.Second {
				t.Errorf("the helper took %v for a 1 s deadline", elapsed)
			}
		})
	}
}

// TestRenderMemoryLimit: a template that allocates without producing output is stopped by the
// heap bound, naming the step.
func TestRenderMemoryLimit(t *testing.T) {
	files := map[string]string{
		"app/Chart.yaml": budgetChart,
		"app/templates/cm.yaml": fmt.Sprintf(budgetCM, 0) +
			"{{- $l := list }}{{- range until 400 }}{{- $l = append $l (repeat 1000000 \"x\") }}{{- end }}\n",
	}
	withoutHelm(t, files)
	root := writeApp(t, files)
	_, err := Render(context.Background(), filepath.Join(root, "app"), Options{RepoRoot: root, MaxMemoryBytes: 150 << 20})
	if !errors.Is(err, ErrLimit) {
		t.Fatalf("Render error = %v, want the memory limit", err)
	}
	for _, w := range []string{"during helm template of chart c", "150 MiB limit", "--max-render-memory", "WAVECHECK_MAX_RENDER_MEMORY"} {
		if !strings.Contains(err.Error(), w) {
			t.Errorf("error %q lacks %q", err, w)
		}
	}
}
