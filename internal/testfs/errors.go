package testfs

import (
	"strings"
	"testing"
)

// OneLineError fails the test unless err is an error on one line containing want: the shape of
// every bad-input error wavecheck shows (a clear one-line message naming the file and the fix).
func OneLineError(t testing.TB, err error, want string) {
	t.Helper()
	if err == nil || !strings.Contains(err.Error(), want) || strings.Contains(err.Error(), "\n") {
		t.Fatalf("err = %v, want one line containing %q", err, want)
	}
	t.Logf("error: %v", err)
}
