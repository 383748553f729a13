package argocd_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	gocmp "github.com/google/go-cmp/cmp"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/apimachinery/pkg/util/wait"
	"sigs.k8s.io/yaml"

	"github.com/wavecheck/wavecheck/test/argocd"
	"github.com/wavecheck/wavecheck/test/cluster"
)

// syncCase is one Application synced by the real Argo CD (automated sync) and replayed by
// `wavecheck replay` (simulated cluster); both must agree on the order of writes to the API
// server, each object's phase and result, and the final phase.
type syncCase struct {
	name string // Application name; its destination namespace is e2e-<name>
	path string // app path in the test repository
	// mode is the plugin parameter mode (empty: the sidecar's default, enforce).
	mode string
	// replay are extra `wavecheck replay` flags (e.g. --fail for a hook kwok fails).
	replay []string
	// dest overrides the destination namespace (app-of-apps: argocd).
	dest string
	// live are objects that exist before the sync (YAML, namespace filled in), created in the
	// cluster with the app's tracking annotation and given to the replay with --live.
	live string
	// hang: the sync must still be Running after this long; it is then terminated, as
	// `argocd app terminate-op` does, and the replay gets --timeout hang.
	hang time.Duration
	// blocked: enforce mode refuses the app; the Application's ComparisonError must carry
	// this text, and nothing may be applied or pruned.
	blocked string
	// late are custom resources to record once the sync created their CRD.
	late map[string]schema.GroupVersionResource
	// generatePaths is the Application's argocd.argoproj.io/manifest-generate-paths: the
	// suite's repo-server honours it (repoServerEnv), so it streams only the common root of
	// these paths to the sidecar.
	generatePaths string
}

var syncCases = []syncCase{
	// Argo CD's own example apps (corpus) and the project's examples.
	{name: "guestbook", path: "corpus/guestbook"},
	{name: "helm-guestbook", path: "corpus/helm-guestbook"},
	{name: "kustomize-guestbook", path: "corpus/kustomize-guestbook"},
	{name: "sync-waves", path: "corpus/sync-waves"},
	{name: "pre-post-sync", path: "corpus/pre-post-sync"},
	{name: "helm-hooks", path: "corpus/helm-hooks"},
	{name: "waves-and-hooks", path: "examples/waves-and-hooks"},
	{name: "helm-app", path: "examples/helm-app"},
	// Its base lies outside the app directory, and the repo-server streams only
	// examples/kustomize-app (the common root of both paths): ARGOCD_APP_SOURCE_PATH is not
	// the end of the working directory, so the sidecar bounds reads by the stream's root.
	{name: "kustomize-app", path: "examples/kustomize-app/overlays/prod", generatePaths: ".;../../base"},
	// broken-hooks: blocked in enforce mode, synced in warn mode.
	{name: "broken-hooks-enforce", path: "examples/broken-hooks", blocked: "sync-wave-not-integer", live: trackedConfigMap},
	{name: "broken-hooks-warn", path: "examples/broken-hooks", mode: "warn"},
	// The suite's own apps (testdata/apps).
	{name: "hooks-all-phases", path: "apps/hooks-all-phases"},
	{name: "syncfail", path: "apps/syncfail", replay: []string{"--fail", "Job/migrate"}},
	{name: "generatename", path: "apps/generatename"},
	{name: "before-hook-creation", path: "apps/before-hook-creation", live: oldMigrateJob},
	{name: "namespace-bubbling", path: "apps/namespace-bubbling"},
	{name: "crd-cr", path: "apps/crd-cr", late: map[string]schema.GroupVersionResource{
		"Widget": {Group: "e2e.wavecheck.test", Version: "v1", Resource: "widgets"}}},
	{name: "app-of-apps", path: "apps/app-of-apps", dest: argocd.Namespace},
	// The PreSync Job's pod needs a ServiceAccount the Sync phase creates: the
	// ServiceAccount admission plugin refuses the pod, the Job never completes.
	// (Its hook-depends-on-later finding is an error: warn mode lets it through.)
	{name: "hook-later-sa", path: "apps/hook-later-sa", mode: "warn", hang: 30 * time.Second},
}

// trackedConfigMap is a live object of the app that enforce mode must not prune.
const trackedConfigMap = `apiVersion: v1
kind: ConfigMap
metadata:
  name: keep-me
data: {key: value}
`

// oldMigrateJob is the hook Job a previous sync left; BeforeHookCreation deletes it first.
const oldMigrateJob = `apiVersion: batch/v1
kind: Job
metadata:
  name: migrate
  annotations:
    argocd.argoproj.io/hook: PreSync
    argocd.argoproj.io/hook-delete-policy: BeforeHookCreation
spec:
  backoffLimit: 0
  template:
    spec:
      restartPolicy: Never
      containers:
      - name: main
        image: alpine:3
        command: ["true"]
`

func TestSync(t *testing.T) {
	start(t)
	for _, tc := range syncCases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			runSync(t, tc)
		})
	}
}

func runSync(t *testing.T, tc syncCase) {
	ctx := t.Context()
	ns := "e2e-" + tc.name
	if tc.dest != "" {
		ns = tc.dest
	} else {
		createNamespace(t, ns)
	}
	existing := map[string]bool{}
	var (
		liveFile string
		liveUID  types.UID // the test's own creation of the live object is not Argo CD's
	)
	if tc.live != "" {
		// Inside the repository (the replay reads only below its root), never committed.
		liveFile = filepath.Join(shared.repo, ".live", tc.name+".yaml")
		if err := os.MkdirAll(filepath.Dir(liveFile), 0o755); err != nil {
			t.Fatal(err)
		}
		obj := createLive(t, tc.name, ns, tc.live)
		data, err := json.Marshal(obj.Object)
		if err != nil {
			t.Fatal(err)
		}
		writeFile(t, liveFile, data)
		existing[argocd.ObjectKey(obj.GetKind(), ns, obj.GetName())] = true
		liveUID = obj.GetUID()
	}

	want, replayOut := replay(t, tc, ns, liveFile, existing)
	createApplication(t, tc, ns)

	if tc.blocked != "" {
		checkBlocked(t, tc, ns)
		return
	}
	if tc.hang > 0 {
		time.Sleep(tc.hang)
		app := getApp(t, tc.name)
		if phase := operationPhase(app); phase != "Running" {
			t.Fatalf("after %s the sync is %q, want still Running (a hook that can never run hangs the sync): %s", tc.hang, phase, operationMessage(app))
		}
		terminate(t, tc.name)
	}
	app := waitOperation(t, tc.name)
	time.Sleep(2 * time.Second) // the watch delivers the last deletions
	for kind, gvr := range tc.late {
		if err := shared.rec.WatchLate(ctx, kind, gvr); err != nil {
			t.Fatal(err)
		}
	}
	events := shared.rec.Events(func(e argocd.Event) bool { return e.UID != liveUID || e.Action != "create" })
	got := argocd.FromArgoCD(app, events, want)
	diff := gocmp.Diff(want, got)
	reason, expected := expectedDifferences[tc.name]
	switch {
	case diff != "" && !expected:
		t.Errorf("wavecheck replay and Argo CD disagree (-replay +argocd):\n%s\nArgo CD: %s\nreplay output:\n%s", diff, operationMessage(app), replayOut)
	case diff == "" && expected:
		t.Errorf("the expected difference (%s) is gone: remove %q from expectedDifferences", reason, tc.name)
	case diff != "":
		t.Logf("expected difference (%s) (-replay +argocd):\n%s", reason, diff)
	}
}

// replay runs `wavecheck replay -o json` on the app, as a user would before pushing it.
// Objects in existing (given with --live) exist before the sync: applying them writes no
// creation.
func replay(t *testing.T, tc syncCase, ns, liveFile string, existing map[string]bool) (argocd.Sync, string) {
	args := []string{"replay", "-o", "json", "--app-name", tc.name, "-n", ns, "--repo-root", shared.repo}
	if liveFile != "" {
		args = append(args, "--live", liveFile)
	}
	if tc.hang > 0 {
		args = append(args, "--timeout", tc.hang.String())
	}
	args = append(append(args, tc.replay...), filepath.Join(shared.repo, tc.path))
	cmd := exec.Command(shared.wavecheck, args...)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	var exit *exec.ExitError
	if err != nil && !(errors.As(err, &exit) && exit.ExitCode() == 1) {
		t.Fatalf("wavecheck %s: %v\n%s", strings.Join(args, " "), err, stderr.String())
	}
	var rep argocd.Replay
	if err := json.Unmarshal(stdout.Bytes(), &rep); err != nil {
		t.Fatalf("wavecheck %s: read JSON: %v\nstdout: %s\nstderr: %s", strings.Join(args, " "), err, stdout.String(), stderr.String())
	}
	return argocd.FromReplay(rep, existing), stdout.String()
}

func createNamespace(t *testing.T, ns string) {
	t.Helper()
	obj := &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: ns}}
	if _, err := shared.client.CoreV1().Namespaces().Create(t.Context(), obj, metav1.CreateOptions{}); err != nil && !apierrors.IsAlreadyExists(err) {
		t.Fatal(err)
	}
	if err := cluster.WaitServiceAccount(t.Context(), shared.client, ns, "default"); err != nil {
		t.Fatal(err)
	}
}

// createLive creates an object of the app as a previous sync would have left it: with Argo
// CD's default (annotation) tracking id <app>:<group>/<kind>:<namespace>/<name>.
func createLive(t *testing.T, app, ns, manifest string) *unstructured.Unstructured {
	t.Helper()
	var obj unstructured.Unstructured
	if err := yamlToObject(manifest, &obj); err != nil {
		t.Fatal(err)
	}
	obj.SetNamespace(ns)
	gvk := obj.GroupVersionKind()
	ann := obj.GetAnnotations()
	if ann == nil {
		ann = map[string]string{}
	}
	ann["argocd.argoproj.io/tracking-id"] = fmt.Sprintf("%s:%s/%s:%s/%s", app, gvk.Group, gvk.Kind, ns, obj.GetName())
	obj.SetAnnotations(ann)
	gvr, ok := argocd.Watched[gvk.Kind]
	if !ok {
		t.Fatalf("no resource for kind %s", gvk.Kind)
	}
	created, err := shared.dyn.Resource(gvr).Namespace(ns).Create(t.Context(), &obj, metav1.CreateOptions{})
	if err != nil {
		t.Fatal(err)
	}
	return created
}

func createApplication(t *testing.T, tc syncCase, ns string) {
	t.Helper()
	plugin := map[string]any{"name": argocd.PluginName}
	if tc.mode != "" {
		plugin["parameters"] = []any{map[string]any{"name": "mode", "string": tc.mode}}
	}
	app := &unstructured.Unstructured{Object: map[string]any{
		"apiVersion": "argoproj.io/v1alpha1", "kind": "Application",
		"metadata": map[string]any{"name": tc.name, "namespace": argocd.Namespace},
		"spec": map[string]any{
			"project": "default",
			"source": map[string]any{
				"repoURL": repoURL(), "path": tc.path, "targetRevision": "HEAD", "plugin": plugin,
			},
			"destination": map[string]any{"server": "https://kubernetes.default.svc", "namespace": ns},
			// One attempt: the replay models one sync, and an automated sync retries a
			// failed one 5 times unless told otherwise (controller/appcontroller.go autoSync:
			// Retry: RetryStrategy{Limit: 5}).
			"syncPolicy": map[string]any{"automated": map[string]any{"prune": true}, "retry": map[string]any{"limit": 0}},
		},
	}}
	if tc.generatePaths != "" {
		app.SetAnnotations(map[string]string{"argocd.argoproj.io/manifest-generate-paths": tc.generatePaths})
	}
	if _, err := shared.dyn.Resource(argocd.ApplicationGVR).Namespace(argocd.Namespace).Create(t.Context(), app, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		// No cascade (no finalizer): the objects stay for a failing test to inspect.
		_ = shared.dyn.Resource(argocd.ApplicationGVR).Namespace(argocd.Namespace).Delete(context.Background(), tc.name, metav1.DeleteOptions{})
	})
}

func getApp(t *testing.T, name string) *unstructured.Unstructured {
	t.Helper()
	app, err := shared.dyn.Resource(argocd.ApplicationGVR).Namespace(argocd.Namespace).Get(t.Context(), name, metav1.GetOptions{})
	if err != nil {
		t.Fatal(err)
	}
	return app
}

func operationPhase(app *unstructured.Unstructured) string {
	p, _, _ := unstructured.NestedString(app.Object, "status", "operationState", "phase")
	return p
}

func operationMessage(app *unstructured.Unstructured) string {
	m, _, _ := unstructured.NestedString(app.Object, "status", "operationState", "message")
	conds, _, _ := unstructured.NestedSlice(app.Object, "status", "conditions")
	for _, c := range conds {
		cm, _ := c.(map[string]any)
		m += fmt.Sprintf("; condition %v: %v", cm["type"], cm["message"])
	}
	return m
}

// settle bounds every wait on Argo CD; a sync of the test apps takes seconds.
const settle = 4 * time.Minute

func hasCondition(app *unstructured.Unstructured, typ string) bool {
	conds, _, _ := unstructured.NestedSlice(app.Object, "status", "conditions")
	for _, c := range conds {
		if cm, _ := c.(map[string]any); cm["type"] == typ {
			return true
		}
	}
	return false
}

// waitOperation waits for the sync operation to finish, or for a ComparisonError that keeps
// the automated sync from starting.
func waitOperation(t *testing.T, name string) *unstructured.Unstructured {
	t.Helper()
	var (
		app     *unstructured.Unstructured
		refused time.Time
	)
	err := wait.PollUntilContextTimeout(t.Context(), 500*time.Millisecond, settle, true, func(ctx context.Context) (bool, error) {
		a, err := shared.dyn.Resource(argocd.ApplicationGVR).Namespace(argocd.Namespace).Get(ctx, name, metav1.GetOptions{})
		if err != nil {
			return false, nil
		}
		app = a
		if _, started, _ := unstructured.NestedMap(a.Object, "status", "operationState"); !started && hasCondition(a, "ComparisonError") {
			// Argo CD refuses the manifests: no sync will run (once it lasts; the first
			// comparison may race the cluster cache).
			if refused.IsZero() {
				refused = time.Now()
			}
			return time.Since(refused) > 15*time.Second, nil
		}
		refused = time.Time{}
		finished, _, _ := unstructured.NestedString(a.Object, "status", "operationState", "finishedAt")
		return finished != "" && slices.Contains([]string{"Succeeded", "Failed", "Error"}, operationPhase(a)), nil
	})
	if err != nil {
		msg := "no Application"
		if app != nil {
			msg = fmt.Sprintf("phase %q: %s", operationPhase(app), operationMessage(app))
		}
		t.Fatalf("sync of %s did not finish: %v; %s", name, err, msg)
	}
	return app
}

// terminate ends a running sync as `argocd app terminate-op` does (server/application
// TerminateOperation: the operation state's phase becomes Terminating).
func terminate(t *testing.T, name string) {
	t.Helper()
	patch := []byte(`{"status":{"operationState":{"phase":"Terminating"}}}`)
	if _, err := shared.dyn.Resource(argocd.ApplicationGVR).Namespace(argocd.Namespace).Patch(t.Context(), name, types.MergePatchType, patch, metav1.PatchOptions{}); err != nil {
		t.Fatal(err)
	}
}

// checkBlocked waits for the ComparisonError of an app enforce mode refuses and checks that
// no sync ran and nothing in the namespace was written (the tracked live object stays).
func checkBlocked(t *testing.T, tc syncCase, ns string) {
	t.Helper()
	var msg string
	err := wait.PollUntilContextTimeout(t.Context(), 500*time.Millisecond, settle, true, func(ctx context.Context) (bool, error) {
		app, err := shared.dyn.Resource(argocd.ApplicationGVR).Namespace(argocd.Namespace).Get(ctx, tc.name, metav1.GetOptions{})
		if err != nil {
			return false, nil
		}
		conds, _, _ := unstructured.NestedSlice(app.Object, "status", "conditions")
		for _, c := range conds {
			cm, _ := c.(map[string]any)
			if cm["type"] == "ComparisonError" {
				msg, _ = cm["message"].(string)
				return true, nil
			}
		}
		return false, nil
	})
	if err != nil {
		t.Fatalf("no ComparisonError on %s: %v", tc.name, err)
	}
	if !strings.Contains(msg, tc.blocked) || !strings.Contains(msg, "wavecheck") {
		t.Errorf("ComparisonError = %q, want wavecheck's short message with %q", msg, tc.blocked)
	}
	// Give an (erroneous) automated sync time to start, then check nothing happened.
	time.Sleep(10 * time.Second)
	app := getApp(t, tc.name)
	if op, ok, _ := unstructured.NestedMap(app.Object, "status", "operationState"); ok {
		t.Errorf("a sync ran on a blocked app: %v", op)
	}
	created := shared.rec.Events(func(e argocd.Event) bool {
		if e.Namespace != ns {
			return false
		}
		// What the control plane writes into every namespace, and the test's own object.
		system := e.Kind == "ServiceAccount" && e.Name == "default" || e.Kind == "ConfigMap" && e.Name == "kube-root-ca.crt"
		own := e.Kind == "ConfigMap" && e.Name == "keep-me" && e.Action == "create"
		return !system && !own
	})
	if len(created) > 0 {
		t.Errorf("writes in %s while the app is blocked: %v", ns, created)
	}
	if _, err := shared.client.CoreV1().ConfigMaps(ns).Get(t.Context(), "keep-me", metav1.GetOptions{}); err != nil {
		t.Errorf("the app's live ConfigMap keep-me is gone: %v", err)
	}
}

func writeFile(t *testing.T, path string, data []byte) {
	t.Helper()
	if err := os.WriteFile(path, data, 0o644); err != nil {
		t.Fatal(err)
	}
}

func yamlToObject(manifest string, obj *unstructured.Unstructured) error {
	return yaml.Unmarshal([]byte(manifest), &obj.Object)
}
