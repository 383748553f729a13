// Package argocd runs a real Argo CD for the end-to-end suite: the application controller,
// the repo-server and the wavecheck cmp-server sidecar, as separate processes of the `argocd`
// binary that tools/build.sh builds from the Go module proxy (its cmd/main.go picks the
// component from ARGOCD_BINARY_NAME), wired as Argo CD's own local recipe (the Procfile in the
// argo-cd module root) wires them: ARGOCD_FAKE_IN_CLUSTER=true (the in-cluster destination is
// the kubeconfig), `--redis`, `--repo-server`, ARGOCD_PLUGINSOCKFILEPATH shared by the
// repo-server and the cmp-server, and git-verify-wrapper.sh on the repo-server's PATH.
//
// Redis is miniredis, in the test process: it is in Argo CD's own module graph (its unit tests
// use it), needs nothing installed on a fresh machine (Debian's redis-server needs apt and
// root), and Argo CD uses Redis only as a cache.
package argocd

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/alicebob/miniredis/v2"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/util/wait"
	"k8s.io/client-go/dynamic"
	"k8s.io/client-go/kubernetes"
	"sigs.k8s.io/yaml"

	"github.com/wavecheck/wavecheck/test/cluster"
)

// Namespace is where Argo CD runs and its Applications live.
const Namespace = "argocd"

// PluginName is the name Applications give to use the wavecheck sidecar
// (plugin.yaml: metadata.name wavecheck, spec.version v1).
const PluginName = "wavecheck-v1"

// Options configures Start.
type Options struct {
	// BinDir is the folder printed by tools/build.sh.
	BinDir string
	// ToolsBin, when set, is a folder with the helm and kustomize binaries the repo-server
	// execs for native Helm and Kustomize sources (Argo CD's image ships the versions of its
	// hack/tool-versions.sh; test/tools/build.sh builds the same ones). Without it only plugin
	// and directory sources render.
	ToolsBin string
	// SidecarBinaries are the sidecar image's binaries (wavecheck, which plugin.yaml runs by
	// name, and wavecheck-helm next to it), put on the cmp-server's PATH under their own names.
	SidecarBinaries []string
	// PluginConfig is the project's plugin.yaml.
	PluginConfig string
	// SidecarEnv is added to the cmp-server's environment (e.g. WAVECHECK_MODE=warn).
	SidecarEnv []string
	// RepoServerEnv is added to the repo-server's environment (e.g. RecommendedPluginTuning).
	RepoServerEnv []string
	// Cluster is the control plane Argo CD manages (its in-cluster destination).
	Cluster *cluster.Cluster
	// LogDir receives one log file per component; a temporary folder when empty.
	LogDir string
	Logger *slog.Logger
}

// RecommendedPluginTuning is the repo-server's plugin settings docs/install.md recommends for
// the wavecheck sidecar ("Performance inside Argo CD"): send the plugin no .git (wavecheck
// finds the repository root from ARGOCD_APP_SOURCE_PATH or the stream itself), and honour
// argocd.argoproj.io/manifest-generate-paths, so that an annotated Application streams only
// its own paths (the keys reposerver.plugin.tar.exclusions and
// reposerver.plugin.use.manifest.generate.paths of argocd-cmd-params-cm).
var RecommendedPluginTuning = []string{
	"ARGOCD_REPO_SERVER_PLUGIN_TAR_EXCLUSIONS=.git",
	"ARGOCD_REPO_SERVER_PLUGIN_USE_MANIFEST_GENERATE_PATHS=true",
}

// ArgoCD is a running Argo CD. Stop it when done.
type ArgoCD struct {
	// LogDir holds one log file per component.
	LogDir string
	// RepoServer is the repo-server's gRPC address.
	RepoServer string

	dyn    dynamic.Interface
	redis  *miniredis.Miniredis
	procs  []*process
	tmp    string
	logger *slog.Logger
}

// Resources of Argo CD's API.
var (
	ApplicationGVR = schema.GroupVersionResource{Group: "argoproj.io", Version: "v1alpha1", Resource: "applications"}
	appProjectGVR  = schema.GroupVersionResource{Group: "argoproj.io", Version: "v1alpha1", Resource: "appprojects"}
	crdGVR         = schema.GroupVersionResource{Group: "apiextensions.k8s.io", Version: "v1", Resource: "customresourcedefinitions"}
)

// repoServerPath is the repo-server's PATH: Argo CD's folder, the reference CLIs when given,
// then the caller's PATH.
func repoServerPath(opts Options) string {
	dirs := []string{opts.BinDir}
	if opts.ToolsBin != "" {
		dirs = append(dirs, opts.ToolsBin)
	}
	return strings.Join(append(dirs, os.Getenv("PATH")), string(os.PathListSeparator))
}

// Start installs Argo CD's CRDs and settings into the cluster and starts Redis, the
// cmp-server, the repo-server and the application controller. On error everything already
// started is stopped again.
func Start(ctx context.Context, opts Options) (_ *ArgoCD, err error) {
	if err := checkBinaries(opts.BinDir); err != nil {
		return nil, err
	}
	logger := opts.Logger
	if logger == nil {
		logger = slog.Default()
	}
	// Short: the plugin's unix socket path must stay under ~108 characters.
	tmp, err := os.MkdirTemp("", "wcargo")
	if err != nil {
		return nil, fmt.Errorf("create argocd folder: %w", err)
	}
	a := &ArgoCD{tmp: tmp, LogDir: opts.LogDir, logger: logger}
	if a.LogDir == "" {
		a.LogDir = filepath.Join(tmp, "logs")
	}
	defer func() {
		if err != nil {
			err = errors.Join(err, a.Stop())
		}
	}()
	for _, d := range []string{a.LogDir, a.path("plugins"), a.path("cmp-config"), a.path("cmp-bin"), a.path("home"),
		a.path("tls"), a.path("ssh"), a.path("gpg"), a.path("repo-tmp")} {
		if err := os.MkdirAll(d, 0o755); err != nil {
			return nil, fmt.Errorf("create argocd folder: %w", err)
		}
	}
	began := time.Now()
	cfg := opts.Cluster.Config
	a.dyn, err = dynamic.NewForConfig(cfg)
	if err != nil {
		return nil, fmt.Errorf("create client: %w", err)
	}
	client, err := kubernetes.NewForConfig(cfg)
	if err != nil {
		return nil, fmt.Errorf("create client: %w", err)
	}
	if err := a.install(ctx, opts.BinDir, client); err != nil {
		return nil, err
	}

	a.redis = miniredis.NewMiniRedis()
	if err := a.redis.StartAddr("127.0.0.1:0"); err != nil {
		return nil, fmt.Errorf("start redis: %w", err)
	}

	// The sidecar: plugin.yaml from the repository, wavecheck on PATH by name.
	if err := copyFile(opts.PluginConfig, a.path("cmp-config", "plugin.yaml"), 0o644); err != nil {
		return nil, err
	}
	for _, bin := range opts.SidecarBinaries {
		if err := copyFile(bin, a.path("cmp-bin", filepath.Base(bin)), 0o755); err != nil {
			return nil, err
		}
	}
	argocd := filepath.Join(opts.BinDir, "argocd")
	base := []string{"HOME=" + a.path("home"), "ARGOCD_FAKE_IN_CLUSTER=true"}
	cmpEnv := append(append([]string{}, base...),
		"ARGOCD_BINARY_NAME=argocd-cmp-server",
		"ARGOCD_PLUGINSOCKFILEPATH="+a.path("plugins"),
		"ARGOCD_CMP_WORKDIR="+a.path("cmp-work"),
		"PATH="+a.path("cmp-bin")+string(os.PathListSeparator)+os.Getenv("PATH"),
	)
	cmpEnv = append(cmpEnv, opts.SidecarEnv...)
	if err := a.run("cmp-server", argocd, cmpEnv,
		"--config-dir-path", a.path("cmp-config"), "--loglevel", "info"); err != nil {
		return nil, err
	}
	sock := a.path("plugins", PluginName+".sock")
	if err := a.waitFile(ctx, sock); err != nil {
		return nil, err
	}

	ports, err := freePorts(3)
	if err != nil {
		return nil, err
	}
	a.RepoServer = "127.0.0.1:" + strconv.Itoa(ports[0])
	redis := a.redis.Addr()
	repoEnv := append(append([]string{}, base...),
		"ARGOCD_BINARY_NAME=argocd-repo-server",
		"ARGOCD_PLUGINSOCKFILEPATH="+a.path("plugins"),
		"ARGOCD_GPG_ENABLED=false",
		"ARGOCD_GNUPGHOME="+a.path("gpg"),
		"ARGOCD_TLS_DATA_PATH="+a.path("tls"),
		"ARGOCD_SSH_DATA_PATH="+a.path("ssh"),
		"TMPDIR="+a.path("repo-tmp"),
		// The repo-server execs git-verify-wrapper.sh on every generation, and helm and
		// kustomize for native sources.
		"PATH="+repoServerPath(opts),
	)
	repoEnv = append(repoEnv, opts.RepoServerEnv...)
	if err := a.run("repo-server", argocd, repoEnv,
		"--address", "127.0.0.1", "--port", strconv.Itoa(ports[0]),
		"--metrics-address", "127.0.0.1", "--metrics-port", strconv.Itoa(ports[1]),
		"--redis", redis, "--loglevel", "info"); err != nil {
		return nil, err
	}
	if err := a.waitPort(ctx, a.RepoServer); err != nil {
		return nil, err
	}

	ctrlEnv := append(append([]string{}, base...),
		"ARGOCD_BINARY_NAME=argocd-application-controller",
		// ARGOCD_FAKE_IN_CLUSTER's in-cluster destination loads the default kubeconfig,
		// not --kubeconfig.
		"KUBECONFIG="+opts.Cluster.Kubeconfig,
		"ARGOCD_TLS_DATA_PATH="+a.path("tls"),
		"ARGOCD_SSH_DATA_PATH="+a.path("ssh"),
	)
	if err := a.run("application-controller", argocd, ctrlEnv,
		"--kubeconfig", opts.Cluster.Kubeconfig, "--namespace", Namespace,
		"--redis", redis, "--repo-server", a.RepoServer,
		"--commit-server", "127.0.0.1:1", "--hydrator-enabled=false",
		"--metrics-port", strconv.Itoa(ports[2]),
		"--loglevel", "info"); err != nil {
		return nil, err
	}
	if err := a.waitPort(ctx, "127.0.0.1:"+strconv.Itoa(ports[2])); err != nil {
		return nil, err
	}
	logger.Info("argocd: ready", "after", time.Since(began).Round(time.Millisecond), "logs", a.LogDir)
	return a, nil
}

func (a *ArgoCD) path(elem ...string) string {
	return filepath.Join(append([]string{a.tmp}, elem...)...)
}

// install creates Argo CD's CRDs (from the module, via build.sh), the argocd namespace, the
// settings the components read (argocd-cm, argocd-rbac-cm, argocd-cmd-params-cm,
// argocd-secret) and the default AppProject.
func (a *ArgoCD) install(ctx context.Context, binDir string, client kubernetes.Interface) error {
	crds, _ := filepath.Glob(filepath.Join(binDir, "crds", "*.yaml"))
	sort.Strings(crds)
	var names []string
	for _, f := range crds {
		data, err := os.ReadFile(f)
		if err != nil {
			return fmt.Errorf("read CRD: %w", err)
		}
		var obj unstructured.Unstructured
		if err := yaml.Unmarshal(data, &obj.Object); err != nil {
			return fmt.Errorf("parse CRD %s: %w", f, err)
		}
		if _, err := a.dyn.Resource(crdGVR).Create(ctx, &obj, metav1.CreateOptions{}); err != nil && !apierrors.IsAlreadyExists(err) {
			return fmt.Errorf("create CRD %s: %w", obj.GetName(), err)
		}
		names = append(names, obj.GetName())
	}
	for _, name := range names {
		if err := waitEstablished(ctx, a.dyn, name); err != nil {
			return err
		}
	}
	objs := []string{
		`{"apiVersion":"v1","kind":"Namespace","metadata":{"name":"argocd"}}`,
		`{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"argocd-cm","namespace":"argocd","labels":{"app.kubernetes.io/part-of":"argocd"}}}`,
		`{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"argocd-rbac-cm","namespace":"argocd","labels":{"app.kubernetes.io/part-of":"argocd"}}}`,
		`{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"argocd-cmd-params-cm","namespace":"argocd","labels":{"app.kubernetes.io/part-of":"argocd"}}}`,
		`{"apiVersion":"v1","kind":"Secret","metadata":{"name":"argocd-secret","namespace":"argocd","labels":{"app.kubernetes.io/part-of":"argocd"}},"stringData":{"server.secretkey":"wavecheck-e2e"}}`,
	}
	gvrs := map[string]schema.GroupVersionResource{
		"Namespace": {Version: "v1", Resource: "namespaces"},
		"ConfigMap": {Version: "v1", Resource: "configmaps"},
		"Secret":    {Version: "v1", Resource: "secrets"},
	}
	for _, s := range objs {
		var obj unstructured.Unstructured
		if err := obj.UnmarshalJSON([]byte(s)); err != nil {
			return fmt.Errorf("parse %s: %w", s, err)
		}
		res := a.dyn.Resource(gvrs[obj.GetKind()])
		var ri dynamic.ResourceInterface = res
		if obj.GetNamespace() != "" {
			ri = res.Namespace(obj.GetNamespace())
		}
		if _, err := ri.Create(ctx, &obj, metav1.CreateOptions{}); err != nil && !apierrors.IsAlreadyExists(err) {
			return fmt.Errorf("create %s %s: %w", obj.GetKind(), obj.GetName(), err)
		}
	}
	project := &unstructured.Unstructured{Object: map[string]any{
		"apiVersion": "argoproj.io/v1alpha1", "kind": "AppProject",
		"metadata": map[string]any{"name": "default", "namespace": Namespace},
		"spec": map[string]any{
			"sourceRepos":              []any{"*"},
			"destinations":             []any{map[string]any{"server": "*", "namespace": "*"}},
			"clusterResourceWhitelist": []any{map[string]any{"group": "*", "kind": "*"}},
		},
	}}
	if _, err := a.dyn.Resource(appProjectGVR).Namespace(Namespace).Create(ctx, project, metav1.CreateOptions{}); err != nil && !apierrors.IsAlreadyExists(err) {
		return fmt.Errorf("create AppProject default: %w", err)
	}
	return cluster.WaitServiceAccount(ctx, client, Namespace, "default")
}

// waitEstablished waits for a CRD's Established condition.
func waitEstablished(ctx context.Context, dyn dynamic.Interface, name string) error {
	err := wait.PollUntilContextTimeout(ctx, 100*time.Millisecond, time.Minute, true, func(ctx context.Context) (bool, error) {
		crd, err := dyn.Resource(crdGVR).Get(ctx, name, metav1.GetOptions{})
		if err != nil {
			return false, nil
		}
		conds, _, _ := unstructured.NestedSlice(crd.Object, "status", "conditions")
		for _, c := range conds {
			m, _ := c.(map[string]any)
			if m["type"] == "Established" && m["status"] == "True" {
				return true, nil
			}
		}
		return false, nil
	})
	if err != nil {
		return fmt.Errorf("wait for CRD %s to be established: %w", name, err)
	}
	return nil
}

// freePorts reserves n loopback ports and releases them for the components to bind.
func freePorts(n int) ([]int, error) {
	var ls []net.Listener
	defer func() {
		for _, l := range ls {
			l.Close()
		}
	}()
	var ports []int
	for range n {
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			return nil, fmt.Errorf("find a free port: %w", err)
		}
		ls = append(ls, l)
		ports = append(ports, l.Addr().(*net.TCPAddr).Port)
	}
	return ports, nil
}

func (a *ArgoCD) waitPort(ctx context.Context, addr string) error {
	err := wait.PollUntilContextTimeout(ctx, 100*time.Millisecond, 2*time.Minute, true, func(ctx context.Context) (bool, error) {
		if err := a.exited(); err != nil {
			return false, err
		}
		c, err := net.DialTimeout("tcp", addr, time.Second)
		if err != nil {
			return false, nil
		}
		c.Close()
		return true, nil
	})
	if err != nil {
		return fmt.Errorf("wait for %s (logs in %s): %w", addr, a.LogDir, err)
	}
	return nil
}

func (a *ArgoCD) waitFile(ctx context.Context, path string) error {
	err := wait.PollUntilContextTimeout(ctx, 100*time.Millisecond, 2*time.Minute, true, func(ctx context.Context) (bool, error) {
		if err := a.exited(); err != nil {
			return false, err
		}
		_, err := os.Stat(path)
		return err == nil, nil
	})
	if err != nil {
		return fmt.Errorf("wait for %s (logs in %s): %w", path, a.LogDir, err)
	}
	return nil
}

// ComponentLog is the log file of a component: cmp-server, repo-server,
// application-controller.
func (a *ArgoCD) ComponentLog(name string) string { return filepath.Join(a.LogDir, name+".log") }

// FlushCache empties Redis: Argo CD caches manifests and generation errors there.
func (a *ArgoCD) FlushCache() { a.redis.FlushAll() }

// Stop stops the controller, the repo-server, the cmp-server and Redis, and removes the
// temporary files (the logs too unless Options.LogDir was given). Safe to call twice.
func (a *ArgoCD) Stop() error {
	var errs []error
	for i := len(a.procs) - 1; i >= 0; i-- {
		if err := a.procs[i].stop(10 * time.Second); err != nil {
			errs = append(errs, err)
		}
	}
	a.procs = nil
	if a.redis != nil {
		a.redis.Close()
		a.redis = nil
	}
	if a.tmp != "" {
		if err := os.RemoveAll(a.tmp); err != nil {
			errs = append(errs, fmt.Errorf("remove argocd folder: %w", err))
		}
		a.tmp = ""
	}
	return errors.Join(errs...)
}

// LogTail returns the last lines of every component log, for a failing test to print.
func (a *ArgoCD) LogTail(lines int) string { return cluster.TailLogs(a.LogDir, lines) }

// process is one Argo CD component.
type process struct {
	name string
	cmd  *exec.Cmd
	log  *os.File
	done chan struct{}
	err  error
}

func (a *ArgoCD) run(name, path string, env []string, args ...string) error {
	log, err := os.Create(filepath.Join(a.LogDir, name+".log"))
	if err != nil {
		return fmt.Errorf("create log of %s: %w", name, err)
	}
	cmd := exec.Command(path, args...)
	cmd.Stdout, cmd.Stderr = log, log
	cmd.Env = append(componentEnv(), env...)
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
	if err := cmd.Start(); err != nil {
		log.Close()
		return fmt.Errorf("start %s: %w", name, err)
	}
	p := &process{name: name, cmd: cmd, log: log, done: make(chan struct{})}
	go func() {
		p.err = cmd.Wait()
		close(p.done)
	}()
	a.procs = append(a.procs, p)
	return nil
}

// componentEnv is the test's environment less what would change a component's behaviour:
// kubeconfig settings, Argo CD and wavecheck settings of the developer's shell.
func componentEnv() []string {
	var env []string
	for _, kv := range os.Environ() {
		k, _, _ := strings.Cut(kv, "=")
		if k == "KUBECONFIG" || k == "HOME" || k == "PATH" || k == "TMPDIR" ||
			strings.HasPrefix(k, "ARGOCD_") || strings.HasPrefix(k, "WAVECHECK_") || strings.HasPrefix(k, "ETCD_") {
			continue
		}
		env = append(env, kv)
	}
	return env
}

func (a *ArgoCD) exited() error {
	for _, p := range a.procs {
		select {
		case <-p.done:
			return fmt.Errorf("%s exited: %v (log: %s)", p.name, p.err, p.log.Name())
		default:
		}
	}
	return nil
}

// stop sends SIGTERM, then SIGKILL after the grace period. The cmp-server only removes its
// socket on SIGTERM and keeps running: it gets SIGKILL at once.
func (p *process) stop(grace time.Duration) error {
	defer p.log.Close()
	select {
	case <-p.done:
		return nil
	default:
	}
	if p.name == "cmp-server" {
		grace = 0
	}
	if err := p.cmd.Process.Signal(syscall.SIGTERM); err != nil && !errors.Is(err, os.ErrProcessDone) {
		return fmt.Errorf("stop %s: %w", p.name, err)
	}
	select {
	case <-p.done:
		return nil
	case <-time.After(grace):
	}
	if err := p.cmd.Process.Kill(); err != nil && !errors.Is(err, os.ErrProcessDone) {
		return fmt.Errorf("kill %s: %w", p.name, err)
	}
	<-p.done
	return nil
}

func copyFile(from, to string, mode os.FileMode) error {
	data, err := os.ReadFile(from)
	if err != nil {
		return fmt.Errorf("copy %s: %w", from, err)
	}
	if err := os.WriteFile(to, data, mode); err != nil {
		return fmt.Errorf("copy %s: %w", from, err)
	}
	return nil
}
