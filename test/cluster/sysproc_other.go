//go:build !linux

package cluster

import "syscall"

// sysProcAttr has nothing to add outside Linux: there Stop alone ends the
// components.
func sysProcAttr() *syscall.SysProcAttr { return nil }
