package regfile_test

import (
	"errors"
	"fmt"
	"io/fs"

	"github.com/siptls/siptls/internal/regfile"
)

func ExampleOpen() {
	// "." is this package's folder: refused, never opened for reading.
	_, _, err := regfile.Open(".")
	if nr, ok := errors.AsType[*regfile.NotRegularError](err); ok {
		fmt.Println(nr.Mode.IsDir(), err)
	}

	f, st, err := regfile.Open("regfile.go")
	if err != nil {
		panic(err)
	}
	defer f.Close()
	fmt.Println(st.Name(), st.Mode().IsRegular())

	_, _, err = regfile.Open("missing.go")
	fmt.Println(errors.Is(err, fs.ErrNotExist))
	// Output:
	// true . is a directory
	// regfile.go true
	// true
}

func ExampleKind() {
	for _, m := range []fs.FileMode{fs.ModeNamedPipe, fs.ModeSocket, fs.ModeDevice | fs.ModeCharDevice, fs.ModeDevice, fs.ModeDir} {
		fmt.Println(regfile.Kind(m))
	}
	// Output:
	// a named pipe
	// a socket
	// a character device
	// a block device
	// a directory
}
