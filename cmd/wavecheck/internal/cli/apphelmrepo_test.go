package cli

import (
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/wavecheck/wavecheck/internal/testfs"
	"github.com/wavecheck/wavecheck/internal/testfs/chartrepo"
)

// widgetsRepo serves chart "widgets" 1.0.0 and 1.1.0: a Widget whose CRD is not in the app
// (cr-without-crd) and a ConfigMap.
func widgetsRepo(t *testing.T) *chartrepo.Repo {
	t.Helper()
	var charts = []string{"1.0.0", "1.1.0"}
	repo := chartrepo.New(t, "", "",
		chartrepo.Chart("widgets", charts[0], map[string]string{"templates/cr.yaml": "apiVersion: example.com/v1\nkind: Widget\nmetadata:\n  name: {{ .Release.Name }}\n"}),
		chartrepo.Chart("widgets", charts[1], map[string]string{
			"templates/cr.yaml": "apiVersion: example.com/v1\nkind: Widget\nmetadata:\n  name: {{ .Release.Name }}\n",
			"templates/cm.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: {{ .Release.Name }}-config\n",
		}))
	// The user's Helm repositories.yaml must not leak into the test.
	t.Setenv("HELM_REPOSITORY_CONFIG", filepath.Join(t.TempDir(), "repositories.yaml"))
	return repo
}

func chartApp(repoURL, chart, revision string) string {
	return "apiVersion: argoproj.io/v1alpha1\nkind: Application\nmetadata: {name: shop, namespace: argocd}\nspec:\n" +
		"  source: {repoURL: '" + repoURL + "', chart: " + chart + ", targetRevision: '" + revision + "', helm: {releaseName: rel}}\n" +
		"  destination: {server: https://kubernetes.default.svc, namespace: shop}\n"
}

// TestValidateApplicationHelmRepo: validate --application on an Application whose chart comes
// from a Helm repository lints the chart's objects at the version targetRevision resolves to
// (findings name Helm's template file); once cached, render and plan --offline need no network.
func TestValidateApplicationHelmRepo(t *testing.T) {
	repo := widgetsRepo(t)
	root := testfs.Tree(t, map[string]string{".git/config": "[core]\n", "argocd/app.yaml": chartApp(repo.URL, "widgets", "1.*")})
	app := filepath.Join(root, "argocd", "app.yaml")
	cache := t.TempDir()
	rep, _ := validateJSON(t, "--helm-cache-dir", cache, "--application", app)
	var got []string
	for _, f := range rep.Findings {
		got = append(got, f.Rule+" "+f.Object.Kind+"/"+f.Object.Name+" "+f.File)
	}
	if !slices.Contains(got, "cr-without-crd Widget/rel widgets/templates/cr.yaml") {
		t.Errorf("findings %q: want cr-without-crd on the chart's Widget", got)
	}
	if rep.Summary.Objects != 2 {
		t.Errorf("%d objects linted, want the 2 of widgets 1.1.0", rep.Summary.Objects)
	}
	before := repo.Requests()
	stdout, stderr, code := runWavecheck(t, "render", "--offline", "--helm-cache-dir", cache, "--application", app)
	if code != ExitOK {
		t.Fatalf("render --offline from the cache: exit %d\n%s", code, stderr)
	}
	if !strings.Contains(stdout, "name: rel-config") {
		t.Errorf("render --offline: no ConfigMap of widgets 1.1.0 in\n%s", stdout)
	}
	// plan is left out of the sidecar build (commands_sidecar.go); render covers it there.
	if edition == "" {
		stdout, stderr, code = runWavecheck(t, "plan", "--offline", "--helm-cache-dir", cache, "--application", app)
		if code != ExitOK || !strings.Contains(stdout, "rel-config") {
			t.Errorf("plan --offline: exit %d, want a plan naming the chart's ConfigMap\n%s\n%s", code, stdout, stderr)
		}
	}
	if repo.Requests() != before {
		t.Errorf("render and plan --offline made %d requests", repo.Requests()-before)
	}
}

// TestApplicationHelmRepoBadInput: each bad chart source is exit 2, one line on stderr
// naming the Application file and the cause, and nothing on stdout.
func TestApplicationHelmRepoBadInput(t *testing.T) {
	repo := widgetsRepo(t)
	root := testfs.Tree(t, map[string]string{
		".git/config":           "[core]\n",
		"argocd/nochart.yaml":   chartApp(repo.URL, "gadgets", "1.*"),
		"argocd/nomatch.yaml":   chartApp(repo.URL, "widgets", "2.*"),
		"argocd/noversion.yaml": chartApp(repo.URL, "widgets", "1.0.1"),
		"argocd/down.yaml":      chartApp("http://127.0.0.1:1/charts", "widgets", "1.*"),
		"argocd/offline.yaml":   chartApp(repo.URL, "widgets", "1.0.0"),
		"argocd/norev.yaml":     chartApp(repo.URL, "widgets", ""),
	})
	tests := []struct {
		name, file string
		args       []string
		want       string
	}{
		{"chart not in the index", "nochart.yaml", nil, "chart 'gadgets' not found in the index of " + repo.URL + " (it has widgets)"},
		{"no version matches the constraint", "nomatch.yaml", nil, `no version matches targetRevision "2.*" (the newest of 2 versions is 1.1.0)`},
		{"exact version missing", "noversion.yaml", nil, "chart widgets version 1.0.1 is not in the index of " + repo.URL + " (the newest of 2 versions is 1.1.0)"},
		{"unreachable repository", "down.yaml", nil, "chart repository http://127.0.0.1:1/charts cannot be reached"},
		{"--offline with the chart not cached", "offline.yaml", []string{"--offline"}, "chart widgets 1.0.0 from " + repo.URL + " is not in the cache"},
		{"no targetRevision", "norev.yaml", nil, "spec.source.targetRevision is required if the manifest source is a helm chart"},
	}
	for _, tt := range tests {
		for _, cmd := range []string{"validate", "render"} {
			t.Run(cmd+" "+tt.name, func(t *testing.T) {
				file := filepath.Join(root, "argocd", tt.file)
				args := append([]string{cmd, "--helm-cache-dir", t.TempDir(), "--application", file}, tt.args...)
				stdout, stderr, code := runWavecheck(t, args...)
				if code != ExitFailure || stdout != "" {
					t.Fatalf("exit %d, stdout %q; want exit %d and no output\n%s", code, stdout, ExitFailure, stderr)
				}
				lines := slices.DeleteFunc(strings.Split(strings.TrimSpace(stderr), "\n"), func(s string) bool { return strings.HasPrefix(s, "time=") })
				if len(lines) != 1 || !strings.Contains(lines[0], tt.want) || !strings.Contains(lines[0], file) {
					t.Errorf("stderr %q: want one line naming %s with %q", stderr, file, tt.want)
				}
			})
		}
	}
}
