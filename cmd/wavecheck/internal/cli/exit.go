package cli

import (
	"errors"
	"fmt"
)

// Exit codes shared by every command.
const (
	ExitOK       = 0 // clean
	ExitFindings = 1 // policy errors found (or warnings with --fail-on-warn)
	ExitFailure  = 2 // usage, render or tool failure
)

// ExitError carries an exit code to main. Err may be nil when the command already reported
// what happened (e.g. validate printed its findings).
type ExitError struct {
	Code int
	Err  error
}

func (e *ExitError) Error() string {
	if e.Err == nil {
		return fmt.Sprintf("exit status %d", e.Code)
	}
	return e.Err.Error()
}

func (e *ExitError) Unwrap() error { return e.Err }

// usageError marks a command-line mistake.
func usageError(format string, a ...any) error {
	return &ExitError{Code: ExitFailure, Err: fmt.Errorf(format, a...)}
}

// exitCode maps an error returned by a command to the process exit code.
func exitCode(err error) int {
	if err == nil {
		return ExitOK
	}
	var ee *ExitError
	if errors.As(err, &ee) {
		return ee.Code
	}
	return ExitFailure
}
