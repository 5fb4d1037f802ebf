package capgen

import (
	"crypto/sha256"
	"errors"
	"hash"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"testing"
)

func TestWriteBench(t *testing.T) {
	tests := []struct {
		name    string
		input   BenchConfig
		wantErr bool
	}{
		{"pcap 2 MB", BenchConfig{Size: 2e6, Seed: 1}, false},
		{"same seed", BenchConfig{Size: 2e6, Seed: 1}, false},
		{"other seed", BenchConfig{Size: 2e6, Seed: 2}, false},
		{"pcapng sll 1 MB", BenchConfig{Size: 1e6, Seed: 1, Options: Options{Format: PCAPNG, Link: SLL}}, false},
		{"tiny", BenchConfig{Size: 1, Seed: 1}, false},
		{"zero size", BenchConfig{}, true},
		{"bad options", BenchConfig{Size: 1e6, Options: Options{VLANs: []uint16{0}}}, true},
	}
	sums := map[string][32]byte{}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := sha256.New()
			st, err := WriteBench(h, tt.input)
			if tt.wantErr {
				var oe *OptionError
				if !errors.As(err, &oe) {
					t.Fatalf("got %v, want an OptionError", err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if st.Connections < 1 || st.Packets < 2 || st.Trunk+st.Phone != st.Connections ||
				st.Failed != st.Alerted+st.Reset+st.Refused {
				t.Fatalf("stats %+v", st)
			}
			if tt.input.Size >= 1e6 {
				if d := float64(st.Bytes)/float64(tt.input.Size) - 1; d < -0.1 || d > 0.1 {
					t.Errorf("%d bytes for %d asked", st.Bytes, tt.input.Size)
				}
				if st.Connections < 10 {
					t.Errorf("too few connections: %+v", st)
				}
			}
			sums[tt.name] = [32]byte(h.Sum(nil))
		})
	}
	if sums["pcap 2 MB"] != sums["same seed"] {
		t.Error("the same seed gave different files")
	}
	if sums["pcap 2 MB"] == sums["other seed"] {
		t.Error("another seed gave the same file")
	}
}

// heapWatcher samples the heap every few megabytes written through it.
type heapWatcher struct {
	hash.Hash
	n, next int64
	peak    uint64
}

func (h *heapWatcher) Write(b []byte) (int, error) {
	h.n += int64(len(b))
	if h.n >= h.next {
		var ms runtime.MemStats
		runtime.ReadMemStats(&ms)
		h.peak = max(h.peak, ms.HeapAlloc)
		h.next = h.n + 4<<20
	}
	return len(b), nil
}

// TestWriteBenchMemory checks that memory stays flat (64 MB of capture with
// far less than 64 MB of heap) and the mix of connections.
func TestWriteBenchMemory(t *testing.T) {
	if testing.Short() {
		t.Skip("short")
	}
	w := &heapWatcher{Hash: sha256.New()}
	st, err := WriteBench(w, BenchConfig{Size: 64 << 20, Seed: 3})
	if err != nil {
		t.Fatal(err)
	}
	// About 1000 connections: each kind must be there, in sensible proportions.
	if st.Connections < 500 || st.Trunk < st.Connections/3 || st.Phone < st.Connections/3 ||
		st.Alerted == 0 || st.Reset == 0 || st.Refused == 0 || st.Failed > st.Trunk/4 {
		t.Errorf("not a realistic mix of connections: %+v", st)
	}
	if w.peak > 24<<20 {
		t.Errorf("peak heap %d MiB while writing 64 MiB", w.peak>>20)
	}
	t.Logf("peak heap %.1f MiB for %d MiB", float64(w.peak)/(1<<20), w.n>>20)
}

// TestWriteBenchTshark checks a small benchmark capture with tshark: every
// connection that reached TLS shows both certificates, checksums are good,
// and tshark finds nothing wrong with the TCP streams.
func TestWriteBenchTshark(t *testing.T) {
	checkBenchTshark(t, BenchConfig{Size: 1.5e6, Seed: 7}, 2)
}

// checkBenchTshark writes a bench file with cfg and checks, if tshark is on
// PATH, that tshark reads every frame, certsPerConn certificates in each
// connection that was not refused, and no bad checksums or TCP anomalies.
func checkBenchTshark(t *testing.T, cfg BenchConfig, certsPerConn int) {
	t.Helper()
	if _, err := exec.LookPath("tshark"); err != nil {
		t.Skip("tshark not on PATH")
	}
	path := filepath.Join(t.TempDir(), "bench.pcap")
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	st, err := WriteBench(f, cfg)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		t.Fatal(err)
	}
	v := runTshark(t, path)
	if v.frames != st.Packets {
		t.Errorf("tshark sees %d frames, written %d", v.frames, st.Packets)
	}
	if want := certsPerConn * (st.Connections - st.Refused); v.certs != want {
		t.Errorf("tshark sees %d certificates, want %d (%+v)", v.certs, want, st)
	}
	if v.badSums != 0 || len(v.flags) != 0 {
		t.Errorf("bad checksums %d, tcp.analysis flags %v", v.badSums, v.flags)
	}
}

func BenchmarkWriteBench(b *testing.B) {
	const size = 20 << 20
	b.SetBytes(size)
	for b.Loop() {
		if _, err := WriteBench(io.Discard, BenchConfig{Size: size, Seed: 1}); err != nil {
			b.Fatal(err)
		}
	}
}
