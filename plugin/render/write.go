package render

import (
	"bytes"
	"fmt"
	"io"

	"github.com/wavecheck/wavecheck/internal/manifest"
	"github.com/wavecheck/wavecheck/internal/parallel"
	"go.yaml.in/yaml/v2"
)

// Write prints objects as a YAML stream ("---" between documents), keys sorted, so the same
// input always gives the same bytes. Nothing is written unless every object marshals.
func Write(w io.Writer, objs []manifest.Object) error {
	docs := make([][]byte, len(objs))
	// Marshal on every core (objects are independent); errors come in object order.
	err := parallel.Do(len(objs), func(i int) error {
		b, err := marshalYAML(objs[i].Object)
		if err != nil {
			return fmt.Errorf("marshal %s (%s): %w", objs[i].Ref(), objs[i].Source, err)
		}
		docs[i] = b
		return nil
	})
	if err != nil {
		return err
	}
	var buf bytes.Buffer
	for i, d := range docs {
		if i > 0 {
			buf.WriteString("---\n")
		}
		buf.Write(d)
	}
	_, err = w.Write(buf.Bytes())
	return err
}

// marshalYAML gives the bytes sigs.k8s.io/yaml.Marshal gives for a JSON-compatible value
// (JSON encoding, read back and printed by go-yaml v2, which orders keys naturally) without
// the JSON text in between.
func marshalYAML(obj map[string]any) ([]byte, error) {
	return yaml.Marshal(obj)
}
