package main

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/siptls/siptls/internal/capgen"
)

func TestRun(t *testing.T) {
	dir := t.TempDir()
	write := func(name string, cfg capgen.BenchConfig) (string, capgen.BenchStats) {
		t.Helper()
		var buf bytes.Buffer
		st, err := capgen.WriteBench(&buf, cfg)
		if err != nil {
			t.Fatal(err)
		}
		path := filepath.Join(dir, name)
		if err := os.WriteFile(path, buf.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
		return path, st
	}
	pcapFile, st := write("a.pcap", capgen.BenchConfig{Size: 300e3, Seed: 1, Shape: capgen.ShapeDense})
	ngFile, ngSt := write("b.pcapng", capgen.BenchConfig{Size: 200e3, Seed: 2, Options: capgen.Options{Format: capgen.PCAPNG}})
	sllFile, _ := write("c.pcap", capgen.BenchConfig{Size: 50e3, Seed: 1, Options: capgen.Options{Link: capgen.SLL}})
	tests := []struct {
		name     string
		args     []string
		wantCode int
		wantOut  []string // substrings of stdout
		wantErr  string   // substring of stderr
	}{
		{"pcap", []string{pcapFile}, 0, []string{countLine(st.Packets), fmt.Sprintf(" %d syn\n", st.Connections)}, ""},
		{"pcapng", []string{ngFile}, 0, []string{countLine(ngSt.Packets)}, ""},
		{"two files", []string{pcapFile, ngFile}, 0, []string{"a.pcap: ", "b.pcapng: "}, ""},
		{"no args", nil, 2, nil, "usage"},
		{"missing", []string{filepath.Join(dir, "nope")}, 2, nil, "no such file"},
		{"link type", []string{sllFile}, 2, nil, "neither Ethernet"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var stdout, stderr bytes.Buffer
			code := run(tt.args, &stdout, &stderr)
			ok := code == tt.wantCode && strings.Contains(stderr.String(), tt.wantErr)
			for _, w := range tt.wantOut {
				ok = ok && strings.Contains(stdout.String(), w)
			}
			if !ok {
				t.Fatalf("code %d, stdout %q, stderr %q", code, stdout.String(), stderr.String())
			}
		})
	}
}

// countLine is the line decodefloor prints for a benchmark capture: every
// packet is TCP and each connection starts with one SYN.
func countLine(packets int) string {
	return fmt.Sprintf(": %d packets, %d tcp, ", packets, packets)
}
