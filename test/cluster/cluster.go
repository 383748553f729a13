// Package cluster runs a real Kubernetes control plane on loopback for the
// end-to-end tests: etcd and kube-apiserver (started by controller-runtime's
// envtest), kube-controller-manager, kube-scheduler, and kwok driving one
// fake Node, so that Jobs complete, Deployments become available and pods
// carrying FailAnnotation fail, all without a kubelet or a container runtime.
//
// The binaries come from test/k8s-tools/build.sh:
//
//	export WAVECHECK_K8S_BIN="$(test/k8s-tools/build.sh)"
//
// See RequireBinaries for how tests find them, skip, or fail under CI.
package cluster

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"syscall"
	"time"

	"github.com/go-logr/logr"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/wait"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/rest"
	"sigs.k8s.io/controller-runtime/pkg/envtest"
	ctrllog "sigs.k8s.io/controller-runtime/pkg/log"
)

const (
	// EnvBinDir names the environment variable holding the folder that
	// test/k8s-tools/build.sh printed.
	EnvBinDir = "WAVECHECK_K8S_BIN"

	// FailAnnotation is the annotation that, set to "true" on a pod (for a
	// Job, on its pod template), makes kwok fail the pod once it runs: its containers
	// terminate with exit code 1 and the pod's phase becomes Failed. A Job
	// with backoffLimit 0 then fails at once with BackoffLimitExceeded
	// (with a higher limit the Job controller retries with its own
	// exponential back-off, 10 s and up).
	FailAnnotation = "wavecheck.test/fail"

	// NodeName is the fake Node every pod is scheduled to.
	NodeName = "kwok-node-0"

	// saKeyFile is the service account signing key envtest writes into
	// the apiserver's certificate folder (controller-runtime
	// pkg/internal/testing/controlplane/apiserver.go).
	saKeyFile = "sa-signer.key"

	// kwokNodeAnnotation selects the Nodes kwok manages.
	kwokNodeAnnotation = "kwok.x-k8s.io/node"
)

// binaries are the files a control plane folder must hold.
var binaries = []string{"etcd", "kube-apiserver", "kube-controller-manager", "kube-scheduler", "kwok"}

// controllers are the kube-controller-manager loops the replays need: the
// workload controllers that create pods and report health, namespace
// deletion, and garbage collection of owned objects (pods of deleted Jobs).
var controllers = []string{
	"job-controller",
	"deployment-controller",
	"replicaset-controller",
	"statefulset-controller",
	"daemonset-controller",
	"namespace-controller",
	"garbage-collector-controller",
	"ttl-after-finished-controller",
	// As in every real cluster: the `default` ServiceAccount in each
	// namespace (the ServiceAccount admission plugin refuses pods whose
	// ServiceAccount does not exist), tokens for ServiceAccount token
	// Secrets, and the kube-root-ca.crt ConfigMap that admitted pods
	// project.
	"serviceaccount-controller",
	"serviceaccount-token-controller",
	"root-ca-cert-publisher",
}

// Options configures Start.
type Options struct {
	// BinDir is the folder printed by test/k8s-tools/build.sh.
	BinDir string
	// LogDir receives one log file per component. When empty, the logs go
	// to a temporary folder that Stop removes.
	LogDir string
	// Logger reports start and stop progress; slog.Default() when nil.
	Logger *slog.Logger
}

// Cluster is a running control plane. Stop it when done.
type Cluster struct {
	// Config is an admin client configuration (client certificate,
	// QPS 1000, Burst 2000).
	Config *rest.Config
	// Kubeconfig is the path of an admin kubeconfig file for the same user.
	Kubeconfig string
	// LogDir holds one log file per component.
	LogDir string

	env     *envtest.Environment
	procs   []*process
	tmp     string
	keepLog bool
	logger  *slog.Logger
}

// process is one control plane component started by the harness.
type process struct {
	name string
	cmd  *exec.Cmd
	log  *os.File
	done chan struct{} // closed when the process has exited
	err  error         // exit error, valid after done is closed
}

// Start starts etcd, kube-apiserver, kube-controller-manager, kube-scheduler
// and kwok, registers the fake Node and waits until kwok reports it Ready.
// On error everything already started is stopped again.
func Start(ctx context.Context, opts Options) (_ *Cluster, err error) {
	if err := checkBinaries(opts.BinDir); err != nil {
		return nil, err
	}
	logger := opts.Logger
	if logger == nil {
		logger = slog.Default()
	}
	tmp, err := os.MkdirTemp("", "wavecheck-cluster-")
	if err != nil {
		return nil, fmt.Errorf("create cluster folder: %w", err)
	}
	c := &Cluster{tmp: tmp, LogDir: opts.LogDir, keepLog: opts.LogDir != "", logger: logger}
	if c.LogDir == "" {
		c.LogDir = filepath.Join(tmp, "logs")
	}
	defer func() {
		if err != nil {
			err = errors.Join(err, c.Stop())
		}
	}()
	if err := os.MkdirAll(c.LogDir, 0o755); err != nil {
		return nil, fmt.Errorf("create log folder: %w", err)
	}

	began := time.Now()
	if err := c.startAPIServer(opts.BinDir); err != nil {
		return nil, err
	}
	logger.Info("control plane: apiserver ready", "host", c.Config.Host, "after", time.Since(began).Round(time.Millisecond))

	c.Kubeconfig = filepath.Join(tmp, "kubeconfig")
	if err := os.WriteFile(c.Kubeconfig, c.env.KubeConfig, 0o600); err != nil {
		return nil, fmt.Errorf("write kubeconfig: %w", err)
	}
	client, err := kubernetes.NewForConfig(c.Config)
	if err != nil {
		return nil, fmt.Errorf("create client: %w", err)
	}
	if err := createNode(ctx, client); err != nil {
		return nil, err
	}
	rootCA := filepath.Join(tmp, "ca.crt")
	if err := os.WriteFile(rootCA, c.Config.CAData, 0o600); err != nil {
		return nil, fmt.Errorf("write cluster CA: %w", err)
	}
	kwokConfig, err := writeKwokConfig(opts.BinDir, tmp)
	if err != nil {
		return nil, err
	}

	bin := func(name string) string { return filepath.Join(opts.BinDir, name) }
	if err := c.run("kube-controller-manager", bin("kube-controller-manager"),
		"--kubeconfig="+c.Kubeconfig,
		"--controllers="+strings.Join(controllers, ","),
		// The token controller signs with the apiserver's service
		// account key (envtest writes it) and publishes the serving CA.
		"--service-account-private-key-file="+filepath.Join(c.env.ControlPlane.GetAPIServer().CertDir, saKeyFile),
		"--root-ca-file="+rootCA,
		"--leader-elect=false",
		"--bind-address=127.0.0.1",
		"--secure-port=0",
	); err != nil {
		return nil, err
	}
	if err := c.run("kube-scheduler", bin("kube-scheduler"),
		"--kubeconfig="+c.Kubeconfig,
		"--leader-elect=false",
		"--bind-address=127.0.0.1",
		"--secure-port=0",
	); err != nil {
		return nil, err
	}
	if err := c.run("kwok", bin("kwok"),
		"--kubeconfig="+c.Kubeconfig,
		"--config="+kwokConfig,
		"--manage-all-nodes=false",
		"--manage-nodes-with-annotation-selector="+kwokNodeAnnotation+"=fake",
		"--cidr=10.244.0.0/24",
		"--node-ip=127.0.0.1",
	); err != nil {
		return nil, err
	}
	if err := c.waitNodeReady(ctx, client); err != nil {
		return nil, err
	}
	logger.Info("control plane: ready", "after", time.Since(began).Round(time.Millisecond), "logs", c.LogDir)
	return c, nil
}

// startAPIServer starts etcd and kube-apiserver through envtest, with the
// flags a loopback-only control plane without a kubelet needs.
func (c *Cluster) startAPIServer(binDir string) error {
	etcdLog, err := c.openLog("etcd")
	if err != nil {
		return err
	}
	apiLog, err := c.openLog("kube-apiserver")
	if err != nil {
		return err
	}
	env := &envtest.Environment{
		BinaryAssetsDirectory:    binDir,
		ControlPlaneStartTimeout: time.Minute,
		ControlPlaneStopTimeout:  time.Minute,
	}
	env.ControlPlane.Etcd = &envtest.Etcd{Out: etcdLog, Err: etcdLog}
	api := env.ControlPlane.GetAPIServer()
	api.Out, api.Err = apiLog, apiLog
	api.Configure().
		// Kubernetes 1.37 refuses a loopback advertise address unless no
		// endpoint reconciler publishes it.
		Set("advertise-address", "127.0.0.1").
		Set("endpoint-reconciler-type", "none").
		// envtest disables the ServiceAccount admission plugin
		// (controller-runtime pkg/internal/testing/controlplane/apiserver.go,
		// defaultArgs); a real cluster runs it, so only the fake Node's
		// taint plugin stays off: the Node must take pods before any kubelet
		// would have cleared its taints.
		Set("disable-admission-plugins", "TaintNodesByCondition")
	c.env = env
	// envtest logs through controller-runtime's global logger; unset, its first use prints a
	// goroutine dump ("log.SetLogger(...) was never called") on every run. The control
	// plane's own logs are in c.LogDir.
	ctrllog.SetLogger(logr.Discard())
	cfg, err := env.Start()
	if err != nil {
		return fmt.Errorf("start etcd and kube-apiserver (logs in %s): %w", c.LogDir, err)
	}
	c.Config = cfg
	return nil
}

// createNode registers the fake Node that kwok keeps Ready.
func createNode(ctx context.Context, client kubernetes.Interface) error {
	capacity := corev1.ResourceList{
		corev1.ResourceCPU:    resource.MustParse("32"),
		corev1.ResourceMemory: resource.MustParse("256Gi"),
		corev1.ResourcePods:   resource.MustParse("250"),
	}
	node := &corev1.Node{
		ObjectMeta: metav1.ObjectMeta{
			Name:        NodeName,
			Annotations: map[string]string{kwokNodeAnnotation: "fake"},
			Labels: map[string]string{
				"kubernetes.io/hostname": NodeName,
				"kubernetes.io/os":       "linux",
				"kubernetes.io/arch":     "amd64",
				"type":                   "kwok",
			},
		},
		Status: corev1.NodeStatus{Capacity: capacity, Allocatable: capacity},
	}
	created, err := client.CoreV1().Nodes().Create(ctx, node, metav1.CreateOptions{})
	if err != nil {
		return fmt.Errorf("create node %s: %w", NodeName, err)
	}
	if len(created.Status.Allocatable) == 0 {
		created.Status = node.Status
		if _, err := client.CoreV1().Nodes().UpdateStatus(ctx, created, metav1.UpdateOptions{}); err != nil {
			return fmt.Errorf("set capacity of node %s: %w", NodeName, err)
		}
	}
	return nil
}

// waitNodeReady waits until kwok has marked the fake Node Ready, failing
// early when a component has exited.
func (c *Cluster) waitNodeReady(ctx context.Context, client kubernetes.Interface) error {
	err := wait.PollUntilContextTimeout(ctx, 100*time.Millisecond, time.Minute, true, func(ctx context.Context) (bool, error) {
		if err := c.exited(); err != nil {
			return false, err
		}
		node, err := client.CoreV1().Nodes().Get(ctx, NodeName, metav1.GetOptions{})
		if err != nil {
			return false, nil
		}
		for _, cond := range node.Status.Conditions {
			if cond.Type == corev1.NodeReady && cond.Status == corev1.ConditionTrue {
				return true, nil
			}
		}
		return false, nil
	})
	if err != nil {
		return fmt.Errorf("wait for node %s to be ready (logs in %s): %w", NodeName, c.LogDir, err)
	}
	return nil
}

// exited reports a component that is no longer running.
func (c *Cluster) exited() error {
	for _, p := range c.procs {
		select {
		case <-p.done:
			if p.err == nil {
				return fmt.Errorf("%s exited with status 0 (log: %s)", p.name, p.log.Name())
			}
			return fmt.Errorf("%s exited: %w (log: %s)", p.name, p.err, p.log.Name())
		default:
		}
	}
	return nil
}

func (c *Cluster) openLog(name string) (*os.File, error) {
	f, err := os.Create(filepath.Join(c.LogDir, name+".log"))
	if err != nil {
		return nil, fmt.Errorf("create log of %s: %w", name, err)
	}
	return f, nil
}

// run starts one component with its output in its log file.
func (c *Cluster) run(name, path string, args ...string) error {
	log, err := c.openLog(name)
	if err != nil {
		return err
	}
	cmd := exec.Command(path, args...)
	cmd.Stdout, cmd.Stderr = log, log
	cmd.Env = componentEnv()
	cmd.SysProcAttr = sysProcAttr()
	if err := cmd.Start(); err != nil {
		err = fmt.Errorf("start %s: %w", name, err)
		if cerr := log.Close(); cerr != nil {
			err = errors.Join(err, fmt.Errorf("close log of %s: %w", name, cerr))
		}
		return err
	}
	p := &process{name: name, cmd: cmd, log: log, done: make(chan struct{})}
	go func() {
		p.err = cmd.Wait()
		close(p.done)
	}()
	c.procs = append(c.procs, p)
	return nil
}

// componentEnv is the environment of the components: the test's own, less
// the ETCD_* variables etcd would read as flags and any kubeconfig setting.
func componentEnv() []string {
	var env []string
	for _, kv := range os.Environ() {
		if strings.HasPrefix(kv, "ETCD_") || strings.HasPrefix(kv, "KUBECONFIG=") {
			continue
		}
		env = append(env, kv)
	}
	return env
}

// Stop stops kwok, the scheduler and the controller manager (first, or
// envtest waits ~20 s for the apiserver to drain their watches), then the
// apiserver and etcd, and removes the temporary files. It is safe to call
// more than once.
func (c *Cluster) Stop() error {
	var errs []error
	for i := len(c.procs) - 1; i >= 0; i-- {
		if err := c.procs[i].stop(10 * time.Second); err != nil {
			errs = append(errs, err)
		}
	}
	c.procs = nil
	if c.env != nil {
		if err := c.env.Stop(); err != nil {
			errs = append(errs, fmt.Errorf("stop etcd and kube-apiserver: %w", err))
		}
		c.env = nil
	}
	if c.tmp != "" {
		if c.keepLog {
			c.logger.Info("control plane: stopped", "logs", c.LogDir)
		}
		if err := os.RemoveAll(c.tmp); err != nil {
			errs = append(errs, fmt.Errorf("remove cluster folder: %w", err))
		}
		c.tmp = ""
	}
	return errors.Join(errs...)
}

// stop sends SIGTERM, then SIGKILL after the grace period.
func (p *process) stop(grace time.Duration) (err error) {
	defer func() {
		if cerr := p.log.Close(); cerr != nil {
			err = errors.Join(err, fmt.Errorf("close log of %s: %w", p.name, cerr))
		}
	}()
	select {
	case <-p.done:
		return nil // already gone; Start reported why
	default:
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

// LogTail returns the last lines of every component log, for a failing
// test to print.
func (c *Cluster) LogTail(lines int) string { return TailLogs(c.LogDir, lines) }

// TailLogs returns the last lines of every *.log file in dir, each under a
// "==> name <==" header (as tail prints several files), for a failing test
// to print. The Argo CD suite uses it for its component logs too.
func TailLogs(dir string, lines int) string {
	files, _ := filepath.Glob(filepath.Join(dir, "*.log"))
	sort.Strings(files)
	var b strings.Builder
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			continue
		}
		all := strings.Split(strings.TrimRight(string(data), "\n"), "\n")
		if len(all) > lines {
			all = all[len(all)-lines:]
		}
		fmt.Fprintf(&b, "==> %s <==\n%s\n", filepath.Base(f), strings.Join(all, "\n"))
	}
	return b.String()
}

// checkBinaries reports a folder that lacks a binary or the kwok stages.
func checkBinaries(dir string) error {
	if dir == "" {
		return fmt.Errorf("find control plane binaries: no folder given (set %s to the output of test/k8s-tools/build.sh)", EnvBinDir)
	}
	var missing []string
	for _, b := range binaries {
		if st, err := os.Stat(filepath.Join(dir, b)); err != nil || st.IsDir() || st.Mode()&0o111 == 0 {
			missing = append(missing, b)
		}
	}
	if st, err := os.Stat(filepath.Join(dir, "stages")); err != nil || !st.IsDir() {
		missing = append(missing, "stages/")
	}
	if len(missing) > 0 {
		return fmt.Errorf("find control plane binaries in %s: missing %s (rerun test/k8s-tools/build.sh)", dir, strings.Join(missing, ", "))
	}
	return nil
}
