package cli

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/wavecheck/wavecheck/internal/testfs"
)

// appsRepo is a repository with a CR whose CRD is not in the app, and two Applications of it:
// one with SkipDryRunOnMissingResource=true in its syncOptions, one without.
var appsRepo = map[string]string{
	".git/config": "[core]\n",
	"app/cr.yaml": "apiVersion: example.com/v1\nkind: Widget\nmetadata:\n  name: w\n",
	"app/cm.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c\n",
	"argocd/skip.yaml": `apiVersion: argoproj.io/v1alpha1
kind: Application
metadata: {name: skip, namespace: argocd}
spec:
  source: {repoURL: https://example.com/repo.git, path: app}
  destination: {server: https://kubernetes.default.svc, namespace: team}
  syncPolicy:
    syncOptions: [SkipDryRunOnMissingResource=true, CreateNamespace=true]
`,
	"argocd/plain.yaml": `apiVersion: argoproj.io/v1alpha1
kind: Application
metadata: {name: plain, namespace: argocd}
spec:
  source: {repoURL: https://example.com/repo.git, path: app, directory: {exclude: cm.yaml}}
  destination: {server: https://kubernetes.default.svc, namespace: team}
`,
	"argocd/values.yaml": "replicas: 3\n", // not an Application: skipped by --applications
}

// TestValidateApplications: --applications DIR gives one report per Application (SARIF: one
// run each, with its automationDetails), and the app's syncOptions feed the rules.
func TestValidateApplications(t *testing.T) {
	root := testfs.Tree(t, appsRepo)
	stdout, stderr, code := runWavecheck(t, "validate", "-o", "sarif", "--applications", filepath.Join(root, "argocd"))
	if code != ExitOK {
		t.Fatalf("exit %d\n%s", code, stderr)
	}
	var sarif struct {
		Runs []struct {
			AutomationDetails struct{ ID string } `json:"automationDetails"`
			Results           []struct {
				RuleID string `json:"ruleId"`
			} `json:"results"`
		} `json:"runs"`
	}
	if err := json.Unmarshal([]byte(stdout), &sarif); err != nil {
		t.Fatal(err)
	}
	got := map[string][]string{}
	for _, r := range sarif.Runs {
		var rules []string
		for _, res := range r.Results {
			rules = append(rules, res.RuleID)
		}
		got[r.AutomationDetails.ID] = rules
	}
	want := map[string][]string{
		"wavecheck/argocd/plain.yaml/plain/": {"cr-without-crd"},
		"wavecheck/argocd/skip.yaml/skip/":   nil,
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("runs (-want +got):\n%s", diff)
	}
}

// TestApplicationBadInput: each bad input is exit 2, one line on stderr naming the file, and
// nothing on stdout.
func TestApplicationBadInput(t *testing.T) {
	root := testfs.Tree(t, appsRepo)
	// A reachable chart repository on 127.0.0.1 whose index has dep 0.1.0 only.
	charts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/index.yaml" {
			http.NotFound(w, r)
			return
		}
		_, _ = fmt.Fprint(w, "apiVersion: v1\nentries:\n  dep:\n  - {apiVersion: v2, name: dep, version: 0.1.0, urls: [dep-0.1.0.tgz]}\n")
	}))
	t.Cleanup(charts.Close)
	testfs.Write(t, root, map[string]string{
		"bad/version.yaml":  "apiVersion: argoproj.io/v1alpha1\nkind: Application\nmetadata: {name: v}\nspec:\n  source: {repoURL: https://example.com/repo.git, path: chart2}\n  destination: {namespace: x}\n",
		"chart2/Chart.yaml": "apiVersion: v2\nname: c\nversion: 0.1.0\ndependencies:\n- {name: dep, version: 9.9.9, repository: " + charts.URL + "}\n",
		"bad/cm.yaml":       "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\n",
		"bad/missing.yaml":  "apiVersion: argoproj.io/v1alpha1\nkind: Application\nmetadata: {name: m}\nspec:\n  sources:\n  - {repoURL: https://example.com/repo.git, path: app, helm: {valueFiles: [$values/v.yaml]}}\n  destination: {namespace: x}\n",
		"bad/chart.yaml":    "apiVersion: argoproj.io/v1alpha1\nkind: Application\nmetadata: {name: c}\nspec:\n  source: {repoURL: https://example.com/repo.git, path: chart}\n  destination: {namespace: x}\n",
		"chart/Chart.yaml":  "apiVersion: v2\nname: c\nversion: 0.1.0\ndependencies:\n- {name: dep, version: 9.9.9, repository: http://127.0.0.1:1/charts}\n",
	})
	tests := []struct{ name, file, want string }{
		{"not an Application", "bad/cm.yaml", "not an Argo CD Application"},
		{"$values ref to a missing source", "bad/missing.yaml", "no source of the app has ref: values"},
		{"unreachable chart repository", "bad/chart.yaml", "127.0.0.1:1"},
		{"wrong chart version", "bad/version.yaml", "dependency dep 9.9.9 from " + charts.URL},
		{"no such file", "bad/none.yaml", "none.yaml"},
	}
	for _, tt := range tests {
		for _, cmd := range []string{"validate", "render"} {
			t.Run(cmd+" "+tt.name, func(t *testing.T) {
				file := filepath.Join(root, tt.file)
				stdout, stderr, code := runWavecheck(t, cmd, "--application", file)
				if code != ExitFailure || stdout != "" {
					t.Fatalf("exit %d, stdout %q; want exit %d and no output\n%s", code, stdout, ExitFailure, stderr)
				}
				lines := slices.DeleteFunc(strings.Split(strings.TrimSpace(stderr), "\n"), func(s string) bool { return strings.HasPrefix(s, "time=") })
				if len(lines) != 1 || !strings.Contains(lines[0], tt.want) || !strings.Contains(lines[0], filepath.Base(tt.file)) {
					t.Errorf("stderr %q: want one line naming %s with %q", stderr, tt.file, tt.want)
				}
			})
		}
	}
}

// TestValidateApplicationDeterminism is the regression test for --application skipping the
// determinism check: a Helm source of an Application is rendered twice like a chart directory,
// so render-not-deterministic fires for it too (and --check-determinism=false turns it off).
func TestValidateApplicationDeterminism(t *testing.T) {
	root := testfs.Tree(t, map[string]string{
		".git/config":      "[core]\n",
		"chart/Chart.yaml": "apiVersion: v2\nname: app\nversion: 0.1.0\n",
		"chart/templates/secret.yaml": "apiVersion: v1\nkind: Secret\nmetadata:\n  name: app-credentials\n" +
			"stringData:\n  password: {{ randAlphaNum 24 | quote }}\n",
		"argocd/app.yaml": `apiVersion: argoproj.io/v1alpha1
kind: Application
metadata: {name: shop, namespace: argocd}
spec:
  source: {repoURL: https://example.com/repo.git, path: chart, helm: {releaseName: shop}}
  destination: {server: https://kubernetes.default.svc, namespace: shop}
`,
	})
	app := filepath.Join(root, "argocd", "app.yaml")
	stdout, stderr, code := runWavecheck(t, "validate", "-o", "json", "--fail-on-warn", "--application", app)
	if code != ExitFindings {
		t.Fatalf("exit %d, want %d\n%s", code, ExitFindings, stderr)
	}
	if !strings.Contains(stdout, `"render-not-deterministic"`) {
		t.Errorf("no render-not-deterministic finding in:\n%s", stdout)
	}
	if _, stderr, code := runWavecheck(t, "validate", "--fail-on-warn", "--check-determinism=false", "--application", app); code != ExitOK {
		t.Errorf("--check-determinism=false: exit %d, want %d\n%s", code, ExitOK, stderr)
	}
}
