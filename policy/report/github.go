package report

import (
	"io"
	"strconv"
	"strings"

	"github.com/wavecheck/wavecheck/policy"
)

// GitHub writes GitHub Actions workflow commands, one annotation per finding:
//
//	::error file=apps/x/job.yaml,line=3,title=wavecheck hook-unknown-type::Job/migrate: ...
//
// errors become ::error, warnings ::warning and infos ::notice. Values are escaped as the
// Actions toolkit does: '%', CR and LF in the message; also ':' and ',' in properties.
type GitHub struct{}

// Format implements Writer.
func (GitHub) Format() string { return "github" }

// Write implements Writer.
func (GitHub) Write(w io.Writer, r *Report) error {
	bw := newBufWriter(w)
	githubAnnotations(bw, r)
	// A plain line shows in the job log; it is not a command.
	bw.printf("wavecheck: %s\n", summaryLine(r))
	return bw.Flush()
}

// githubAnnotations writes one workflow command per finding of r.
func githubAnnotations(bw bufWriter, r *Report) {
	for _, f := range r.Findings {
		var props []string
		if f.File != "" {
			props = append(props, "file="+escapeProperty(f.File))
			if f.Line > 0 {
				props = append(props, "line="+strconv.Itoa(f.Line))
			}
		}
		props = append(props, "title="+escapeProperty("wavecheck "+f.Rule))
		msg := f.Object.String()
		if f.Object.Namespace != "" {
			msg += " (ns: " + f.Object.Namespace + ")"
		}
		msg += ": " + f.Message
		if f.Hint != "" {
			msg += "\nFix: " + f.Hint
		}
		bw.printf("::%s %s::%s\n", githubCommand(f.Severity), strings.Join(props, ","), escapeData(msg))
	}
}

func githubCommand(s policy.Severity) string {
	switch s {
	case policy.SeverityError:
		return "error"
	case policy.SeverityWarning:
		return "warning"
	}
	return "notice"
}

// escapeData escapes a workflow command's message (actions/toolkit escapeData).
func escapeData(s string) string {
	return strings.NewReplacer("%", "%25", "\r", "%0D", "\n", "%0A").Replace(s)
}

// escapeProperty escapes a workflow command's property value (actions/toolkit escapeProperty).
func escapeProperty(s string) string {
	return strings.NewReplacer("%", "%25", "\r", "%0D", "\n", "%0A", ":", "%3A", ",", "%2C").Replace(s)
}
