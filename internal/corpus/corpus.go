// Package corpus finds the public capture corpus for tests: the captures
// written by other projects, with tshark's view of every certificate in
// expected.tsv, kept in ../shared/captures/public beside the module root and
// never copied into the repository (their licences vary).
//
// Tests find it relative to the module root, wherever the checkout is. When
// it is missing a test is skipped, except under CI (the CI environment
// variable set), where a missing corpus is a failure: CI must not pass
// without running the comparisons.
package corpus

import (
	"os"
	"path/filepath"
	"testing"
)

// Rel is the corpus directory relative to the module root.
const Rel = "../shared/captures/public"

// Dir returns the corpus directory, or skips (fails under CI) when it is
// not there.
func Dir(t testing.TB) string {
	t.Helper()
	root, err := moduleRoot()
	if err != nil {
		missing(t, err.Error())
	}
	dir := filepath.Join(root, Rel)
	if _, err := os.Stat(filepath.Join(dir, "expected.tsv")); err != nil {
		missing(t, err.Error())
	}
	return dir
}

// File returns the path of one corpus file, as Dir.
func File(t testing.TB, name string) string {
	t.Helper()
	return filepath.Join(Dir(t), name)
}

func missing(t testing.TB, why string) {
	t.Helper()
	if os.Getenv("CI") != "" {
		t.Fatalf("public capture corpus missing under CI (want %s beside the module root): %s", Rel, why)
	}
	t.Skipf("public capture corpus not available: %s", why)
}

// moduleRoot walks up from the working directory to the directory holding
// go.mod.
func moduleRoot() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", os.ErrNotExist
		}
		dir = parent
	}
}
