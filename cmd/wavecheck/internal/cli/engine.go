package cli

import (
	"context"
	"fmt"

	"github.com/wavecheck/wavecheck/policy"
)

// pendingEngine is a policy engine being compiled in the background: compiling the rule pack
// does not depend on the app, so it runs on another core while the app renders.
type pendingEngine struct {
	done chan struct{}
	eng  *policy.Engine
	err  error
}

// startEngine starts policy.New(ctx, opts); wait returns its result.
func startEngine(ctx context.Context, opts policy.Options) *pendingEngine {
	p := &pendingEngine{done: make(chan struct{})}
	go func() {
		defer close(p.done)
		defer func() {
			if r := recover(); r != nil {
				p.eng, p.err = nil, fmt.Errorf("internal error: %v", r)
			}
		}()
		p.eng, p.err = policy.New(ctx, opts)
	}()
	return p
}

func (p *pendingEngine) wait() (*policy.Engine, error) {
	<-p.done
	return p.eng, p.err
}
