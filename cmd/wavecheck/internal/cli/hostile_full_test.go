//go:build !sidecar

package cli

import (
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// TestLiveTrackedByAnotherApp is the regression test of issue 13 item 10: a --live object
// whose Argo CD tracking names another application is not this app's (the cluster cache
// groups live objects by util/argo/resource_tracking.go GetAppName), so --prune leaves it
// alone; objects tracked by this app, and untracked ones (--live means managed), are pruned.
func TestLiveTrackedByAnotherApp(t *testing.T) {
	clearWavecheckEnv(t)
	root := writeApp(t, map[string]string{
		"app/cm.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a\n",
		"live.yaml": `apiVersion: v1
kind: ConfigMap
metadata:
  name: old-mine
  annotations:
    argocd.argoproj.io/tracking-id: "shop:/ConfigMap:default/old-mine"
---
apiVersion: v1
kind: ConfigMap
metadata:
  name: old-other
  annotations:
    argocd.argoproj.io/tracking-id: "other:/ConfigMap:default/old-other"
---
apiVersion: v1
kind: ConfigMap
metadata:
  name: old-untracked
---
apiVersion: v1
kind: ConfigMap
metadata:
  name: old-labelled
  labels:
    app.kubernetes.io/instance: other
`})
	tests := []struct {
		tracking string
		pruned   []string
		kept     string
	}{
		{tracking: "annotation", pruned: []string{"old-labelled", "old-mine", "old-untracked"}, kept: "old-other"},
		{tracking: "annotation+label", pruned: []string{"old-labelled", "old-mine", "old-untracked"}, kept: "old-other"},
		{tracking: "label", pruned: []string{"old-mine", "old-other", "old-untracked"}, kept: "old-labelled"},
	}
	for _, tt := range tests {
		t.Run(tt.tracking, func(t *testing.T) {
			runs := map[string][]string{"replay": {"replay", "--tracking-method", tt.tracking}}
			if tt.tracking == "annotation" { // plan has no --tracking-method: Argo CD's default
				runs["plan"] = []string{"plan"}
			}
			for cmd, args := range runs {
				code, stdout, stderr := runCLI(t, append(args, filepath.Join(root, "app"), "--app-name", "shop", "--prune",
					"--live", filepath.Join(root, "live.yaml"))...)
				if code != ExitOK {
					t.Fatalf("%s: exit %d, stderr:\n%s", cmd, code, stderr)
				}
				for _, n := range tt.pruned {
					if !strings.Contains(stdout, "prune") || !strings.Contains(stdout, n) {
						t.Errorf("%s: %s not pruned:\n%s", cmd, n, stdout)
					}
				}
				if strings.Contains(stdout, tt.kept) {
					t.Errorf("%s: %s (tracked by another app) in the sync:\n%s", cmd, tt.kept, stdout)
				}
			}
		})
	}
}

// TestFlagFilesBounded: --expect and --live name a regular file within the size limit (or,
// for --live, a directory): /dev/zero ran out of memory and a FIFO blocked forever.
func TestFlagFilesBounded(t *testing.T) {
	clearWavecheckEnv(t)
	root := writeApp(t, map[string]string{"app/cm.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a\n"})
	app := filepath.Join(root, "app")
	fifo := filepath.Join(root, "fifo")
	if err := syscall.Mkfifo(fifo, 0o644); err != nil {
		t.Fatal(err)
	}
	big := filepath.Join(root, "big.yaml")
	if err := os.WriteFile(big, []byte(strings.Repeat("#", 2048)), 0o644); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		args []string
		want string
	}{
		{[]string{"replay", app, "--expect", "/dev/zero"}, "read --expect: /dev/zero is not a regular file but a device"},
		{[]string{"replay", app, "--expect", fifo}, "is not a regular file but a named pipe"},
		{[]string{"replay", app, "--live", "/dev/zero"}, "read --live: /dev/zero is not a regular file or a directory but a device"},
		{[]string{"replay", app, "--live", fifo}, "is not a regular file or a directory but a named pipe"},
		{[]string{"plan", app, "--live", fifo}, "is not a regular file or a directory but a named pipe"},
		{[]string{"replay", app, "--max-file-size", "1024", "--live", big}, "big.yaml is 2048 bytes, over the limit of 1024 bytes"},
		{[]string{"replay", app, "--timeout", "-1s"}, "--timeout"},
	}
	for _, tt := range tests {
		t.Run(strings.Join(tt.args[2:], " "), func(t *testing.T) {
			done := make(chan struct{})
			var code int
			var stdout, stderr string
			go func() {
				defer close(done)
				code, stdout, stderr = runCLI(t, tt.args...)
			}()
			select {
			case <-done:
			case <-time.After(20 * time.Second):
				t.Fatal("blocked for 20s")
			}
			if code != ExitFailure || stdout != "" || !strings.Contains(stderr, tt.want) {
				t.Errorf("exit %d, stdout %q, stderr %q; want exit %d naming %q", code, stdout, stderr, ExitFailure, tt.want)
			}
		})
	}
}

// TestReadFlagFileLimit: a regular file larger than the limit is refused, even one that grows
// after the size check (the read is bounded too).
func TestReadFlagFileLimit(t *testing.T) {
	p := filepath.Join(t.TempDir(), "e.yaml")
	if err := os.WriteFile(p, []byte("0123456789"), 0o644); err != nil {
		t.Fatal(err)
	}
	if data, err := readFlagFile("--expect", p, 10); err != nil || string(data) != "0123456789" {
		t.Errorf("within the limit: %q, %v", data, err)
	}
	if _, err := readFlagFile("--expect", p, 9); err == nil || !strings.Contains(err.Error(), "is 10 bytes, over the limit of 9 bytes") {
		t.Errorf("over the limit: %v", err)
	}
}
