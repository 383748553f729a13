package cli

import (
	"fmt"
	"io"
	"os"

	"github.com/wavecheck/wavecheck/plugin/render"
)

// maxFlagFileBytes bounds a file named by a flag (--expect): the file is read whole.
const maxFlagFileBytes = render.DefaultMaxFileBytes

// readFlagFile reads the regular file a flag names, at most limit bytes: /dev/zero, a FIFO or
// /dev/stdin would otherwise exhaust memory or block.
func readFlagFile(flag, path string, limit int64) ([]byte, error) {
	if err := checkFlagPath(flag, path, limit, false); err != nil {
		return nil, err
	}
	f, err := os.Open(path) // #nosec G304 -- the user names the file on the command line
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", flag, err)
	}
	defer func() { _ = f.Close() }()
	data, err := io.ReadAll(io.LimitReader(f, limit+1))
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", flag, err)
	}
	if int64(len(data)) > limit {
		return nil, fmt.Errorf("read %s: %s is larger than the limit of %d bytes", flag, path, limit)
	}
	return data, nil
}

// checkFlagPath checks that a flag names a regular file of at most limit bytes (or, when dirOK,
// a directory).
func checkFlagPath(flag, path string, limit int64, dirOK bool) error {
	if limit <= 0 {
		limit = render.DefaultMaxFileBytes
	}
	st, err := os.Stat(path)
	if err != nil {
		return fmt.Errorf("read %s: %w", flag, err)
	}
	switch {
	case st.IsDir() && dirOK:
		return nil
	case !st.Mode().IsRegular():
		want := "a regular file"
		if dirOK {
			want = "a regular file or a directory"
		}
		return fmt.Errorf("read %s: %s is not %s but %s", flag, path, want, fileKind(st.Mode()))
	case st.Size() > limit:
		return fmt.Errorf("read %s: %s is %d bytes, over the limit of %d bytes", flag, path, st.Size(), limit)
	}
	return nil
}

// fileKind names a file type that is neither a regular file nor a directory.
func fileKind(m os.FileMode) string {
	switch {
	case m&os.ModeNamedPipe != 0:
		return "a named pipe"
	case m&os.ModeDevice != 0:
		return "a device"
	case m&os.ModeSocket != 0:
		return "a socket"
	case m.IsDir():
		return "a directory"
	}
	return "a special file"
}
