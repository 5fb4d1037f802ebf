package corpus

import (
	"os"
	"path/filepath"
	"testing"
)

// TestMustFail is the policy: a missing corpus fails under CI and skips
// elsewhere.
func TestMustFail(t *testing.T) {
	for _, tt := range []struct {
		ci   string
		want bool
	}{{"", false}, {"true", true}, {"1", true}} {
		if got := mustFail(tt.ci); got != tt.want {
			t.Errorf("mustFail(%q) = %v, want %v", tt.ci, got, tt.want)
		}
	}
}

func TestLocation(t *testing.T) {
	root := filepath.FromSlash("/src/siptls")
	abs := filepath.Join(t.TempDir(), "public")
	for _, tt := range []struct{ env, want string }{
		{"", filepath.Join(root, Rel)},
		{abs, abs},
		{"corpus/public", filepath.Join(root, "corpus", "public")},
	} {
		if got := location(root, tt.env); got != tt.want {
			t.Errorf("location(%q, %q) = %q, want %q", root, tt.env, got, tt.want)
		}
	}
}

// recorder is a testing.TB that records how a test would end.
type recorder struct {
	testing.TB
	failed, skipped bool
}

func (r *recorder) Fatalf(string, ...any) { r.failed = true }
func (r *recorder) Skipf(string, ...any)  { r.skipped = true }
func (r *recorder) Helper()               {}

// TestDirMissing points EnvVar at an empty folder and checks that Dir and
// File skip without CI and fail with it.
func TestDirMissing(t *testing.T) {
	t.Setenv(EnvVar, t.TempDir())
	for _, ci := range []string{"", "true"} {
		t.Setenv("CI", ci)
		for name, call := range map[string]func(testing.TB){
			"Dir":  func(tb testing.TB) { Dir(tb) },
			"File": func(tb testing.TB) { File(tb, "x.pcap") },
		} {
			r := &recorder{TB: t}
			call(r)
			if r.failed != (ci != "") || r.skipped != (ci == "") {
				t.Errorf("%s with CI=%q: failed %v, skipped %v", name, ci, r.failed, r.skipped)
			}
		}
	}
}

// TestDirFound points EnvVar at a folder holding expected.tsv and a capture.
func TestDirFound(t *testing.T) {
	dir := t.TempDir()
	for _, f := range []string{"expected.tsv", "a.pcap"} {
		if err := os.WriteFile(filepath.Join(dir, f), nil, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	t.Setenv(EnvVar, dir)
	t.Setenv("CI", "true")
	if got := Dir(t); got != dir {
		t.Errorf("Dir = %q, want %q", got, dir)
	}
	if got := File(t, "a.pcap"); got != filepath.Join(dir, "a.pcap") {
		t.Errorf("File = %q", got)
	}
}
