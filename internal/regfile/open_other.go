//go:build !(linux || darwin || freebsd || netbsd || openbsd || dragonfly)

package regfile

import "os"

// openNoBlock opens path read-only; a path that is not a regular file is
// refused before it is opened, as this system has no non-blocking open.
func openNoBlock(path string) (*os.File, error) {
	if st, err := os.Stat(path); err == nil && !st.Mode().IsRegular() && !st.IsDir() {
		return nil, &os.PathError{Op: "open", Path: path, Err: errNotRegular}
	}
	return os.Open(path)
}

func setBlocking(*os.File) error { return nil }
