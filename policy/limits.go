package policy

import (
	"fmt"
	"io"
	"io/fs"
)

// budget counts what parseFS has read from one Source against its Limits.
type budget struct {
	files int
	bytes int64
}

// read reads one policy file within the limits. Only regular files are read (a FIFO or a
// device named x.rego would block or never end), and never more than the limit allows, even
// when the file grows while it is read.
func (b *budget) read(fsys fs.FS, name string, l Limits) ([]byte, error) {
	b.files++
	if l.Files > 0 && b.files > l.Files {
		return nil, fmt.Errorf("more than %d policy files: over the limit on the number of policy files", l.Files)
	}
	// Stat before Open: opening a FIFO blocks until someone writes to it.
	st, err := fs.Stat(fsys, name)
	if err != nil {
		return nil, err
	}
	if !st.Mode().IsRegular() {
		return nil, fmt.Errorf("not a regular file (%s)", st.Mode().Type())
	}
	f, err := fsys.Open(name)
	if err != nil {
		return nil, err
	}
	defer func() { _ = f.Close() }()
	limit := int64(-1)
	if l.FileBytes > 0 {
		limit = l.FileBytes
	}
	if l.TotalBytes > 0 && (limit < 0 || l.TotalBytes-b.bytes < limit) {
		limit = l.TotalBytes - b.bytes
	}
	if limit >= 0 && st.Size() > limit {
		return nil, b.over(st.Size(), l)
	}
	var r io.Reader = f
	if limit >= 0 {
		r = io.LimitReader(f, limit+1)
	}
	data, err := io.ReadAll(r)
	if err != nil {
		return nil, err
	}
	if limit >= 0 && int64(len(data)) > limit {
		return nil, b.over(int64(len(data)), l)
	}
	b.bytes += int64(len(data))
	return data, nil
}

func (b *budget) over(size int64, l Limits) error {
	if l.FileBytes > 0 && size > l.FileBytes {
		return fmt.Errorf("at least %d bytes: over the limit of %d bytes per policy file", size, l.FileBytes)
	}
	return fmt.Errorf("over the limit of %d bytes for all policy files together (%d read before this one)", l.TotalBytes, b.bytes)
}
