package render

import (
	"bytes"
	"fmt"
	"io"

	"sigs.k8s.io/yaml"
)

// Write prints objects as a YAML stream ("---" between documents), keys sorted, so the same
// input always gives the same bytes. Nothing is written unless every object marshals.
func Write(w io.Writer, objs []Object) error {
	var buf bytes.Buffer
	for i, o := range objs {
		b, err := yaml.Marshal(o.Object)
		if err != nil {
			return fmt.Errorf("marshal %s (%s): %w", o.Ref(), o.Source, err)
		}
		if i > 0 {
			buf.WriteString("---\n")
		}
		buf.Write(b)
	}
	_, err := w.Write(buf.Bytes())
	return err
}
