package cluster_test

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes"

	"github.com/wavecheck/wavecheck/test/cluster"
)

// One control plane serves every test of the package (it takes ~5 s to
// start); each test works in its own namespace.
var shared struct {
	once sync.Once
	c    *cluster.Cluster
	err  error
}

func TestMain(m *testing.M) {
	code := m.Run()
	if shared.c != nil {
		if err := shared.c.Stop(); err != nil {
			fmt.Fprintf(os.Stderr, "stop control plane: %v\n", err)
			if code == 0 {
				code = 1
			}
		}
	}
	os.Exit(code)
}

// startCluster returns the shared control plane, starting it on first use.
// It skips or fails the test as cluster.RequireBinaries decides.
func startCluster(t *testing.T) *cluster.Cluster {
	t.Helper()
	bin := cluster.RequireBinaries(t)
	shared.once.Do(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
		defer cancel()
		logger := slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelInfo}))
		shared.c, shared.err = cluster.Start(ctx, cluster.Options{BinDir: bin, Logger: logger})
	})
	if shared.err != nil {
		t.Fatalf("start control plane: %v", shared.err)
	}
	t.Cleanup(func() {
		if t.Failed() {
			t.Logf("control plane logs (last lines):\n%s", shared.c.LogTail(30))
		}
	})
	return shared.c
}

// namespaces numbers the test namespaces, so that -count=N never meets a
// namespace still terminating from the run before.
var namespaces atomic.Int64

// newNamespace creates a namespace named after the test and deletes it when
// the test ends.
func newNamespace(t *testing.T, client kubernetes.Interface) string {
	t.Helper()
	name := strings.ToLower(t.Name())
	name = strings.NewReplacer("/", "-", "_", "-", " ", "-").Replace(name)
	if len(name) > 50 {
		name = name[:50]
	}
	name = fmt.Sprintf("%s-%d", strings.Trim(name, "-"), namespaces.Add(1))
	ns := &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: name}}
	if _, err := client.CoreV1().Namespaces().Create(t.Context(), ns, metav1.CreateOptions{}); err != nil {
		t.Fatalf("create namespace %s: %v", name, err)
	}
	t.Cleanup(func() {
		// Deleting is best effort: the control plane goes away with the
		// test binary anyway.
		_ = client.CoreV1().Namespaces().Delete(context.Background(), name, metav1.DeleteOptions{})
	})
	// Pods are admitted only once the namespace has its default
	// ServiceAccount (the ServiceAccount admission plugin is on).
	if err := cluster.WaitServiceAccount(t.Context(), client, name, "default"); err != nil {
		t.Fatal(err)
	}
	return name
}
