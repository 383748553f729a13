// Package parallel runs independent pieces of work on every core. It is a leaf: the renderer,
// the policy engine and the replay share it.
package parallel

import (
	"runtime"
	"sync"
	"sync/atomic"
)

// Do runs f for 0..n-1 on every core, each worker taking the next index when done with one
// (inline for a few items), and returns the error of the lowest failing index, so errors are
// the same as in a sequential run.
func Do(n int, f func(i int) error) error {
	workers := min(runtime.GOMAXPROCS(0), n)
	if n < 4 || workers < 2 {
		for i := range n {
			if err := f(i); err != nil {
				return err
			}
		}
		return nil
	}
	errs := make([]error, n)
	var next atomic.Int64
	var wg sync.WaitGroup
	for range workers {
		wg.Go(func() {
			for {
				i := int(next.Add(1) - 1)
				if i >= n {
					return
				}
				errs[i] = f(i)
			}
		})
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			return err
		}
	}
	return nil
}
