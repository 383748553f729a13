package argocd_test

import (
	"context"
	"fmt"
	"io/fs"
	"log/slog"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"k8s.io/client-go/dynamic"
	"k8s.io/client-go/kubernetes"

	"github.com/wavecheck/wavecheck/test/argocd"
	"github.com/wavecheck/wavecheck/test/cluster"
)

// One control plane and one Argo CD serve every test of the package (they take ~15 s to
// start); each case works in its own namespaces.
var shared struct {
	once      sync.Once
	err       error
	cluster   *cluster.Cluster
	argo      *argocd.ArgoCD
	rec       *argocd.Recorder
	dyn       dynamic.Interface
	client    kubernetes.Interface
	wavecheck string   // the full CLI (replay, plan) under test
	sidecar   []string // the sidecar image's binaries: wavecheck without Helm, wavecheck-helm
	repo      string   // the git work tree Argo CD reads (file://)
	tmp       string
	cancel    context.CancelFunc
}

func TestMain(m *testing.M) {
	code := m.Run()
	if shared.cancel != nil {
		shared.cancel()
	}
	var errs []error
	if shared.argo != nil {
		errs = append(errs, shared.argo.Stop())
	}
	if shared.cluster != nil {
		errs = append(errs, shared.cluster.Stop())
	}
	if shared.tmp != "" {
		errs = append(errs, os.RemoveAll(shared.tmp))
	}
	for _, err := range errs {
		if err != nil {
			fmt.Fprintf(os.Stderr, "stop: %v\n", err)
			if code == 0 {
				code = 1
			}
		}
	}
	os.Exit(code)
}

// start returns the shared environment, starting it on first use: the control plane, the
// recorder, the git repository of the test apps, and Argo CD with the wavecheck sidecar.
// Without a build of the control plane or of Argo CD it skips, or fails under CI.
func start(t testing.TB) {
	t.Helper()
	k8sBin := cluster.RequireBinaries(t)
	argoBin := argocd.RequireBinaries(t)
	shared.once.Do(func() { shared.err = setup(k8sBin, argoBin) })
	if shared.err != nil {
		t.Fatalf("start Argo CD: %v", shared.err)
	}
	t.Cleanup(func() {
		if t.Failed() {
			t.Logf("Argo CD logs (last lines):\n%s", shared.argo.LogTail(40))
		}
	})
}

func setup(k8sBin, argoBin string) (err error) {
	logger := slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelInfo}))
	shared.tmp, err = os.MkdirTemp("", "wavecheck-argocd-e2e-")
	if err != nil {
		return err
	}
	shared.wavecheck = filepath.Join(shared.tmp, "wavecheck")
	if prebuilt := os.Getenv("WAVECHECK_BIN"); prebuilt != "" {
		shared.wavecheck = prebuilt
	} else {
		build := exec.Command("go", "build", "-o", shared.wavecheck, "./cmd/wavecheck")
		build.Dir = filepath.Join("..", "..")
		build.Env = append(os.Environ(), "GOWORK=off")
		if out, err := build.CombinedOutput(); err != nil {
			return fmt.Errorf("build wavecheck: %v\n%s", err, out)
		}
	}
	// The sidecar runs the image's binaries: wavecheck without Helm, wavecheck-helm next to it
	// (release.yaml image.binaries; ARCHITECTURE.md, "Three builds").
	for name, tags := range map[string]string{"wavecheck": "sidecar,nohelm", "wavecheck-helm": "sidecar"} {
		out := filepath.Join(shared.tmp, "sidecar", name)
		build := exec.Command("go", "build", "-tags", tags, "-o", out, "./cmd/wavecheck")
		build.Dir = filepath.Join("..", "..")
		build.Env = append(os.Environ(), "GOWORK=off")
		if b, err := build.CombinedOutput(); err != nil {
			return fmt.Errorf("build the sidecar's %s: %v\n%s", name, err, b)
		}
		shared.sidecar = append(shared.sidecar, out)
	}
	shared.repo = filepath.Join(shared.tmp, "repo")
	if err := makeRepo(shared.repo); err != nil {
		return err
	}

	ctx, cancel := context.WithCancel(context.Background())
	shared.cancel = cancel
	startCtx, done := context.WithTimeout(ctx, 5*time.Minute)
	defer done()
	shared.cluster, err = cluster.Start(startCtx, cluster.Options{BinDir: k8sBin, Logger: logger, LogDir: os.Getenv("WAVECHECK_E2E_LOGS")})
	if err != nil {
		return err
	}
	if shared.dyn, err = dynamic.NewForConfig(shared.cluster.Config); err != nil {
		return err
	}
	if shared.client, err = kubernetes.NewForConfig(shared.cluster.Config); err != nil {
		return err
	}
	// The reference CLIs, when built, are the repo-server's helm and kustomize: they must be
	// the versions Argo CD's image ships. The benchmark needs them for native sources.
	toolsBin := os.Getenv(argocd.EnvToolsBin)
	if toolsBin != "" {
		if err := argocd.CheckToolVersions(toolsBin); err != nil {
			return err
		}
	}
	repoEnv, err := repoServerEnv()
	if err != nil {
		return err
	}
	shared.argo, err = argocd.Start(startCtx, argocd.Options{
		BinDir:          argoBin,
		ToolsBin:        toolsBin,
		SidecarBinaries: shared.sidecar,
		PluginConfig:    filepath.Join("..", "..", "plugin.yaml"),
		Cluster:         shared.cluster,
		Logger:          logger,
		LogDir:          os.Getenv("WAVECHECK_E2E_LOGS"),
		RepoServerEnv:   repoEnv,
	})
	if err != nil {
		return err
	}
	// After Argo CD's CRDs are served; before any Application exists.
	shared.rec, err = argocd.Record(ctx, shared.dyn, argocd.Watched)
	return err
}

// envPluginTuning selects the repo-server's plugin settings: "recommended" for
// argocd.RecommendedPluginTuning (make bench-argocd measures both), else Argo CD's defaults
// except that manifest-generate-paths are honoured, which changes only the Applications that
// carry the annotation (syncCase.generatePaths; the benchmark's apps carry it only when
// recommended).
const envPluginTuning = "WAVECHECK_ARGOCD_PLUGIN_TUNING"

func repoServerEnv() ([]string, error) {
	switch v := os.Getenv(envPluginTuning); v {
	case "", "default":
		return []string{"ARGOCD_REPO_SERVER_PLUGIN_USE_MANIFEST_GENERATE_PATHS=true"}, nil
	case "recommended":
		return argocd.RecommendedPluginTuning, nil
	default:
		return nil, fmt.Errorf("%s=%q: want default or recommended", envPluginTuning, v)
	}
}

// recommendedTuning reports whether the suite runs with argocd.RecommendedPluginTuning.
func recommendedTuning() bool { return os.Getenv(envPluginTuning) == "recommended" }

// repoURL is the Application source of the test repository (Argo CD's own e2e fixture
// uses file:// repositories too).
func repoURL() string { return "file://" + shared.repo }

// makeRepo builds the git repository Argo CD reads: the corpus apps under corpus/, the
// project's examples under examples/, and this suite's apps under apps/ (REPO_URL in them is
// replaced by the repository's URL, for the app-of-apps children).
func makeRepo(dir string) error {
	corpus := os.Getenv("WAVECHECK_CORPUS")
	if corpus == "" {
		corpus = "/work/shared/corpus/argocd-example-apps"
	}
	copies := map[string]string{
		"corpus":   corpus,
		"examples": filepath.Join("..", "..", "examples"),
		"apps":     filepath.Join("testdata", "apps"),
	}
	for to, from := range copies {
		if err := copyTree(from, filepath.Join(dir, to), "file://"+dir); err != nil {
			return err
		}
	}
	if err := writeBenchApps(dir); err != nil {
		return err
	}
	for _, args := range [][]string{
		{"init", "-q", "-b", "main"},
		{"add", "-A"},
		{"-c", "user.name=e2e", "-c", "user.email=e2e@wavecheck.test", "commit", "-q", "-m", "test apps"},
	} {
		cmd := exec.Command("git", args...)
		cmd.Dir = dir
		cmd.Env = append(os.Environ(), "GIT_CONFIG_NOSYSTEM=1", "GIT_CONFIG_GLOBAL=/dev/null")
		if out, err := cmd.CombinedOutput(); err != nil {
			return fmt.Errorf("git %s: %v\n%s", strings.Join(args, " "), err, out)
		}
	}
	return nil
}

func copyTree(from, to, url string) error {
	return filepath.WalkDir(from, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(from, path)
		target := filepath.Join(to, rel)
		if d.IsDir() {
			return os.MkdirAll(target, 0o755)
		}
		data, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		data = []byte(strings.ReplaceAll(string(data), "REPO_URL", url))
		return os.WriteFile(target, data, 0o644)
	})
}
