package regfile

import (
	"errors"
	"os"
	"path/filepath"
	"testing"
)

func TestOpen(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "a.pcap")
	if err := os.WriteFile(file, []byte("data"), 0o644); err != nil {
		t.Fatal(err)
	}
	f, st, err := Open(file)
	if err != nil {
		t.Fatalf("Open(regular file): %v", err)
	}
	f.Close()
	if st.Size() != 4 {
		t.Errorf("size %d, want 4", st.Size())
	}

	_, _, err = Open(dir)
	var nr *NotRegularError
	if !errors.As(err, &nr) || !nr.Mode.IsDir() || nr.Path != dir {
		t.Errorf("Open(dir) = %v, want a *NotRegularError for a directory", err)
	}

	_, _, err = Open(filepath.Join(dir, "missing"))
	if !errors.Is(err, os.ErrNotExist) {
		t.Errorf("Open(missing) = %v, want ErrNotExist", err)
	}

}
