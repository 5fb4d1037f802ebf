// Package golden compares test output with golden files, the way
// go/printer's tests do: with update set (each package's -update flag), the
// output is written to the file instead, and the diff is reviewed in git.
package golden

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"
)

// Check compares got with the content of the file at path. With update, it
// writes got to path (creating its folder) and passes.
func Check(t testing.TB, path string, got []byte, update bool) {
	t.Helper()
	if update {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run the test with -update to create it)", err)
	}
	if !bytes.Equal(got, want) {
		line, g, w := firstDiff(got, want)
		t.Errorf("output differs from %s at line %d (run the test with -update and review the diff):\n got: %q\nwant: %q", path, line, g, w)
	}
}

// firstDiff returns the first line (counted from 1) where got and want
// differ, and that line of each; a line past the end of one is "".
func firstDiff(got, want []byte) (line int, g, w string) {
	gl, wl := bytes.Split(got, []byte("\n")), bytes.Split(want, []byte("\n"))
	for i := 0; ; i++ {
		if i < len(gl) {
			g = string(gl[i])
		} else {
			g = ""
		}
		if i < len(wl) {
			w = string(wl[i])
		} else {
			w = ""
		}
		if g != w || i >= len(gl) || i >= len(wl) {
			return i + 1, g, w
		}
	}
}
