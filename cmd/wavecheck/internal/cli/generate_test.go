package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/wavecheck/wavecheck/internal/testfs"
)

// cmpApps are small apps for the Argo CD plugin commands.
var cmpApps = map[string]map[string]string{
	"clean": {"cm.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: cfg\n  annotations:\n    argocd.argoproj.io/sync-wave: \"1\"\ndata:\n  a: \"1\"\n"},
	"broken": {
		"job.yaml": `apiVersion: batch/v1
kind: Job
metadata:
  name: migrate
  annotations:
    argocd.argoproj.io/hook: PreSyn
spec:
  backoffLimit: 1
  activeDeadlineSeconds: 60
  template:
    spec:
      restartPolicy: Never
      containers:
        - name: m
          image: busybox
`,
		"cm.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: cfg\n  annotations:\n    argocd.argoproj.io/sync-wave: \"1.5\"\n",
	},
	"empty":   {"README.md": "# nothing to deploy\n"},
	"jsonnet": {"main.jsonnet": "{}\n"},
	"helm": {
		"Chart.yaml":        "apiVersion: v2\nname: demo\nversion: 0.1.0\n",
		"values.yaml":       "greeting: hello\n",
		"values-prod.yaml":  "greeting: prod\n",
		"templates/cm.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: {{ .Release.Name }}\n  namespace: {{ .Release.Namespace }}\ndata:\n  greeting: {{ .Values.greeting | quote }}\n",
	},
}

// writeRepo writes the named apps under <repo>/apps/<name> (with a .git folder marking the repo
// root) plus extra files, and returns the repo root.
func writeRepo(t *testing.T, extra map[string]string) string {
	t.Helper()
	root := t.TempDir()
	files := map[string]string{".git/HEAD": "ref: refs/heads/main\n"}
	for app, fs := range cmpApps {
		for name, body := range fs {
			files["apps/"+app+"/"+name] = body
		}
	}
	for name, body := range extra {
		files[name] = body
	}
	testfs.Write(t, root, files)
	return root
}

// clearWavecheckEnv unsets the settings a developer's shell could leak into the tests.
func clearWavecheckEnv(t *testing.T) {
	t.Helper()
	for _, kv := range os.Environ() {
		k, _, _ := strings.Cut(kv, "=")
		if strings.HasPrefix(k, "WAVECHECK_") || strings.HasPrefix(k, "ARGOCD_") || strings.HasPrefix(k, "PARAM_") || strings.HasPrefix(k, "KUBE_") {
			t.Setenv(k, "") // restores the developer's value after the test
			if err := os.Unsetenv(k); err != nil {
				t.Fatal(err)
			}
		}
	}
}

func runCLI(t *testing.T, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	var o, e bytes.Buffer
	code = RunIO(context.Background(), args, os.Stdin, &o, &e)
	return code, o.String(), e.String()
}

func TestGenerateCommand(t *testing.T) {
	repo := writeRepo(t, map[string]string{
		"policies/team.rego":   "package main\n\nimport rego.v1\n\ndeny_team contains msg if {\n\tinput.kind == \"ConfigMap\"\n\tnot input.metadata.labels.team\n\tmsg := sprintf(\"ConfigMap %s has no team label\", [input.metadata.name])\n}\n",
		".wavecheck/repo.rego": "package main\n\nimport rego.v1\n\ndeny contains msg if {\n\tinput.kind == \"ConfigMap\"\n\tmsg := \"repo policy: no ConfigMaps here\"\n}\n",
		// A repo trying to exempt its objects from the admin's rule (conftest exception).
		".wavecheck/exempt.rego": "package main\n\nimport rego.v1\n\nexception contains rules if {\n\tinput.kind == \"ConfigMap\"\n\trules := [\"team\"]\n}\n",
	})
	app := func(name string) string { return filepath.Join(repo, "apps", name) }
	tests := []struct {
		name       string
		app        string
		env        map[string]string
		wantCode   int
		wantStdout bool     // stdout equals `wavecheck render` of the app
		wantStderr []string // substrings of stderr
		noStderr   []string
	}{
		{name: "clean", app: "clean", wantStdout: true},
		{
			name: "policy errors block", app: "broken", wantCode: ExitFindings,
			wantStderr: []string{"wavecheck: 2 policy errors blocking this app (mode enforce)\n", "\nhook-unknown-type: Job/migrate: ", "(apps/broken/job.yaml:1)", "\nsync-wave-not-integer: ConfigMap/cfg: "},
			noStderr:   []string{"Usage:", "goroutine", "--help"},
		},
		{name: "warn mode", app: "broken", env: map[string]string{"ARGOCD_ENV_WAVECHECK_MODE": "warn"}, wantStdout: true, wantStderr: []string{"(mode warn, not blocking)", "error hook-unknown-type: Job/migrate"}},
		{name: "off by parameter", app: "broken", env: map[string]string{"WAVECHECK_MODE": "warn", "ARGOCD_APP_PARAMETERS": `[{"name":"mode","string":"off"}]`}, wantStdout: true},
		{name: "ignore parameter", app: "broken", env: map[string]string{"ARGOCD_APP_PARAMETERS": `[{"name":"ignore","array":["hook-unknown-type"]}]`}, wantCode: ExitFindings, wantStderr: []string{"wavecheck: 1 policy error blocking", "sync-wave-not-integer"}, noStderr: []string{"hook-unknown-type"}},
		{name: "empty app", app: "empty", wantCode: ExitFailure, wantStderr: []string{"wavecheck: app renders no objects"}},
		{name: "empty app allowed", app: "empty", env: map[string]string{"ARGOCD_APP_PARAMETERS": `[{"name":"allow-empty","string":"true"}]`}},
		{name: "render failure", app: "jsonnet", wantCode: ExitFailure, wantStderr: []string{"wavecheck: ", "main.jsonnet", "jsonnet"}},
		{name: "unknown parameter", app: "clean", env: map[string]string{"ARGOCD_APP_PARAMETERS": `[{"name":"mdoe","string":"off"}]`}, wantCode: ExitFailure, wantStderr: []string{`wavecheck: parse plugin parameters: unknown parameter "mdoe"`}},
		{name: "admin policies", app: "clean", env: map[string]string{"WAVECHECK_POLICY_DIR": filepath.Join(repo, "policies")}, wantCode: ExitFindings, wantStderr: []string{"wavecheck: 1 policy error blocking", "ConfigMap cfg has no team label"}},
		{name: "repo policies off by default", app: "clean", wantStdout: true},
		{name: "repo policies on", app: "clean", env: map[string]string{"WAVECHECK_REPO_POLICIES": "true"}, wantCode: ExitFindings, wantStderr: []string{"wavecheck: 1 policy error blocking", "repo policy: no ConfigMaps here"}},
		{
			name: "repo exceptions do not exempt from admin policies", app: "clean",
			env:      map[string]string{"WAVECHECK_REPO_POLICIES": "true", "WAVECHECK_POLICY_DIR": filepath.Join(repo, "policies")},
			wantCode: ExitFindings, wantStderr: []string{"wavecheck: 2 policy errors blocking", "ConfigMap cfg has no team label", "repo policy: no ConfigMaps here"},
		},
		{name: "helm with parameters", app: "helm", env: map[string]string{"ARGOCD_APP_NAME": "shop", "ARGOCD_APP_NAMESPACE": "prod", "ARGOCD_APP_PARAMETERS": `[{"name":"values-files","array":["values-prod.yaml"]},{"name":"set","map":{"greeting":"from-set"}}]`}, wantStdout: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			clearWavecheckEnv(t)
			for k, v := range tt.env {
				t.Setenv(k, v)
			}
			t.Chdir(app(tt.app))
			// A lint cache of its own: the second generate is served from it (the Argo CD hard
			// refresh) and must say exactly what the first said.
			t.Setenv("WAVECHECK_LINT_CACHE_DIR", t.TempDir())
			code, stdout, stderr := runCLI(t, "generate")
			code2, stdout2, stderr2 := runCLI(t, "generate")
			if code2 != code || stdout2 != stdout || stderr2 != stderr {
				t.Errorf("second generate (lint cache) differs: exit %d, stderr %q; the first: exit %d, stderr %q; stdout equal: %v", code2, stderr2, code, stderr, stdout2 == stdout)
			}
			if code != tt.wantCode {
				t.Fatalf("exit %d, want %d; stderr:\n%s", code, tt.wantCode, stderr)
			}
			if tt.wantStdout {
				args := []string{"render", "--app-name", tt.env["ARGOCD_APP_NAME"], "--namespace", tt.env["ARGOCD_APP_NAMESPACE"]}
				if tt.app == "helm" {
					args = append(args, "-f", "values-prod.yaml", "--set", "greeting=from-set")
				}
				_, want, rerr := runCLI(t, append(args, ".")...)
				if want == "" {
					t.Fatalf("render printed nothing: %s", rerr)
				}
				if diff := cmp.Diff(want, stdout); diff != "" {
					t.Errorf("generate output differs from render (-want +got):\n%s", diff)
				}
			} else if stdout != "" {
				t.Errorf("stdout not empty:\n%s", stdout)
			}
			for _, s := range tt.wantStderr {
				if !strings.Contains(stderr, s) {
					t.Errorf("stderr lacks %q:\n%s", s, stderr)
				}
			}
			for _, s := range tt.noStderr {
				if strings.Contains(stderr, s) {
					t.Errorf("stderr has %q:\n%s", s, stderr)
				}
			}
		})
	}
}

func TestGenerateHelmValues(t *testing.T) {
	repo := writeRepo(t, nil)
	clearWavecheckEnv(t)
	t.Setenv("ARGOCD_APP_NAME", "shop")
	t.Setenv("ARGOCD_APP_NAMESPACE", "prod")
	t.Setenv("ARGOCD_APP_PARAMETERS", `[{"name":"values-files","array":["values-prod.yaml"]},{"name":"values","string":"greeting: inline\n"}]`)
	t.Chdir(filepath.Join(repo, "apps", "helm"))
	code, stdout, stderr := runCLI(t, "generate")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	want := "apiVersion: v1\ndata:\n  greeting: inline\nkind: ConfigMap\nmetadata:\n  name: shop\n  namespace: prod\n"
	if diff := cmp.Diff(want, stdout); diff != "" {
		t.Errorf("output mismatch (-want +got):\n%s", diff)
	}
}

func TestDiscoverCommand(t *testing.T) {
	repo := writeRepo(t, nil)
	tests := []struct {
		app, env, want string
		vars           map[string]string
		wantReason     string
	}{
		{app: "clean", want: "Directory\n"},
		{app: "broken", want: "Directory\n"},
		{app: "helm", want: "Helm\n"},
		{app: "empty", wantReason: "no .yaml, .yml or .json file"},
		{app: "jsonnet", wantReason: "main.jsonnet is jsonnet"},
		{app: "jsonnet", vars: map[string]string{"WAVECHECK_DISCOVER_STRICT": "true"}, want: "Directory\n"},
		{app: "clean", env: `[{"name":"mdoe","string":"off"}]`, want: "Directory\n"},
		// Bad sidecar settings: claimed, so that generate reports them.
		{app: "jsonnet", vars: map[string]string{"WAVECHECK_DISCOVER_STRICT": "maybe"}, want: "Directory\n"},
	}
	for _, tt := range tests {
		t.Run(tt.app, func(t *testing.T) {
			clearWavecheckEnv(t)
			if tt.env != "" {
				t.Setenv("ARGOCD_APP_PARAMETERS", tt.env)
			}
			for k, v := range tt.vars {
				t.Setenv(k, v)
			}
			t.Chdir(filepath.Join(repo, "apps", tt.app))
			code, stdout, stderr := runCLI(t, "discover")
			if code != 0 || stdout != tt.want {
				t.Errorf("discover = exit %d stdout %q, want exit 0 stdout %q (stderr %q)", code, stdout, tt.want, stderr)
			}
			if tt.want == "" && (!strings.HasPrefix(stderr, "wavecheck: no match: ") || !strings.Contains(stderr, tt.wantReason)) {
				t.Errorf("stderr = %q, want the reason %q", stderr, tt.wantReason)
			}
		})
	}
}

func TestParametersCommand(t *testing.T) {
	repo := writeRepo(t, nil)
	clearWavecheckEnv(t)
	t.Setenv("WAVECHECK_MODE", "warn")
	t.Setenv("ARGOCD_APP_NAME", "shop")
	code, stdout, stderr := runCLI(t, "parameters", filepath.Join(repo, "apps", "helm"))
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	var anns []map[string]any
	if err := json.Unmarshal([]byte(stdout), &anns); err != nil {
		t.Fatalf("output is not a JSON array: %v\n%s", err, stdout)
	}
	var got []string
	for _, a := range anns {
		got = append(got, a["name"].(string))
	}
	if diff := cmp.Diff([]string{"mode", "argocd-version", "release-name", "values-files", "values", "values-object", "set"}, got); diff != "" {
		t.Errorf("announced parameters mismatch (-want +got):\n%s", diff)
	}
	if anns[0]["string"] != "warn" || anns[2]["string"] != "shop" || !strings.Contains(anns[3]["tooltip"].(string), "values-prod.yaml") {
		t.Errorf("defaults not taken from the environment and chart:\n%s", stdout)
	}
}
