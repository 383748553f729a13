package cli

import "io"

// watchedReader records whether standard input was read: a run that read it cannot be handed
// over to another process, which would find it consumed.
type watchedReader struct {
	r    io.Reader
	read bool
}

func (w *watchedReader) Read(p []byte) (int, error) {
	w.read = true
	return w.r.Read(p)
}
