package sidecar

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"unicode/utf8"
)

func TestCapReport(t *testing.T) {
	long := strings.Repeat("é", 2000) // 4000 bytes, 2-byte runes
	many := strings.Repeat("rule: Kind/x: message\n", 1000)
	tests := []struct {
		name      string
		in        string
		wantCut   bool
		wantLines int
		contains  []string
	}{
		{name: "short", in: "wavecheck: 1 policy error\nrule: ConfigMap/a: bad\n", wantLines: 2},
		{name: "long line", in: "wavecheck: x\n" + long, wantCut: true, wantLines: 2, contains: []string{"… (3488 more bytes)"}},
		{name: "many lines", in: many, wantCut: true, contains: []string{"more lines)"}},
		{name: "empty", in: "", wantLines: 1},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, cut := CapReport(tc.in)
			if cut != tc.wantCut {
				t.Errorf("cut = %v, want %v", cut, tc.wantCut)
			}
			if len(got) > MaxReportBytes+64 {
				t.Errorf("report has %d bytes, cap %d", len(got), MaxReportBytes)
			}
			for _, l := range strings.Split(got, "\n") {
				if len(l) > MaxReportLineBytes+32 {
					t.Errorf("line of %d bytes, cap %d", len(l), MaxReportLineBytes)
				}
			}
			if !utf8.ValidString(got) {
				t.Error("cut inside a UTF-8 sequence")
			}
			if tc.wantLines > 0 && strings.Count(got, "\n")+1 != tc.wantLines {
				t.Errorf("%d lines, want %d:\n%s", strings.Count(got, "\n")+1, tc.wantLines, got)
			}
			for _, c := range tc.contains {
				if !strings.Contains(got, c) {
					t.Errorf("report lacks %q:\n%s", c, got)
				}
			}
		})
	}
}

func TestLogFullReport(t *testing.T) {
	logPath := filepath.Join(t.TempDir(), "report.log")
	tests := []struct {
		name string
		vars map[string]string
		want string
	}{
		{name: "nowhere outside the cmp-server", vars: map[string]string{}, want: ""},
		{name: "admin log file", vars: map[string]string{EnvReportLog: logPath, "ARGOCD_APP_NAME": "shop"}, want: logPath},
		{name: "disabled", vars: map[string]string{EnvReportLog: "", "ARGOCD_APP_NAME": "shop"}, want: ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			where, err := LogFullReport(tc.vars, "line one\nline \x1b[2J two")
			if err != nil {
				t.Fatal(err)
			}
			if where != tc.want {
				t.Fatalf("written to %q, want %q", where, tc.want)
			}
			if where == "" {
				return
			}
			b, err := os.ReadFile(where)
			if err != nil {
				t.Fatal(err)
			}
			for _, w := range []string{`app="shop": "line one"`, `"line \x1b[2J two"`} {
				if !strings.Contains(string(b), w) {
					t.Errorf("log lacks %q:\n%s", w, b)
				}
			}
		})
	}
	if got := reportLogPath(map[string]string{"ARGOCD_APP_NAME": "a"}); !strings.HasPrefix(got, "/proc/") || !strings.HasSuffix(got, "/fd/2") {
		t.Errorf("under the cmp-server the default report log is %q, want the parent's stderr", got)
	}
}
