package sidecar

import (
	"fmt"
	"os"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// What generate prints on stderr when it fails ends up, whole, in the Application's
// ComparisonError condition (cmpserver/plugin.runCommand puts the trimmed stderr in its
// CmdError): a 7 MiB sync-wave value or a Helm `fail` with a long message would be stored in
// the Application. So the report is capped per line and in total; the full report goes to the
// sidecar's log.
const (
	// MaxReportLineBytes caps each line of the report.
	MaxReportLineBytes = 512
	// MaxReportBytes caps the whole report.
	MaxReportBytes = 4096
	// EnvReportLog names the file the full report is appended to when the report is cut; by
	// default, under the cmp-server, the cmp-server's own stderr (the sidecar container's log).
	EnvReportLog = "WAVECHECK_REPORT_LOG"
)

// CapReport caps each line of s at MaxReportLineBytes and the whole at MaxReportBytes (cut at
// a line end when there is one), never inside a UTF-8 sequence. It reports whether anything
// was cut.
func CapReport(s string) (string, bool) {
	s = strings.TrimRight(s, "\n")
	var b strings.Builder
	cut := false
	lines := strings.Split(s, "\n")
	for i, l := range lines {
		if len(l) > MaxReportLineBytes {
			more := len(l) - MaxReportLineBytes
			l = truncUTF8(l, MaxReportLineBytes) + fmt.Sprintf("… (%d more bytes)", more)
			cut = true
		}
		if i > 0 {
			if b.Len()+1+len(l) > MaxReportBytes {
				fmt.Fprintf(&b, "\n… (%d more lines)", len(lines)-i)
				return b.String(), true
			}
			b.WriteByte('\n')
		}
		b.WriteString(l)
	}
	return b.String(), cut
}

// truncUTF8 returns the longest prefix of s of at most n bytes that ends on a rune boundary.
func truncUTF8(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n]
}

// reportLogPath is where the full report goes: EnvReportLog, else (when running under the
// cmp-server, which sets ARGOCD_APP_NAME and starts the plugin command without a shell) the
// parent's stderr, i.e. the sidecar container's log. Empty means nowhere.
func reportLogPath(vars map[string]string) string {
	if p, ok := vars[EnvReportLog]; ok {
		return strings.TrimSpace(p)
	}
	if _, underCMP := vars["ARGOCD_APP_NAME"]; underCMP {
		return "/proc/" + strconv.Itoa(os.Getppid()) + "/fd/2"
	}
	return ""
}

// LogFullReport appends the uncut report to the report log (see reportLogPath), each line
// prefixed with the app's name, and returns where it went ("" when nowhere).
func LogFullReport(vars map[string]string, report string) (string, error) {
	p := reportLogPath(vars)
	if p == "" {
		return "", nil
	}
	f, err := os.OpenFile(p, os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o600) //nolint:gosec // G304: the admin's log path or the parent's stderr
	if err != nil {
		return "", fmt.Errorf("open the report log: %w", err)
	}
	prefix := fmt.Sprintf("%s wavecheck app=%s: ", time.Now().UTC().Format(time.RFC3339), strconv.Quote(vars["ARGOCD_APP_NAME"]))
	var b strings.Builder
	for _, l := range strings.Split(strings.TrimRight(report, "\n"), "\n") {
		b.WriteString(prefix)
		b.WriteString(strconv.Quote(l))
		b.WriteByte('\n')
	}
	_, werr := f.WriteString(b.String())
	if cerr := f.Close(); werr == nil {
		werr = cerr
	}
	if werr != nil {
		return "", fmt.Errorf("write the report log: %w", werr)
	}
	return p, nil
}
