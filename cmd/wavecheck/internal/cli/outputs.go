package cli

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/wavecheck/wavecheck/policy/report"
)

// reportOutput is one -o value: a report format written to stdout, or to a file (FORMAT=FILE).
type reportOutput struct {
	w    report.Writer
	file string // "" for stdout
}

// parseOutputs parses the -o values: FORMAT or FORMAT=FILE, at most one to stdout. Colour
// applies to a text report on stdout only.
func parseOutputs(specs []string, color bool) ([]reportOutput, error) {
	if len(specs) == 0 {
		specs = []string{report.Formats()[0]}
	}
	var outs []reportOutput
	stdout := ""
	files := map[string]bool{}
	for _, s := range specs {
		format, file, toFile := strings.Cut(s, "=")
		if toFile && file == "" {
			return nil, fmt.Errorf("parse -o %q: want FORMAT or FORMAT=FILE", s)
		}
		w, err := report.NewWriter(format, report.Options{Color: color && !toFile})
		if err != nil {
			return nil, fmt.Errorf("parse -o %q: %w", s, err)
		}
		if !toFile {
			if stdout != "" {
				return nil, fmt.Errorf("-o %s and -o %s both write to stdout: give all but one a file, e.g. -o %s=report.%s", stdout, s, s, s)
			}
			stdout = s
		} else {
			abs, err := filepath.Abs(file)
			if err != nil {
				return nil, fmt.Errorf("parse -o %q: %w", s, err)
			}
			if files[abs] {
				return nil, fmt.Errorf("parse -o %q: %s is the file of another -o", s, file)
			}
			files[abs] = true
		}
		outs = append(outs, reportOutput{w: w, file: file})
	}
	return outs, nil
}

// writeOutputs writes the reports in every format. Each file is written to a temporary file
// beside it and renamed only when every file was written, so a failure leaves no file half
// written (nor any of them replaced); stdout comes last.
func writeOutputs(outs []reportOutput, stdout io.Writer, reps []*report.Report) (err error) {
	type pending struct{ tmp, dst string }
	var done []pending
	defer func() {
		if err != nil {
			for _, p := range done {
				_ = os.Remove(p.tmp) // best effort: the error that matters is returned
			}
		}
	}()
	for _, o := range outs {
		if o.file == "" {
			continue
		}
		var b bytes.Buffer
		if err := report.WriteAll(o.w, &b, reps); err != nil {
			return fmt.Errorf("write %s report: %w", o.w.Format(), err)
		}
		tmp, err := os.CreateTemp(filepath.Dir(o.file), "."+filepath.Base(o.file)+".*.tmp")
		if err != nil {
			return fmt.Errorf("write %s report to %s: %w", o.w.Format(), o.file, err)
		}
		done = append(done, pending{tmp: tmp.Name(), dst: o.file})
		_, werr := tmp.Write(b.Bytes())
		// A report is no secret: readable like any file the user writes (CreateTemp makes 0600).
		cerr := tmp.Chmod(0o644) //nolint:gosec // G302: a report file, meant to be read
		if err := errors.Join(werr, cerr, tmp.Close()); err != nil {
			return fmt.Errorf("write %s report to %s: %w", o.w.Format(), o.file, err)
		}
	}
	for i, p := range done {
		if err := os.Rename(p.tmp, p.dst); err != nil {
			for _, q := range done[i+1:] {
				_ = os.Remove(q.tmp) // best effort, as above
			}
			done = nil
			return fmt.Errorf("write report to %s: %w", p.dst, err)
		}
	}
	for _, o := range outs {
		if o.file == "" {
			if err := report.WriteAll(o.w, stdout, reps); err != nil {
				return fmt.Errorf("write report: %w", err)
			}
		}
	}
	return nil
}
