package cmp_test

import (
	"bufio"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	gocmp "github.com/google/go-cmp/cmp"
)

// loadApps are the apps of the load test: every source type, an app blocked by policy errors
// and one that fails to render.
var loadApps = []string{"guestbook", "helm-guestbook", "kustomize-guestbook", "kustomize-overlay", "broken"}

// loadConcurrency is how many generate calls run at once, as a repo-server refreshing many
// Applications sends them.
const loadConcurrency = 20

// outcome is what one generate call returned.
type outcome struct {
	manifests []string
	err       string
}

func generateOutcome(t *testing.T, app string) outcome {
	t.Helper()
	m, err := generate(t, app, appEnv(app))
	o := outcome{manifests: m}
	if err != nil {
		o.err = err.Error()
	}
	return o
}

// TestLoadConcurrentGenerate sends 20 generate calls at once through the real cmp-server on a
// mix of apps and checks that each returns the same bytes as the app's call alone, while a
// watcher samples every wavecheck process the cmp-server starts: its peak RSS (VmHWM), the
// peak of their sum, and that nothing in the app's unpacked repository changes while it runs.
func TestLoadConcurrentGenerate(t *testing.T) {
	if testing.Short() {
		t.Skip("load test")
	}
	want := map[string]outcome{}
	for _, app := range loadApps {
		want[app] = generateOutcome(t, app)
	}
	if want["broken"].err == "" || want["guestbook"].err != "" {
		t.Fatalf("baseline: broken must fail and guestbook succeed: %+v", want)
	}

	w := startWatcher(t)
	start := time.Now()
	var wg sync.WaitGroup
	got := make([]outcome, loadConcurrency)
	for i := range loadConcurrency {
		wg.Go(func() { got[i] = generateOutcome(t, loadApps[i%len(loadApps)]) })
	}
	wg.Wait()
	elapsed := time.Since(start)
	st := w.stop()

	for i, o := range got {
		app := loadApps[i%len(loadApps)]
		if diff := gocmp.Diff(want[app], o, gocmp.AllowUnexported(outcome{})); diff != "" {
			t.Errorf("call %d (%s) differs from the app's call alone (-alone +concurrent):\n%s", i, app, diff)
		}
	}
	for _, v := range st.violations {
		t.Error(v)
	}
	if st.processes < loadConcurrency/2 {
		t.Errorf("the watcher saw %d wavecheck processes for %d calls", st.processes, loadConcurrency)
	}
	t.Logf("%d concurrent generate calls in %v: %d wavecheck processes seen, at most %d at once; peak RSS %d MiB for one process, %d MiB summed over the processes running at once",
		loadConcurrency, elapsed.Round(time.Millisecond), st.processes, st.maxConcurrent, st.peakRSS>>10, st.peakSumRSS>>10)
}

// watcher samples the wavecheck processes started by the cmp-server (children of this test
// process).
type watcher struct {
	done chan struct{}
	wg   sync.WaitGroup
	st   watchStats
}

type watchStats struct {
	processes, maxConcurrent int
	peakRSS, peakSumRSS      int64 // KiB
	violations               []string
}

// procState is what the watcher knows of one process.
type procState struct {
	root     string            // the unpacked repository the process runs in
	snapshot map[string]string // file -> size and modification time, at first sight
}

func startWatcher(t *testing.T) *watcher {
	t.Helper()
	w := &watcher{done: make(chan struct{})}
	seen := map[int]*procState{}
	w.wg.Go(func() {
		tick := time.NewTicker(5 * time.Millisecond)
		defer tick.Stop()
		for {
			select {
			case <-w.done:
				w.st.processes = len(seen)
				return
			case <-tick.C:
			}
			var sum int64
			running := 0
			for _, pid := range wavecheckChildren() {
				hwm, rss, ok := memoryKiB(pid)
				if !ok {
					continue
				}
				running++
				sum += rss
				w.st.peakRSS = max(w.st.peakRSS, hwm)
				ps := seen[pid]
				if ps == nil {
					ps = &procState{root: unpackedRoot(pid)}
					if ps.root != "" {
						ps.snapshot = snapshot(ps.root)
					}
					seen[pid] = ps
					continue
				}
				if ps.snapshot == nil {
					continue
				}
				if now := snapshot(ps.root); now != nil {
					// The process may exit while the tree is walked, and the cmp-server then
					// removes the unpacked repository: a difference counts only when the
					// process is still running after the walk.
					if _, _, alive := memoryKiB(pid); !alive {
						continue
					}
					if d := gocmp.Diff(ps.snapshot, now); d != "" {
						w.st.violations = append(w.st.violations, fmt.Sprintf("wavecheck (pid %d) changed its app's files:\n%s", pid, d))
						ps.snapshot = now
					}
				}
			}
			w.st.peakSumRSS = max(w.st.peakSumRSS, sum)
			w.st.maxConcurrent = max(w.st.maxConcurrent, running)
		}
	})
	return w
}

func (w *watcher) stop() watchStats {
	close(w.done)
	w.wg.Wait()
	return w.st
}

// wavecheckChildren lists the running wavecheck processes whose parent is this process (the
// in-process cmp-server starts them without a shell).
func wavecheckChildren() []int {
	ents, err := os.ReadDir("/proc")
	if err != nil {
		return nil
	}
	self := os.Getpid()
	var out []int
	for _, e := range ents {
		pid, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		b, err := os.ReadFile(filepath.Join("/proc", e.Name(), "stat"))
		if err != nil {
			continue
		}
		// pid (comm) state ppid ...
		s := string(b)
		open, closing := strings.IndexByte(s, '('), strings.LastIndexByte(s, ')')
		if open < 0 || closing < open || s[open+1:closing] != "wavecheck" {
			continue
		}
		fields := strings.Fields(s[closing+1:])
		if len(fields) > 1 && fields[1] == strconv.Itoa(self) {
			out = append(out, pid)
		}
	}
	return out
}

// memoryKiB reads a process's peak and current resident set size.
func memoryKiB(pid int) (hwm, rss int64, ok bool) {
	f, err := os.Open(filepath.Join("/proc", strconv.Itoa(pid), "status"))
	if err != nil {
		return 0, 0, false
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		k, v, found := strings.Cut(sc.Text(), ":")
		if !found {
			continue
		}
		n, _ := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(v), " kB"), 10, 64)
		switch k {
		case "VmHWM":
			hwm = n
		case "VmRSS":
			rss = n
		}
	}
	return hwm, rss, hwm > 0
}

// unpackedRoot is the repository the cmp-server unpacked for a process: its working directory
// (the app directory) minus ARGOCD_APP_SOURCE_PATH.
func unpackedRoot(pid int) string {
	cwd, err := os.Readlink(filepath.Join("/proc", strconv.Itoa(pid), "cwd"))
	if err != nil {
		return ""
	}
	env, err := os.ReadFile(filepath.Join("/proc", strconv.Itoa(pid), "environ"))
	if err != nil {
		return ""
	}
	for _, kv := range strings.Split(string(env), "\x00") {
		if p, ok := strings.CutPrefix(kv, "ARGOCD_APP_SOURCE_PATH="); ok {
			if root, ok := strings.CutSuffix(cwd, string(filepath.Separator)+filepath.FromSlash(p)); ok {
				return root
			}
		}
	}
	return cwd
}

// snapshot lists every file and directory under root with its size and modification time;
// nil once root is gone (the cmp-server removes it after the call).
func snapshot(root string) map[string]string {
	out := map[string]string{}
	err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		fi, err := d.Info()
		if err != nil {
			return err
		}
		out[strings.TrimPrefix(p, root)] = fmt.Sprintf("%s %d %d", fi.Mode(), fi.Size(), fi.ModTime().UnixNano())
		return nil
	})
	if err != nil {
		return nil
	}
	return out
}
