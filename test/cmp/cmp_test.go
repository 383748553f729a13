// Package cmp_test runs wavecheck behind Argo CD's real Config Management Plugin server
// (github.com/argoproj/argo-cd/v3 cmpserver, in-process) with the project's plugin.yaml and the
// freshly built wavecheck binary, and drives it with Argo CD's own client code, as the
// repo-server does.
//
//	cd test/cmp && GOTOOLCHAIN=go1.27.3 go test -timeout 30m ./...
//
// WAVECHECK_BIN=path uses a prebuilt binary instead of building ../../cmd/wavecheck.
package cmp_test

import (
	"context"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/argoproj/argo-cd/gitops-engine/v3/pkg/utils/kube"
	"github.com/argoproj/argo-cd/v3/cmpserver"
	"github.com/argoproj/argo-cd/v3/cmpserver/apiclient"
	"github.com/argoproj/argo-cd/v3/cmpserver/plugin"
	"github.com/argoproj/argo-cd/v3/pkg/apis/application/v1alpha1"
	"github.com/argoproj/argo-cd/v3/util/cmp"
	gocmp "github.com/google/go-cmp/cmp"
	log "github.com/sirupsen/logrus"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/types/known/emptypb"
)

var (
	// wavecheckBin is the binary built from the repository under test.
	wavecheckBin string
	// repo is a copy of testdata/repo with a .git folder, like a repo-server checkout.
	repo string
	// sockPath is the cmp-server's socket.
	sockPath string
	client   apiclient.ConfigManagementPluginServiceClient
)

func TestMain(m *testing.M) { os.Exit(setup(m)) }

func setup(m *testing.M) int {
	fail := func(format string, a ...any) int {
		fmt.Fprintf(os.Stderr, "test/cmp setup: "+format+"\n", a...)
		return 1
	}
	log.SetLevel(log.WarnLevel)
	// Read before the environment is cleaned below (it starts with WAVECHECK_).
	prebuilt := os.Getenv("WAVECHECK_BIN")
	// A developer's shell must not change the plugin's behaviour.
	for _, kv := range os.Environ() {
		k, _, _ := strings.Cut(kv, "=")
		if strings.HasPrefix(k, "WAVECHECK_") || strings.HasPrefix(k, "ARGOCD_") {
			os.Unsetenv(k)
		}
	}
	tmp, err := os.MkdirTemp("", "wccmp")
	if err != nil {
		return fail("%v", err)
	}
	defer os.RemoveAll(tmp)

	// Build the image's binaries (or take WAVECHECK_BIN as wavecheck) and put them on PATH:
	// plugin.yaml runs wavecheck by name, as in the image.
	bin := filepath.Join(tmp, "bin")
	wavecheckBin = filepath.Join(bin, "wavecheck")
	if prebuilt != "" {
		if err := copyFile(prebuilt, wavecheckBin); err != nil {
			return fail("copy WAVECHECK_BIN: %v", err)
		}
		if err := os.Chmod(wavecheckBin, 0o755); err != nil {
			return fail("%v", err)
		}
	} else {
		// As the image holds them (deploy/release/release.yaml image.binaries): wavecheck
		// without Helm, which hands every run that needs Helm over to wavecheck-helm next to it.
		for out, tags := range map[string]string{wavecheckBin: "sidecar,nohelm", filepath.Join(bin, "wavecheck-helm"): "sidecar"} {
			build := exec.Command("go", "build", "-tags", tags, "-o", out, "./cmd/wavecheck")
			build.Dir = filepath.Join("..", "..")
			build.Env = append(os.Environ(), "GOWORK=off")
			if b, err := build.CombinedOutput(); err != nil {
				return fail("build %s: %v\n%s", filepath.Base(out), err, b)
			}
		}
	}
	os.Setenv("PATH", bin+string(os.PathListSeparator)+os.Getenv("PATH"))

	// The project's plugin.yaml with discovery on (deploy/kustomize/discovery: the repository's
	// plugin.yaml plus its discover block, which deploy's tests pin), read by Argo CD's parser,
	// so that MatchRepository is tested too. test/argocd runs the default plugin.yaml.
	cfgDir := filepath.Join(tmp, "config")
	if err := copyFile(filepath.Join("..", "..", "deploy", "kustomize", "discovery", "plugin.yaml"), filepath.Join(cfgDir, "plugin.yaml")); err != nil {
		return fail("%v", err)
	}
	cfg, err := plugin.ReadPluginConfig(cfgDir)
	if err != nil {
		return fail("read plugin.yaml: %v", err)
	}
	os.Setenv("ARGOCD_CMP_WORKDIR", filepath.Join(tmp, "work"))
	os.Setenv("ARGOCD_PLUGINSOCKFILEPATH", filepath.Join(tmp, "plugins"))
	if err := os.MkdirAll(filepath.Join(tmp, "plugins"), 0o755); err != nil {
		return fail("%v", err)
	}
	srv, err := cmpserver.NewServer(plugin.CMPServerInitConstants{PluginConfig: *cfg})
	if err != nil {
		return fail("new cmp-server: %v", err)
	}
	grpcServer, err := srv.CreateGRPC()
	if err != nil {
		return fail("create gRPC server: %v", err)
	}
	sockPath = cfg.Address()
	l, err := net.Listen("unix", sockPath)
	if err != nil {
		return fail("listen: %v", err)
	}
	go func() { _ = grpcServer.Serve(l) }()
	defer grpcServer.Stop()

	conn, c, err := apiclient.NewConfigManagementPluginClientSet(sockPath).NewConfigManagementPluginClient()
	if err != nil {
		return fail("connect: %v", err)
	}
	defer conn.Close()
	client = c

	repo = filepath.Join(tmp, "repo")
	if err := copyTree(filepath.Join("testdata", "repo"), repo); err != nil {
		return fail("copy repo: %v", err)
	}
	if err := os.WriteFile(filepath.Join(repo, ".git"), []byte("gitdir: elsewhere\n"), 0o644); err != nil {
		return fail("%v", err)
	}
	return m.Run()
}

func copyFile(src, dst string) error {
	b, err := os.ReadFile(src)
	if err != nil {
		return err
	}
	if err := os.MkdirAll(filepath.Dir(dst), 0o755); err != nil {
		return err
	}
	return os.WriteFile(dst, b, 0o644)
}

func copyTree(src, dst string) error {
	return filepath.WalkDir(src, func(p string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		rel, _ := filepath.Rel(src, p)
		return copyFile(p, filepath.Join(dst, rel))
	})
}

// appEnv is the environment the repo-server sends for an app (reposerver/repository newEnv and
// getPluginEnvs), plus extra entries.
func appEnv(app string, extra ...string) []string {
	rev := "4f3c2b1a0e9d8c7b6a5f4e3d2c1b0a9f8e7d6c5b"
	return append([]string{
		"ARGOCD_APP_NAME=" + app,
		"ARGOCD_APP_NAMESPACE=web",
		"ARGOCD_APP_PROJECT_NAME=default",
		"ARGOCD_APP_REVISION=" + rev,
		"ARGOCD_APP_REVISION_SHORT=" + rev[:7],
		"ARGOCD_APP_REVISION_SHORT_8=" + rev[:8],
		"ARGOCD_APP_SOURCE_REPO_URL=https://git.example.com/apps.git",
		"ARGOCD_APP_SOURCE_PATH=apps/" + app,
		"ARGOCD_APP_SOURCE_TARGET_REVISION=HEAD",
		"KUBE_VERSION=1.37.0",
		"KUBE_API_VERSIONS=v1,apps/v1,batch/v1,networking.k8s.io/v1",
	}, extra...)
}

// params encodes plugin parameters exactly as Argo CD does (ARGOCD_APP_PARAMETERS and PARAM_*).
func params(t *testing.T, ps v1alpha1.ApplicationSourcePluginParameters) []string {
	t.Helper()
	env, err := ps.Environ()
	if err != nil {
		t.Fatal(err)
	}
	return env
}

func str(s string) *string { return &s }

func ctx(t *testing.T) context.Context {
	t.Helper()
	// The repo-server's default timeout for a manifest request.
	c, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	t.Cleanup(cancel)
	return c
}

func appDir(app string) string { return filepath.Join(repo, "apps", app) }

// generate streams the repo to the cmp-server and returns the manifests or the gRPC error.
func generate(t *testing.T, app string, env []string) ([]string, error) {
	t.Helper()
	return generateExcluding(t, app, env, nil)
}

// generateExcluding is generate with the repo-server's --plugin-tar-exclude globs.
func generateExcluding(t *testing.T, app string, env, exclude []string) ([]string, error) {
	t.Helper()
	return generateFrom(t, app, repo, env, exclude)
}

// generateFrom is generateExcluding streaming the folder root (the repository, or with
// --plugin-use-manifest-generate-paths the common root of the app's paths) instead of the
// repository.
func generateFrom(t *testing.T, app, root string, env, exclude []string) ([]string, error) {
	t.Helper()
	c := ctx(t)
	stream, err := client.GenerateManifest(c)
	if err != nil {
		t.Fatal(err)
	}
	if err := cmp.SendRepoStream(c, appDir(app), root, stream, env, exclude); err != nil {
		t.Fatalf("send repo: %v", err)
	}
	resp, err := stream.CloseAndRecv()
	return resp.GetManifests(), err
}

// render runs `wavecheck render` with the settings Argo CD passes, split the way the cmp-server
// splits plugin output.
func render(t *testing.T, app string, args ...string) []string {
	t.Helper()
	base := []string{"render", "--app-name", app, "--namespace", "web", "--kube-version", "1.37.0",
		"--api-versions", "v1", "--api-versions", "apps/v1", "--api-versions", "batch/v1", "--api-versions", "networking.k8s.io/v1"}
	cmd := exec.Command(wavecheckBin, append(append(base, args...), appDir(app))...)
	cmd.Stderr = os.Stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("wavecheck render %s: %v", app, err)
	}
	objs, err := kube.SplitYAMLToString(out)
	if err != nil {
		t.Fatal(err)
	}
	if len(objs) == 0 {
		t.Fatalf("wavecheck render %s printed no objects", app)
	}
	return objs
}

func TestCheckPluginConfiguration(t *testing.T) {
	if got := filepath.Base(sockPath); got != "wavecheck-v1.sock" {
		t.Errorf("socket %s: Applications name the plugin wavecheck-v1", got)
	}
	resp, err := client.CheckPluginConfiguration(ctx(t), &emptypb.Empty{})
	if err != nil {
		t.Fatal(err)
	}
	if !resp.IsDiscoveryConfigured || resp.ProvideGitCreds {
		t.Errorf("CheckPluginConfiguration = %+v, want discovery configured and no git creds", resp)
	}
}

func TestMatchRepository(t *testing.T) {
	tests := []struct {
		app  string
		want bool
	}{
		{"guestbook", true},
		{"helm-guestbook", true},
		{"kustomize-guestbook", true},
		{"kustomize-overlay", true},
		{"broken", true}, // policy errors are generation's business
		{"jsonnet", false},
		{"docs", false},
	}
	for _, tt := range tests {
		t.Run(tt.app, func(t *testing.T) {
			c := ctx(t)
			stream, err := client.MatchRepository(c)
			if err != nil {
				t.Fatal(err)
			}
			// The repo-server sends the plain app env (no parameters) while detecting the type.
			if err := cmp.SendRepoStream(c, appDir(tt.app), repo, stream, appEnv(tt.app), nil); err != nil {
				t.Fatal(err)
			}
			resp, err := stream.CloseAndRecv()
			if err != nil {
				t.Fatalf("MatchRepository: %v", err)
			}
			if resp.IsSupported != tt.want || !resp.IsDiscoveryEnabled {
				t.Errorf("MatchRepository = supported %v discovery %v, want supported %v", resp.IsSupported, resp.IsDiscoveryEnabled, tt.want)
			}
		})
	}
}

func TestGetParametersAnnouncement(t *testing.T) {
	tests := []struct {
		app     string
		want    []string
		tooltip map[string]string // name -> substring of its tooltip
	}{
		{
			app:     "helm-guestbook",
			want:    []string{"mode", "argocd-version", "release-name", "values-files", "values", "values-object", "set", "ignore", "allow-empty"},
			tooltip: map[string]string{"values-files": "values-production.yaml"},
		},
		{app: "guestbook", want: []string{"mode", "argocd-version", "recurse", "include", "exclude", "ignore", "allow-empty"}},
		{app: "kustomize-guestbook", want: []string{"mode", "argocd-version", "name-prefix", "name-suffix", "namespace", "images", "common-labels", "common-annotations", "ignore", "allow-empty"}},
	}
	for _, tt := range tests {
		t.Run(tt.app, func(t *testing.T) {
			c := ctx(t)
			stream, err := client.GetParametersAnnouncement(c)
			if err != nil {
				t.Fatal(err)
			}
			// newEnvRepoQuery: the app-details query sends fewer variables.
			env := []string{"ARGOCD_APP_NAME=" + tt.app, "ARGOCD_APP_SOURCE_PATH=apps/" + tt.app}
			if err := cmp.SendRepoStream(c, appDir(tt.app), repo, stream, env, nil); err != nil {
				t.Fatal(err)
			}
			resp, err := stream.CloseAndRecv()
			if err != nil {
				t.Fatalf("GetParametersAnnouncement: %v", err)
			}
			var names []string
			for _, a := range resp.ParameterAnnouncements {
				names = append(names, a.Name)
				if want, ok := tt.tooltip[a.Name]; ok && !strings.Contains(a.Tooltip, want) {
					t.Errorf("%s tooltip %q lacks %q", a.Name, a.Tooltip, want)
				}
				if a.Name == "mode" && a.String_ != "enforce" {
					t.Errorf("mode default = %q, want enforce", a.String_)
				}
				if a.Name == "release-name" && a.String_ != tt.app {
					t.Errorf("release-name default = %q, want the app name", a.String_)
				}
			}
			if diff := gocmp.Diff(tt.want, names); diff != "" {
				t.Errorf("announced parameters mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

func TestGenerateCleanApps(t *testing.T) {
	for _, app := range []string{"guestbook", "helm-guestbook", "kustomize-guestbook", "kustomize-overlay"} {
		t.Run(app, func(t *testing.T) {
			got, err := generate(t, app, appEnv(app))
			if err != nil {
				t.Fatalf("GenerateManifest: %v", err)
			}
			if diff := gocmp.Diff(render(t, app), got); diff != "" {
				t.Errorf("manifests differ from wavecheck render (-want +got):\n%s", diff)
			}
		})
	}
}

func TestGeneratePolicyErrors(t *testing.T) {
	got, err := generate(t, "broken", appEnv("broken"))
	if err == nil {
		t.Fatalf("GenerateManifest succeeded with %d manifests, want a policy error", len(got))
	}
	msg := status.Convert(err).Message()
	t.Logf("error seen by the repo-server:\n%s", msg)
	const prefix = "error generating manifests: `wavecheck generate` failed exit status 1: "
	i := strings.Index(msg, prefix)
	if i < 0 {
		t.Fatalf("error lacks %q", prefix)
	}
	report := msg[i+len(prefix):]
	lines := strings.Split(report, "\n")
	want := []string{
		"wavecheck: 2 policy errors blocking this app (mode enforce)",
		"hook-unknown-type: Job/db-migrate: ",
		"sync-wave-not-integer: ConfigMap/app-config: ",
	}
	if len(lines) != len(want) {
		t.Fatalf("report has %d lines, want %d:\n%s", len(lines), len(want), report)
	}
	for i, w := range want {
		if !strings.HasPrefix(lines[i], w) {
			t.Errorf("line %d = %q, want prefix %q", i+1, lines[i], w)
		}
	}
	for _, suffix := range []string{"(apps/broken/hooks.yaml:3)", "(apps/broken/hooks.yaml:21)"} {
		if !strings.Contains(report, suffix) {
			t.Errorf("report lacks the location %s", suffix)
		}
	}
	for _, bad := range []string{"goroutine", "Usage:", "panic"} {
		if strings.Contains(msg, bad) {
			t.Errorf("error contains %q", bad)
		}
	}
}

func TestGenerateWarnMode(t *testing.T) {
	tests := []struct {
		name string
		env  []string
	}{
		{name: "application env", env: []string{"ARGOCD_ENV_WAVECHECK_MODE=warn"}},
		{name: "plugin parameter", env: params(t, v1alpha1.ApplicationSourcePluginParameters{{Name: "mode", String_: str("warn")}})},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := generate(t, "broken", appEnv("broken", tt.env...))
			if err != nil {
				t.Fatalf("GenerateManifest in warn mode: %v", err)
			}
			if diff := gocmp.Diff(render(t, "broken"), got); diff != "" {
				t.Errorf("manifests differ from wavecheck render (-want +got):\n%s", diff)
			}
		})
	}
}

func TestGenerateHelmParameters(t *testing.T) {
	env := appEnv("helm-guestbook", params(t, v1alpha1.ApplicationSourcePluginParameters{
		{Name: "release-name", String_: str("gb")},
		{Name: "values-files", OptionalArray: &v1alpha1.OptionalArray{Array: []string{"values-production.yaml"}}},
		{Name: "set", OptionalMap: &v1alpha1.OptionalMap{Map: map[string]string{"replicaCount": "3", "image.tag": "v6"}}},
	})...)
	got, err := generate(t, "helm-guestbook", env)
	if err != nil {
		t.Fatalf("GenerateManifest: %v", err)
	}
	want := render(t, "helm-guestbook", "--release-name", "gb", "-f", "values-production.yaml", "--set", "image.tag=v6", "--set", "replicaCount=3")
	if diff := gocmp.Diff(want, got); diff != "" {
		t.Errorf("manifests differ from wavecheck render (-want +got):\n%s", diff)
	}
	joined := strings.Join(got, "\n")
	for _, s := range []string{`"replicas":3`, `"type":"LoadBalancer"`, `gb-helm-guestbook`, `gb-frontend:v6`} {
		if !strings.Contains(joined, s) {
			t.Errorf("manifests lack %s:\n%s", s, joined)
		}
	}
}

// TestGenerateKustomizeParameters: the Kustomize plugin parameters go through the real
// cmp-server and are applied as an Application's spec.source.kustomize would be.
func TestGenerateKustomizeParameters(t *testing.T) {
	env := appEnv("kustomize-guestbook", params(t, v1alpha1.ApplicationSourcePluginParameters{
		{Name: "name-prefix", String_: str("prod-")},
		{Name: "namespace", String_: str("shop")},
		{Name: "images", OptionalArray: &v1alpha1.OptionalArray{Array: []string{"gcr.io/google-samples/gb-frontend:v9"}}},
		{Name: "common-labels", OptionalMap: &v1alpha1.OptionalMap{Map: map[string]string{"team": "web"}}},
	})...)
	got, err := generate(t, "kustomize-guestbook", env)
	if err != nil {
		t.Fatalf("GenerateManifest: %v", err)
	}
	if len(got) == 0 {
		t.Fatal("no manifests")
	}
	for _, m := range got {
		for _, s := range []string{`"name":"prod-`, `"namespace":"shop"`, `"team":"web"`} {
			if !strings.Contains(m, s) {
				t.Errorf("manifest lacks %s:\n%s", s, m)
			}
		}
	}
	if joined := strings.Join(got, "\n"); !strings.Contains(joined, "gb-frontend:v9") {
		t.Errorf("image override not applied:\n%s", joined)
	}
}

func TestGenerateFailures(t *testing.T) {
	tests := []struct {
		name, app string
		env       []string
		want      string
	}{
		{name: "no objects", app: "docs", want: "wavecheck: app renders no objects"},
		{name: "cannot render", app: "jsonnet", want: "jsonnet files are not supported"},
		{
			name: "unknown parameter", app: "guestbook",
			env:  params(t, v1alpha1.ApplicationSourcePluginParameters{{Name: "mdoe", String_: str("off")}}),
			want: `wavecheck: parse plugin parameters: unknown parameter "mdoe"`,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := generate(t, tt.app, appEnv(tt.app, tt.env...))
			if err == nil {
				t.Fatalf("GenerateManifest succeeded with %d manifests, want an error", len(got))
			}
			msg := status.Convert(err).Message()
			if !strings.Contains(msg, "`wavecheck generate` failed exit status 2: ") || !strings.Contains(msg, tt.want) {
				t.Errorf("error = %q, want exit status 2 and %q", msg, tt.want)
			}
		})
	}
}

// Regression test (issue 11, item 10): a repo-server run with --plugin-tar-exclude .git streams
// the checkout without .git, so wavecheck cannot find the repository root by looking for it;
// ARGOCD_APP_SOURCE_PATH gives it, and an overlay whose base lies outside the app directory
// renders, is discovered, and equals `wavecheck render` of the full checkout.
func TestWithoutGit(t *testing.T) {
	const app = "kustomize-overlay"
	exclude := []string{".git"}
	withoutSourcePath := func() []string {
		var env []string
		for _, kv := range appEnv(app) {
			if !strings.HasPrefix(kv, "ARGOCD_APP_SOURCE_PATH=") {
				env = append(env, kv)
			}
		}
		return env
	}

	t.Run("generate", func(t *testing.T) {
		got, err := generateExcluding(t, app, appEnv(app), exclude)
		if err != nil {
			t.Fatalf("GenerateManifest: %v", err)
		}
		if diff := gocmp.Diff(render(t, app), got); diff != "" {
			t.Errorf("manifests differ from wavecheck render (-want +got):\n%s", diff)
		}
	})
	t.Run("discover", func(t *testing.T) {
		c := ctx(t)
		stream, err := client.MatchRepository(c)
		if err != nil {
			t.Fatal(err)
		}
		if err := cmp.SendRepoStream(c, appDir(app), repo, stream, appEnv(app), exclude); err != nil {
			t.Fatal(err)
		}
		resp, err := stream.CloseAndRecv()
		if err != nil {
			t.Fatalf("MatchRepository: %v", err)
		}
		if !resp.IsSupported {
			t.Errorf("MatchRepository = not supported, want the overlay claimed")
		}
	})
	// Without the variable the root is the stream's: what the repo-server sent, here the whole
	// checkout less .git, as a plain plugin would see it (argocd.CMPWorkDir, sidecar.StreamRoot).
	t.Run("no source path", func(t *testing.T) {
		got, err := generateExcluding(t, app, withoutSourcePath(), exclude)
		if err != nil {
			t.Fatalf("GenerateManifest: %v", err)
		}
		if diff := gocmp.Diff(render(t, app), got); diff != "" {
			t.Errorf("manifests differ from wavecheck render (-want +got):\n%s", diff)
		}
	})
	// With --plugin-use-manifest-generate-paths and the annotation ".", the repo-server streams
	// the app directory alone (reposerver/repository.getApplicationRootPath): the base was not
	// sent, so it fails as with a plain plugin (it would lie above the stream, which is missing
	// there), though ARGOCD_APP_SOURCE_PATH names a deeper repository path.
	t.Run("manifest-generate-paths without the base", func(t *testing.T) {
		got, err := generateFrom(t, app, appDir(app), appEnv(app), exclude)
		if err == nil {
			t.Fatalf("GenerateManifest succeeded with %d manifests, want the base refused", len(got))
		}
		msg := status.Convert(err).Message()
		if !strings.Contains(msg, "bases/guestbook") {
			t.Errorf("error = %q, want the missing base named", msg)
		}
		const hint = `the repo-server sent the plugin only "apps/kustomize-overlay", the common root of the Application's argocd.argoproj.io/manifest-generate-paths annotation`
		if !strings.Contains(msg, hint) {
			t.Errorf("error = %q, want the fix named: %s", msg, hint)
		}
		t.Logf("the error Argo CD shows: %s", msg)
	})
}

// Guard against a testdata app silently disappearing from the list above.
func TestTestdataApps(t *testing.T) {
	entries, err := os.ReadDir(filepath.Join(repo, "apps"))
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, e := range entries {
		got = append(got, e.Name())
	}
	sort.Strings(got)
	want := []string{"broken", "docs", "guestbook", "helm-guestbook", "jsonnet", "kustomize-guestbook", "kustomize-overlay"}
	if diff := gocmp.Diff(want, got); diff != "" {
		t.Errorf("apps mismatch (-want +got):\n%s", diff)
	}
}
