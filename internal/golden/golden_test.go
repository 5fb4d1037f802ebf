package golden

import (
	"os"
	"path/filepath"
	"testing"
)

// recorder is a testing.TB that records failures instead of failing.
type recorder struct {
	testing.TB
	failed bool
}

func (r *recorder) Errorf(string, ...any) { r.failed = true }
func (r *recorder) Fatalf(string, ...any) { r.failed = true }
func (r *recorder) Helper()               {}

func TestCheck(t *testing.T) {
	path := filepath.Join(t.TempDir(), "sub", "x.golden")
	tests := []struct {
		name     string
		got      string
		update   bool
		wantFail bool
	}{
		{"missing file fails", "a", false, true},
		{"update writes", "a", true, false},
		{"same passes", "a", false, false},
		{"different fails", "b", false, true},
	}
	for _, tt := range tests {
		r := &recorder{TB: t}
		Check(r, path, []byte(tt.got), tt.update)
		if r.failed != tt.wantFail {
			t.Errorf("%s: failed = %v, want %v", tt.name, r.failed, tt.wantFail)
		}
	}
	if b, _ := os.ReadFile(path); string(b) != "a" {
		t.Errorf("file holds %q", b)
	}
}

func TestFirstDiff(t *testing.T) {
	tests := []struct {
		got, want string
		line      int
		g, w      string
	}{
		{"a\nb\nc\n", "a\nx\nc\n", 2, "b", "x"},
		{"a\nb", "a\nb\nc", 3, "", "c"},
		{"a\nb\nc", "a", 2, "b", ""},
		{"", "a", 1, "", "a"},
	}
	for _, tt := range tests {
		line, g, w := firstDiff([]byte(tt.got), []byte(tt.want))
		if line != tt.line || g != tt.g || w != tt.w {
			t.Errorf("firstDiff(%q, %q) = %d, %q, %q; want %d, %q, %q", tt.got, tt.want, line, g, w, tt.line, tt.g, tt.w)
		}
	}
}
