package argocd_test

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/apimachinery/pkg/util/wait"

	"github.com/wavecheck/wavecheck/test/argocd"
)

// benchSizes and benchTypes span the measured apps: each source type at 10 and 500 objects.
var (
	benchSizes = []int{10, 500}
	benchTypes = []string{"directory", "kustomize", "helm"}
)

// benchApp is one measured app: a source type and its path in the test repository.
type benchApp struct{ name, typ, path string }

// benchApps are the measured apps: every type and size above, then the two apps the goal of
// issue 16 names (plugin <= 1.5x native): Argo CD's kustomize-guestbook (2 objects) and a
// 12-object directory app.
func benchApps() []benchApp {
	var apps []benchApp
	for _, typ := range benchTypes {
		for _, n := range benchSizes {
			apps = append(apps, benchApp{fmt.Sprintf("%s-%d", typ, n), typ, fmt.Sprintf("bench/bench-%s-%d", typ, n)})
		}
	}
	return append(apps,
		benchApp{"kustomize-guestbook", "kustomize", "corpus/kustomize-guestbook"},
		benchApp{"directory-12", "directory", "bench/bench-directory-12"})
}

// BenchmarkGenerate measures manifest generation inside Argo CD, the same app as a native
// source and through the wavecheck plugin, side by side in one run: every iteration
// hard-refreshes both Applications (comparison level 3: no manifest cache) one after the
// other and reads the controller's "Reconciliation completed" log line, whose timings say
// where the time goes: compare_app_state_ms (generation + diff), manifests_ms (the
// repo-server call: for the plugin, the tarball to the sidecar and `wavecheck generate`),
// diff_ms. Reported per op: native-ms, plugin-ms, their ratio, and both manifests_ms.
//
//	make bench-argocd
func BenchmarkGenerate(b *testing.B) {
	if os.Getenv(argocd.EnvToolsBin) == "" {
		// Native Helm and Kustomize sources exec helm and kustomize on the repo-server.
		b.Fatalf("%s is not set: the repo-server needs Argo CD's helm and kustomize for native sources; run `make bench-argocd` or export %s=\"$(test/tools/build.sh)\"", argocd.EnvToolsBin, argocd.EnvToolsBin)
	}
	start(b)
	for _, app := range benchApps() {
		native, plugin := "bench-"+app.name+"-native", "bench-"+app.name+"-plugin"
		createBenchApp(b, native, app.typ, app.path, false)
		createBenchApp(b, plugin, app.typ, app.path, true)
		waitReconciled(b, native)
		waitReconciled(b, plugin)
		b.Run(app.name, func(b *testing.B) {
			var sum [2]reconcileTimes
			runs := 0
			for b.Loop() {
				// Alternate which goes first: the first generation after a refresh
				// can pay for the repository (fetch, checkout) that the second reuses.
				order := []int{0, 1}
				if runs%2 == 1 {
					order = []int{1, 0}
				}
				for _, i := range order {
					t := hardRefresh(b, []string{native, plugin}[i])
					sum[i].compare += t.compare
					sum[i].manifests += t.manifests
				}
				runs++
			}
			f := float64(runs)
			b.ReportMetric(sum[0].compare/f, "native-ms")
			b.ReportMetric(sum[1].compare/f, "plugin-ms")
			b.ReportMetric(sum[1].compare/sum[0].compare, "ratio")
			b.ReportMetric(sum[0].manifests/f, "native-manifests-ms")
			b.ReportMetric(sum[1].manifests/f, "plugin-manifests-ms")
		})
	}
}

type reconcileTimes struct{ compare, manifests float64 }

// createBenchApp creates an Application without a sync policy (nothing is applied): only
// comparisons run. native names the source type explicitly; otherwise the plugin.
func createBenchApp(b *testing.B, name, typ, path string, plugin bool) {
	b.Helper()
	source := map[string]any{"repoURL": repoURL(), "path": path, "targetRevision": "HEAD"}
	switch {
	case plugin:
		source["plugin"] = map[string]any{"name": argocd.PluginName}
	// Each native source carries a setting: Argo CD drops empty source settings
	// (util/argo.NormalizeSource: `directory: {}` and `kustomize: {}` become nil), and an app
	// without an explicit type goes through discovery, which asks every plugin with a
	// discover rule first (discovery.AppType), i.e. the wavecheck sidecar would render it.
	// The settings chosen change nothing in the output.
	case typ == "helm":
		source["helm"] = map[string]any{"releaseName": name}
	case typ == "directory":
		source["directory"] = map[string]any{"include": "*.yaml"}
	case typ == "kustomize":
		// kubeVersion reaches kustomize only with --enable-helm (parseKustomizeBuildOptions).
		source["kustomize"] = map[string]any{"kubeVersion": "1.37.0"}
	}
	app := &unstructured.Unstructured{Object: map[string]any{
		"apiVersion": "argoproj.io/v1alpha1", "kind": "Application",
		"metadata": map[string]any{"name": name, "namespace": argocd.Namespace},
		"spec": map[string]any{
			"project":     "default",
			"source":      source,
			"destination": map[string]any{"server": "https://kubernetes.default.svc", "namespace": "bench"},
		},
	}}
	if recommendedTuning() {
		// The annotation monorepos set (docs/install.md): the app's generation depends on its
		// own directory only, so the repo-server streams only that directory to the sidecar.
		// It changes nothing for native sources.
		app.SetAnnotations(map[string]string{"argocd.argoproj.io/manifest-generate-paths": "."})
	}
	if _, err := shared.dyn.Resource(argocd.ApplicationGVR).Namespace(argocd.Namespace).Create(b.Context(), app, metav1.CreateOptions{}); err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() {
		_ = shared.dyn.Resource(argocd.ApplicationGVR).Namespace(argocd.Namespace).Delete(context.Background(), name, metav1.DeleteOptions{})
	})
}

// waitReconciled waits for the first comparison, and fails on a ComparisonError (a benchmark
// of an app that does not render would measure nothing).
func waitReconciled(b *testing.B, name string) {
	b.Helper()
	var app *unstructured.Unstructured
	err := wait.PollUntilContextTimeout(b.Context(), 200*time.Millisecond, settle, true, func(ctx context.Context) (bool, error) {
		a, err := shared.dyn.Resource(argocd.ApplicationGVR).Namespace(argocd.Namespace).Get(ctx, name, metav1.GetOptions{})
		if err != nil {
			return false, nil
		}
		app = a
		if msg := argocd.ComparisonError(a); msg != "" {
			return false, fmt.Errorf("ComparisonError: %s", msg)
		}
		status, _, _ := unstructured.NestedString(a.Object, "status", "sync", "status")
		return status != "" && status != "Unknown", nil
	})
	if err != nil {
		msg := ""
		if app != nil {
			msg = operationMessage(app)
		}
		b.Fatalf("%s never compared: %v %s", name, err, msg)
	}
}

// hardRefresh asks for a hard refresh (argocd.argoproj.io/refresh: hard, as `argocd app get
// --hard-refresh` does) and returns the timings of the comparison-level-3 reconciliation
// from the controller's log.
func hardRefresh(b *testing.B, name string) reconcileTimes {
	b.Helper()
	log := shared.argo.ComponentLog("application-controller")
	st, err := os.Stat(log)
	if err != nil {
		b.Fatal(err)
	}
	offset := st.Size()
	patch := []byte(`{"metadata":{"annotations":{"argocd.argoproj.io/refresh":"hard"}}}`)
	if _, err := shared.dyn.Resource(argocd.ApplicationGVR).Namespace(argocd.Namespace).Patch(b.Context(), name, types.MergePatchType, patch, metav1.PatchOptions{}); err != nil {
		b.Fatal(err)
	}
	var got reconcileTimes
	err = wait.PollUntilContextTimeout(b.Context(), 50*time.Millisecond, settle, true, func(context.Context) (bool, error) {
		fields, ok := findReconcile(log, offset, name)
		if !ok {
			return false, nil
		}
		got.compare, _ = fields["compare_app_state_ms"].(float64)
		got.manifests, _ = fields["manifests_ms"].(float64)
		return true, nil
	})
	if err != nil {
		b.Fatalf("no hard-refresh reconciliation of %s in %s: %v", name, log, err)
	}
	// A generation that failed is fast and measures nothing.
	app, err := shared.dyn.Resource(argocd.ApplicationGVR).Namespace(argocd.Namespace).Get(b.Context(), name, metav1.GetOptions{})
	if err != nil {
		b.Fatal(err)
	}
	if msg := argocd.ComparisonError(app); msg != "" {
		b.Fatalf("%s: ComparisonError after a hard refresh: %s", name, msg)
	}
	return got
}

// findReconcile returns the fields of the first "Reconciliation completed" line of app at
// comparison level 3 after offset in the controller's log, with manifests_ms taken from the
// "GetRepoObjs stats" line of the same app before it (controller/state.go GetRepoObjs logs
// its own timings: the repo-server call; appcontroller.go's line has compare_app_state_ms).
func findReconcile(log string, offset int64, app string) (map[string]any, bool) {
	f, err := os.Open(log)
	if err != nil {
		return nil, false
	}
	defer f.Close()
	if _, err := f.Seek(offset, 0); err != nil {
		return nil, false
	}
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	var manifests any
	for sc.Scan() {
		// The components log JSON, one object a line.
		var fields map[string]any
		if json.Unmarshal(sc.Bytes(), &fields) != nil || fields["application"] != app {
			continue
		}
		switch fields["msg"] {
		case "GetRepoObjs stats":
			manifests = fields["manifests_ms"]
		case "Reconciliation completed":
			if fmt.Sprint(fields["comparison-level"]) == "3" && manifests != nil {
				fields["manifests_ms"] = manifests
				return fields, true
			}
		}
	}
	return nil, false
}

// writeBenchApps writes the measured apps into the repository: for each size, the same
// objects (a Deployment, a Service and ConfigMaps, in thirds) as a directory of manifests,
// a Kustomize app and a Helm chart.
func writeBenchApps(repo string) error {
	measured := map[string]bool{}
	for _, a := range benchApps() {
		measured[a.path] = true
	}
	// 12: the directory app of benchApps; only the variants benchApps measures are written.
	for _, n := range append(slices.Clone(benchSizes), 12) {
		var objs []string
		for i := range n {
			switch i % 3 {
			case 0:
				objs = append(objs, fmt.Sprintf(benchDeployment, i, i, i))
			case 1:
				objs = append(objs, fmt.Sprintf(benchService, i, i))
			default:
				objs = append(objs, fmt.Sprintf(benchConfigMap, i, i))
			}
		}
		stream := strings.Join(objs, "---\n")
		files := map[string]string{
			fmt.Sprintf("bench/bench-directory-%d/manifests.yaml", n): stream,
			fmt.Sprintf("bench/bench-kustomize-%d/objects.yaml", n):   stream,
			fmt.Sprintf("bench/bench-kustomize-%d/kustomization.yaml", n): "apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\n" +
				"resources:\n- objects.yaml\nlabels:\n- pairs: {app.kubernetes.io/part-of: bench}\n",
			fmt.Sprintf("bench/bench-helm-%d/Chart.yaml", n):  "apiVersion: v2\nname: bench\nversion: 0.1.0\n",
			fmt.Sprintf("bench/bench-helm-%d/values.yaml", n): fmt.Sprintf("count: %d\nimage: nginx:1\n", n),
			fmt.Sprintf("bench/bench-helm-%d/templates/objects.yaml", n): strings.NewReplacer("%[1]d", "{{ $i }}", "%[2]d", "{{ $i }}", "%[3]d", "{{ $i }}").
				Replace("{{- range $i := until (int .Values.count) }}\n{{- if eq (mod $i 3) 0 }}\n---\n" + benchDeploymentTmpl +
					"{{- else if eq (mod $i 3) 1 }}\n---\n" + benchServiceTmpl + "{{- else }}\n---\n" + benchConfigMapTmpl + "{{- end }}\n{{- end }}\n"),
		}
		for path, data := range files {
			if app := strings.SplitN(path, "/", 3); !measured[app[0]+"/"+app[1]] {
				continue
			}
			p := filepath.Join(repo, path)
			if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
				return err
			}
			if err := os.WriteFile(p, []byte(data), 0o644); err != nil {
				return err
			}
		}
	}
	return nil
}

const (
	benchDeployment = `apiVersion: apps/v1
kind: Deployment
metadata:
  name: web-%d
  annotations:
    argocd.argoproj.io/sync-wave: "1"
spec:
  replicas: 1
  selector:
    matchLabels: {app: web-%d}
  template:
    metadata:
      labels: {app: web-%d}
    spec:
      containers:
      - name: web
        image: nginx:1
`
	benchService = `apiVersion: v1
kind: Service
metadata:
  name: web-%d
spec:
  selector: {app: web-%d}
  ports:
  - port: 80
`
	benchConfigMap = `apiVersion: v1
kind: ConfigMap
metadata:
  name: config-%d
  annotations:
    argocd.argoproj.io/sync-wave: "-1"
data:
  index: "%d"
`
	benchDeploymentTmpl = "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web-%[1]d\n  annotations:\n    argocd.argoproj.io/sync-wave: \"1\"\nspec:\n  replicas: 1\n  selector:\n    matchLabels: {app: web-%[2]d}\n  template:\n    metadata:\n      labels: {app: web-%[3]d}\n    spec:\n      containers:\n      - name: web\n        image: {{ $.Values.image }}\n"
	benchServiceTmpl    = "apiVersion: v1\nkind: Service\nmetadata:\n  name: web-%[1]d\nspec:\n  selector: {app: web-%[2]d}\n  ports:\n  - port: 80\n"
	benchConfigMapTmpl  = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: config-%[1]d\n  annotations:\n    argocd.argoproj.io/sync-wave: \"-1\"\ndata:\n  index: \"%[2]d\"\n"
)
