// Command timeit runs one command and appends its cost to a file, for test/bench/run.sh:
//
//	timeit -C DIR -o RAW -stdout OUT -stderr ERR [NAME=VALUE ...] CMD [ARG ...]
//
// It starts CMD the way Argo CD's cmp-server starts a plugin's generate command: from a Go
// process, through os/exec, with no shell and no env binary in between
// (cmpserver/plugin.runCommand). So the wall time is the command's own, from the fork to its
// exit, not a shell's, GNU time's and env's start-up as well (~13 ms of the harness's earlier
// bash -> GNU time -> env chain, as much as the whole start of a static Go binary), and the
// CPU time comes from the child's rusage in microseconds instead of GNU time's 10 ms steps.
//
// RAW gets one line "WALL RSS USER SYS EXIT": seconds, peak resident set in KiB, seconds,
// seconds, exit status. Leading NAME=VALUE arguments are added to the environment. timeit
// exits with the command's status (1 when it cannot be started).
package main

import (
	"errors"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"strings"
	"syscall"
	"time"
)

func main() {
	dir := flag.String("C", "", "run the command in this directory")
	raw := flag.String("o", "", "append the measurement line to this file")
	stdout := flag.String("stdout", os.DevNull, "write the command's stdout to this file")
	stderr := flag.String("stderr", os.DevNull, "write the command's stderr to this file")
	flag.Parse()
	code, err := run(*dir, *raw, *stdout, *stderr, flag.Args())
	if err != nil {
		fmt.Fprintln(os.Stderr, "timeit:", err)
		os.Exit(1)
	}
	os.Exit(code)
}

func run(dir, raw, stdout, stderr string, args []string) (int, error) {
	env := os.Environ()
	for len(args) > 0 && strings.Contains(args[0], "=") && !strings.HasPrefix(args[0], "=") {
		env = append(env, args[0])
		args = args[1:]
	}
	if len(args) == 0 || raw == "" {
		return 1, errors.New("usage: timeit -C DIR -o RAW [-stdout OUT] [-stderr ERR] [NAME=VALUE ...] CMD [ARG ...]")
	}
	out, err := os.Create(stdout)
	if err != nil {
		return 1, err
	}
	defer func() { _ = out.Close() }()
	errf, err := os.Create(stderr)
	if err != nil {
		return 1, err
	}
	defer func() { _ = errf.Close() }()
	cmd := exec.Command(args[0], args[1:]...)
	cmd.Dir, cmd.Env, cmd.Stdout, cmd.Stderr = dir, env, out, errf
	t0 := time.Now()
	if err := cmd.Start(); err != nil {
		return 1, err
	}
	waitErr := cmd.Wait()
	wall := time.Since(t0)
	var exitErr *exec.ExitError
	if waitErr != nil && !errors.As(waitErr, &exitErr) {
		return 1, waitErr
	}
	ru, ok := cmd.ProcessState.SysUsage().(*syscall.Rusage)
	if !ok {
		return 1, errors.New("no resource usage for the command")
	}
	code := cmd.ProcessState.ExitCode()
	line := fmt.Sprintf("%.6f %d %.6f %.6f %d\n", wall.Seconds(), ru.Maxrss,
		time.Duration(ru.Utime.Nano()).Seconds(), time.Duration(ru.Stime.Nano()).Seconds(), code)
	f, err := os.OpenFile(raw, os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o600)
	if err != nil {
		return 1, err
	}
	if _, err := f.WriteString(line); err != nil {
		_ = f.Close()
		return 1, err
	}
	if err := f.Close(); err != nil {
		return 1, err
	}
	return code, nil
}
