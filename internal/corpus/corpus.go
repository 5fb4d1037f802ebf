// Package corpus finds the public capture corpus for tests: the captures
// written by other projects, with tshark's view of every certificate in
// expected.tsv, kept in ../shared/captures/public beside the module root and
// never copied into the repository (their licences vary).
//
// Tests find it relative to the module root, wherever the checkout is, or
// where the SIPTLS_PUBLIC_CORPUS environment variable says (an absolute
// path, or one relative to the module root). When it is missing a test is
// skipped, except under CI (the CI environment variable set), where a
// missing corpus is a failure: CI must not pass without running the
// comparisons.
package corpus

import (
	"os"
	"path/filepath"
	"testing"
)

// Rel is the corpus directory relative to the module root.
const Rel = "../shared/captures/public"

// EnvVar names the environment variable that overrides Rel.
const EnvVar = "SIPTLS_PUBLIC_CORPUS"

// Dir returns the corpus directory, or skips (fails under CI) when it is
// not there.
func Dir(t testing.TB) string {
	t.Helper()
	root, err := moduleRoot()
	if err != nil {
		missing(t, err.Error())
		return ""
	}
	dir := location(root, os.Getenv(EnvVar))
	if _, err := os.Stat(filepath.Join(dir, "expected.tsv")); err != nil {
		missing(t, err.Error())
	}
	return dir
}

// File returns the path of one corpus file, or skips (fails under CI) when
// the corpus or the file is not there.
func File(t testing.TB, name string) string {
	t.Helper()
	path := filepath.Join(Dir(t), name)
	if _, err := os.Stat(path); err != nil {
		missing(t, err.Error())
	}
	return path
}

// location is the corpus directory: env (the value of EnvVar) if set,
// relative to root unless absolute, otherwise Rel from root.
func location(root, env string) string {
	switch {
	case env == "":
		return filepath.Join(root, Rel)
	case filepath.IsAbs(env):
		return env
	}
	return filepath.Join(root, env)
}

// mustFail reports whether a missing corpus fails the test rather than
// skipping it: it does when ci, the value of the CI environment variable,
// is set.
func mustFail(ci string) bool { return ci != "" }

func missing(t testing.TB, why string) {
	t.Helper()
	if mustFail(os.Getenv("CI")) {
		t.Fatalf("public capture corpus missing under CI (want %s beside the module root, or $%s): %s", Rel, EnvVar, why)
		return
	}
	t.Skipf("public capture corpus not available (%s beside the module root, or $%s): %s", Rel, EnvVar, why)
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
