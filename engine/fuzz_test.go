package engine

import "testing"

// FuzzParseExpectation: an --expect file of any content gives an expectation or an error,
// never a panic. Corpus: testdata/fuzz/FuzzParseExpectation.
func FuzzParseExpectation(f *testing.F) {
	f.Add([]byte("phase: Succeeded\nsteps:\n  - phase: Sync\n    wave: 0\n    apply: [ConfigMap/a]\n"))
	f.Add([]byte("a: &a [*a, *a]\n"))
	f.Add([]byte("phase: [\n"))
	f.Fuzz(func(_ *testing.T, data []byte) {
		_, _ = ParseExpectation(data, "expect.yaml")
	})
}
