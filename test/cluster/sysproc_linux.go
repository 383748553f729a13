package cluster

import "syscall"

// sysProcAttr kills a component when the test binary dies without calling
// Stop (a go test timeout, a crash), so no server outlives its test.
func sysProcAttr() *syscall.SysProcAttr {
	return &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
}
