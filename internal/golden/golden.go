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
		t.Errorf("output differs from %s (run the test with -update and review the diff)\n--- got:\n%s\n--- want:\n%s", path, got, want)
	}
}
