package main

import (
	"bytes"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// TestHandOverToHelm runs the image's two binaries as the image holds them: wavecheck built
// without Helm (-tags sidecar,nohelm), and wavecheck-helm (-tags sidecar) next to it. Every
// command whose input needs Helm must give what the full build gives (stdout and exit status),
// the build without Helm handing the run over (a debug line says so); other inputs never hand
// over; and what cannot be handed over is a one-line error saying why.
func TestHandOverToHelm(t *testing.T) {
	if testing.Short() {
		t.Skip("builds two binaries")
	}
	goBin, err := exec.LookPath("go")
	if err != nil {
		t.Skip("no go command on PATH")
	}
	bin := t.TempDir()
	lite, companion := filepath.Join(bin, "wavecheck"), filepath.Join(bin, "wavecheck-helm")
	for out, tags := range map[string]string{lite: "sidecar,nohelm", companion: "sidecar"} {
		if b, err := exec.Command(goBin, "build", "-tags", tags, "-o", out, ".").CombinedOutput(); err != nil { //nolint:gosec // G204: the go command
			t.Fatalf("go build -tags %s: %v\n%s", tags, err, b)
		}
	}
	root := t.TempDir()
	writeTree(t, root, map[string]string{
		".git/HEAD":                         "ref: refs/heads/main\n",
		"chart/Chart.yaml":                  "apiVersion: v2\nname: web\nversion: 0.1.0\n",
		"chart/values.yaml":                 "replicas: 2\n",
		"chart/templates/cm.yaml":           "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: {{ .Release.Name }}-cm\n  annotations:\n    argocd.argoproj.io/sync-wave: \"{{ .Values.replicas }}\"\ndata:\n  ns: {{ .Release.Namespace }}\n",
		"chart/templates/job.yaml":          "apiVersion: batch/v1\nkind: Job\nmetadata:\n  name: migrate\n  annotations:\n    argocd.argoproj.io/hook: PreSync\n    argocd.argoproj.io/hook-delete-policy: BeforeHookCreation\nspec:\n  template:\n    spec:\n      restartPolicy: Never\n      containers:\n      - name: m\n        image: busybox:1.36\n",
		"kust/kustomization.yaml":           "helmCharts:\n- name: web\n  releaseName: shop\n",
		"kust/charts/web/Chart.yaml":        "apiVersion: v2\nname: web\nversion: 0.1.0\n",
		"kust/charts/web/values.yaml":       "n: 1\n",
		"kust/charts/web/templates/cm.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: {{ .Release.Name }}-cm\ndata:\n  n: \"{{ .Values.n }}\"\n",
		"dir/cm.yaml":                       "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: plain\n",
	})
	cmpEnv := []string{"ARGOCD_APP_NAME=shop", "ARGOCD_APP_NAMESPACE=prod", "ARGOCD_APP_PROJECT_NAME=default", "KUBE_VERSION=1.34.0"}
	const handOver = "handing the run over to the build with Helm"
	run := func(exe string, dir string, env []string, stdin string, args ...string) (string, string, int) {
		t.Helper()
		cmd := exec.Command(exe, args...) //nolint:gosec // G204: the binaries built above, or this test binary
		cmd.Dir = filepath.Join(root, dir)
		cmd.Env = append(os.Environ(), env...)
		cmd.Stdin = strings.NewReader(stdin)
		var stdout, stderr bytes.Buffer
		cmd.Stdout, cmd.Stderr = &stdout, &stderr
		err := cmd.Run()
		if ee := (*exec.ExitError)(nil); err != nil && !errors.As(err, &ee) {
			t.Fatalf("%s %v: %v", exe, args, err)
		}
		return stdout.String(), stderr.String(), cmd.ProcessState.ExitCode()
	}
	for _, tc := range []struct {
		name     string
		dir      string
		env      []string
		args     []string
		handOver bool
	}{
		{"generate a chart", "chart", cmpEnv, []string{"generate"}, true},
		{"generate a kustomization with helmCharts", "kust", append(cmpEnv, "WAVECHECK_KUSTOMIZE_ENABLE_HELM=true"), []string{"generate"}, false},
		{"generate a directory app", "dir", cmpEnv, []string{"generate"}, false},
		{"validate a directory app and a chart", ".", nil, []string{"validate", "-o", "json", "dir", "chart"}, true},
		{"render a chart", ".", nil, []string{"render", "chart", "--namespace", "prod"}, true},
		{"render helmCharts", ".", nil, []string{"render", "--enable-helm", "kust"}, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			args := append([]string{"--log-level", "debug"}, tc.args...)
			want, wantErr, wantCode := run(os.Args[0], tc.dir, append(tc.env, mainEnv+"=1"), "", args...)
			got, gotErr, gotCode := run(lite, tc.dir, tc.env, "", args...)
			if got != want || gotCode != wantCode {
				t.Errorf("build without Helm: exit %d, stdout:\n%s\nfull build: exit %d, stdout:\n%s\nstderr:\n%s\nfull build's stderr:\n%s", gotCode, got, wantCode, want, gotErr, wantErr)
			}
			if wantCode != 0 && wantCode != 1 {
				t.Errorf("full build: exit %d, stderr:\n%s", wantCode, wantErr)
			}
			if strings.Contains(gotErr, handOver) != tc.handOver {
				t.Errorf("handed over: %v, want %v; stderr:\n%s", !tc.handOver, tc.handOver, gotErr)
			}
		})
	}

	// What cannot be handed over: standard input already read, and no wavecheck-helm.
	manifest := "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: piped\n"
	_, stderr, code := run(lite, ".", nil, manifest, "validate", "-", "chart")
	if code != 2 || !strings.Contains(stderr, "standard input was read already") || strings.Count(strings.TrimSpace(stderr), "\n") != 0 {
		t.Errorf("stdin and a chart: exit %d, stderr %q; want exit 2 and one line saying stdin was read", code, stderr)
	}
	// A companion built without Helm as well: refused, not handed over in a loop.
	if b, err := os.ReadFile(lite); err != nil || os.WriteFile(companion, b, 0o755) != nil { //nolint:gosec // G306: an executable
		t.Fatalf("copy %s over %s: %v", lite, companion, err)
	}
	_, stderr, code = run(lite, "chart", cmpEnv, "", "generate")
	if code != 2 || !strings.Contains(stderr, "is a build without Helm too") {
		t.Errorf("wavecheck-helm without Helm: exit %d, stderr %q; want exit 2 and the misbuilt companion named", code, stderr)
	}
	if err := os.Remove(companion); err != nil {
		t.Fatal(err)
	}
	stdout, stderr, code := run(lite, "chart", cmpEnv, "", "generate")
	if code != 2 || stdout != "" || !strings.Contains(stderr, "the Helm chart chart needs Helm") || !strings.Contains(stderr, "wavecheck-helm") || strings.Count(strings.TrimSpace(stderr), "\n") != 0 {
		t.Errorf("no wavecheck-helm: exit %d, stdout %q, stderr %q; want exit 2, nothing on stdout and one line naming the chart and wavecheck-helm", code, stdout, stderr)
	}
}
