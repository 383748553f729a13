package main

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// mainEnv makes the test binary run main() instead of the tests, so the tests below drive the
// real process: its signal handling and exit.
const mainEnv = "WAVECHECK_TEST_RUN_MAIN"

func TestMain(m *testing.M) {
	if os.Getenv(mainEnv) == "1" {
		main()
		return
	}
	os.Exit(m.Run())
}

func writeTree(t *testing.T, root string, files map[string]string) {
	t.Helper()
	for p, c := range files {
		full := filepath.Join(root, p)
		if err := os.MkdirAll(filepath.Dir(full), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(full, []byte(c), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

const cm = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: cm%d\n"

// kustomizeFanout includes one ConfigMap 2^levels times through two name prefixes per level.
func kustomizeFanout(levels int) map[string]string {
	files := map[string]string{"l0/kustomization.yaml": "resources:\n- cm.yaml\n", "l0/cm.yaml": fmt.Sprintf(cm, 0)}
	for l := 1; l <= levels; l++ {
		dir := fmt.Sprintf("l%d", l)
		if l == levels {
			dir = "app"
		}
		files[dir+"/kustomization.yaml"] = "resources:\n- a\n- b\n"
		for _, p := range []string{"a", "b"} {
			files[dir+"/"+p+"/kustomization.yaml"] = fmt.Sprintf("namePrefix: %s-\nresources:\n- ../../l%d\n", p, l-1)
		}
	}
	return files
}

func bigDirectory(n int) map[string]string {
	var b strings.Builder
	for i := range n {
		fmt.Fprintf(&b, "---\n"+cm+"data:\n  pad: %q\n", i, strings.Repeat("p", 1000))
	}
	return map[string]string{"app/cms.yaml": b.String()}
}

// TestSignalsHonoured: SIGTERM (Argo CD's exec timeout) and SIGINT (Ctrl-C) end the process
// within a second wherever it is (Helm or Kustomize rendering, a FIFO read, a blocked write of
// the output), with the signal's exit status and nothing on stdout.
func TestSignalsHonoured(t *testing.T) {
	tests := []struct {
		name  string
		files map[string]string
		fifo  string // made a FIFO nobody writes
		args  []string
		env   []string
		sig   syscall.Signal
		// blockStdout connects stdout to a pipe nobody reads.
		blockStdout bool
	}{
		{name: "helm template loop", sig: syscall.SIGTERM, args: []string{"generate", "app"}, files: map[string]string{
			"app/Chart.yaml":        "apiVersion: v2\nname: c\nversion: 0.1.0\n",
			"app/templates/cm.yaml": fmt.Sprintf(cm, 0) + "{{ range until 100000 }}{{ range until 100000 }}{{ end }}{{ end }}\n",
		}},
		{name: "kustomize fan-out", sig: syscall.SIGINT, args: []string{"render", "--repo-root", ".", "app"}, files: kustomizeFanout(16)},
		{name: "policy data file that is a FIFO", sig: syscall.SIGTERM, args: []string{"generate", "app"},
			files: map[string]string{"app/cm.yaml": fmt.Sprintf(cm, 1)}, fifo: "data.json", env: []string{"WAVECHECK_DATA=data.json"}},
		{name: "blocked output write", sig: syscall.SIGTERM, args: []string{"render", "app"}, files: bigDirectory(5000), blockStdout: true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			root := t.TempDir()
			writeTree(t, root, tc.files)
			if tc.fifo != "" {
				if err := syscall.Mkfifo(filepath.Join(root, tc.fifo), 0o644); err != nil {
					t.Skipf("mkfifo: %v", err)
				}
			}
			cmd := exec.Command(os.Args[0], tc.args...) //nolint:gosec // G204: the test binary itself
			cmd.Dir = root
			cmd.Env = append(append(os.Environ(), mainEnv+"=1", "WAVECHECK_RENDER_TIMEOUT=10m"), tc.env...)
			var stdout, stderr bytes.Buffer
			cmd.Stderr = &stderr
			var unread *os.File
			if tc.blockStdout {
				r, w, err := os.Pipe()
				if err != nil {
					t.Fatal(err)
				}
				unread = r
				defer func() { _ = r.Close() }()
				cmd.Stdout = w
				defer func() { _ = w.Close() }()
			} else {
				cmd.Stdout = &stdout
			}
			if err := cmd.Start(); err != nil {
				t.Fatal(err)
			}
			// Let the command reach its blocking point.
			time.Sleep(1500 * time.Millisecond)
			if err := cmd.Process.Signal(tc.sig); err != nil {
				t.Fatal(err)
			}
			sent := time.Now()
			waited := make(chan error, 1)
			go func() { waited <- cmd.Wait() }()
			var err error
			select {
			case err = <-waited:
			case <-time.After(10 * time.Second):
				_ = cmd.Process.Kill()
				werr := <-waited
				t.Fatalf("still running 10 s after %s (killed: %v); stderr:\n%s", tc.sig, werr, stderr.String())
			}
			elapsed := time.Since(sent)
			if elapsed > time.Second {
				t.Errorf("exited %v after %s, want within 1 s", elapsed, tc.sig)
			}
			if code := cmd.ProcessState.ExitCode(); code != 128+int(tc.sig) {
				t.Errorf("exit status %d (%v), want %d; stderr:\n%s", code, err, 128+int(tc.sig), stderr.String())
			}
			if stdout.Len() > 0 {
				t.Errorf("stdout is not empty: %d bytes", stdout.Len())
			}
			if unread == nil && !strings.Contains(stderr.String(), "stop") {
				t.Errorf("stderr does not say the command was stopped:\n%s", stderr.String())
			}
			if !strings.Contains(stderr.String(), "\n") || strings.Count(stderr.String(), "\n") > 3 {
				t.Errorf("stderr is not a short report:\n%s", stderr.String())
			}
		})
	}
}
