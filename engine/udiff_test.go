package engine

import "testing"

func TestUnifiedDiff(t *testing.T) {
	tests := []struct {
		name, from, to, want string
	}{
		{name: "equal", from: "a\nb\n", to: "a\nb\n", want: ""},
		{name: "one line changed", from: "a\nb\nc\n", to: "a\nx\nc\n",
			want: "--- f\n+++ t\n@@ -1,3 +1,3 @@\n a\n-b\n+x\n c\n"},
		{name: "added at the end", from: "a\n", to: "a\nb\n",
			want: "--- f\n+++ t\n@@ -1 +1,2 @@\n a\n+b\n"},
		{name: "from empty", from: "", to: "a\n",
			want: "--- f\n+++ t\n@@ -0,0 +1 @@\n+a\n"},
		{name: "two hunks with context", from: "1\n2\n3\n4\n5\n6\n7\n8\n9\n10\n11\n12\n", to: "1\nX\n3\n4\n5\n6\n7\n8\n9\n10\nY\n12\n",
			want: "--- f\n+++ t\n@@ -1,5 +1,5 @@\n 1\n-2\n+X\n 3\n 4\n 5\n@@ -8,5 +8,5 @@\n 8\n 9\n 10\n-11\n+Y\n 12\n"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := unifiedDiff("f", "t", tc.from, tc.to); got != tc.want {
				t.Errorf("diff:\n%s\nwant:\n%s", got, tc.want)
			}
		})
	}
}
