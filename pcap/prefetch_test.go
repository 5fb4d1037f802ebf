package pcap

import (
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"testing"
)

// TestNoPrefetch reads every capture of the repository's testdata, plain,
// gzip-compressed and cut in the middle, with and without Options.NoPrefetch,
// on every port and on the default one (the goroutine reading ahead keeps
// the bytes of tracked segments only): what the Handler is given, the
// CaptureInfo and the error must be the same.
func TestNoPrefetch(t *testing.T) {
	files, err := filepath.Glob(filepath.Join("..", "testdata", "*.pcap*"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no captures in ../testdata (%v)", err)
	}
	files = append(files, filepath.Join("..", "testdata", "sample-cucm-trunk.cap"))
	total := 0
	for _, path := range files {
		plain, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		for _, in := range []struct {
			name string
			b    []byte
		}{
			{"plain", plain},
			{"gzip", gzipBytes(t, plain)},
			{"cut", plain[:len(plain)/2]},
			{"gzip cut", gzipBytes(t, plain)[:len(gzipBytes(t, plain))*2/3]},
		} {
			for _, anyPort := range []bool{true, false} {
				t.Run(fmt.Sprintf("%s/%s/anyPort=%v", filepath.Base(path), in.name, anyPort), func(t *testing.T) {
					read := func(off bool) (*recorder, string) {
						rec := newRecorder()
						info, err := readBytes(t, in.b, Options{Framer: tlsFramer, AnyPort: anyPort, NoPrefetch: off}, rec)
						return rec, fmt.Sprintf("%+v\nerr: %v", *info, err)
					}
					ahead, aheadInfo := read(false)
					inline, inlineInfo := read(true)
					if aheadInfo != inlineInfo {
						t.Errorf("CaptureInfo and error differ:\nprefetch:    %s\nno prefetch: %s", aheadInfo, inlineInfo)
					}
					if !reflect.DeepEqual(ahead.lines, inline.lines) {
						t.Errorf("the Handler was given %d lines with prefetch, %d without, or they differ", len(ahead.lines), len(inline.lines))
					}
					total += len(inline.lines)
				})
			}
		}
	}
	if total < 1000 {
		t.Errorf("the captures gave %d lines in all: too few for the comparison to mean anything", total)
	}
}
