package capgen

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"testing"

	"golang.org/x/crypto/cryptobyte"
)

// TestDenseTranscripts re-records benchdata/dense.json.gz with -update, and
// otherwise checks that the embedded dense transcripts are whole TLS 1.2
// handshakes in which each side sends a 4-certificate chain (failed ones
// end in an alert).
func TestDenseTranscripts(t *testing.T) {
	ts, recorded := testTranscripts(t, "dense.json.gz", recordDenseTranscripts, loadDenseTranscripts)
	if recorded {
		return
	}
	if want := (denseTrunks - 1 + densePhones) * densePerPeer; len(ts) != want {
		t.Fatalf("%d transcripts, want %d", len(ts), want)
	}
	for _, tr := range ts {
		t.Run(tr.Name, func(t *testing.T) {
			chains, alerts := certificateChains(t, tr.Writes)
			if len(chains) != 2 || chains[0] != 4 || chains[1] != 4 {
				t.Errorf("certificate chains %v, want [4 4] (server, client)", chains)
			}
			if tr.Failed != (alerts > 0) {
				t.Errorf("failed %v but %d alerts", tr.Failed, alerts)
			}
		})
	}
}

// certificateChains returns the length of the certificate_list of each
// plaintext Certificate message in ws, in order, and the number of alert
// records. Like TestBenchTranscripts it relies on crypto/tls starting each
// Certificate message in a record of its own.
func certificateChains(t *testing.T, ws []write) (chains []int, alerts int) {
	t.Helper()
	eachRecord(t, ws, func(w write, typ uint8, _ uint16, body cryptobyte.String) {
		if typ == 21 {
			alerts++
		}
		if typ != 22 || len(body) == 0 || body[0] != 11 {
			return
		}
		var msgType uint8
		var msg, list cryptobyte.String
		if !body.ReadUint8(&msgType) || !body.ReadUint24LengthPrefixed(&msg) || !msg.ReadUint24LengthPrefixed(&list) || !msg.Empty() {
			t.Fatalf("side %d: bad Certificate message", w.Side)
		}
		n := 0
		for !list.Empty() {
			var cert cryptobyte.String
			if !list.ReadUint24LengthPrefixed(&cert) || cert.Empty() {
				t.Fatalf("side %d: bad certificate_list", w.Side)
			}
			n++
		}
		chains = append(chains, n)
	})
	return chains, alerts
}

// TestWriteBenchDense checks the dense shape's properties: 70+ connections
// per MB, about 5 % failing (each kind present), phones and trunks, the size
// asked for, and the same file for the same seed.
func TestWriteBenchDense(t *testing.T) {
	tests := []struct {
		name  string
		input BenchConfig
	}{
		{"dense 4 MB", BenchConfig{Size: 4e6, Seed: 1, Shape: ShapeDense}},
		{"same seed", BenchConfig{Size: 4e6, Seed: 1, Shape: ShapeDense}},
		{"other seed", BenchConfig{Size: 4e6, Seed: 2, Shape: ShapeDense}},
		{"pcapng sll", BenchConfig{Size: 2e6, Seed: 1, Shape: ShapeDense, Options: Options{Format: PCAPNG, Link: SLL}}},
	}
	sums := map[string][32]byte{}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := sha256.New()
			st, err := WriteBench(h, tt.input)
			if err != nil {
				t.Fatal(err)
			}
			sums[tt.name] = [32]byte(h.Sum(nil))
			if d := float64(st.Bytes)/float64(tt.input.Size) - 1; d < -0.1 || d > 0.1 {
				t.Errorf("%d bytes for %d asked", st.Bytes, tt.input.Size)
			}
			perMB := float64(st.Connections) / (float64(st.Bytes) / 1e6)
			share := float64(st.Failed) / float64(st.Connections)
			t.Logf("%.1f connections/MB, %.1f %% failed, %d open at most, %+v", perMB, 100*share, st.MaxOpen, st)
			if perMB < 70 {
				t.Errorf("%.1f connections per MB, want at least 70", perMB)
			}
			if st.Failed != st.Connections/20 {
				t.Errorf("%d of %d failed (%.1f %%), want one in 20", st.Failed, st.Connections, 100*share)
			}
			if st.Alerted == 0 || st.Reset == 0 || st.Refused == 0 || st.Trunk < st.Connections/3 || st.Phone < st.Connections/4 ||
				st.Trunk+st.Phone != st.Connections || st.Failed != st.Alerted+st.Reset+st.Refused {
				t.Errorf("not the dense mix: %+v", st)
			}
		})
	}
	if sums["dense 4 MB"] != sums["same seed"] {
		t.Error("the same seed gave different files")
	}
	if sums["dense 4 MB"] == sums["other seed"] {
		t.Error("another seed gave the same file")
	}
}

// TestWriteBenchRate checks -rate: connections start at the rate asked for,
// so that at 120 per second many more are open at once than at the dense
// default, with the same mix.
func TestWriteBenchRate(t *testing.T) {
	var open [2]int
	for i, rate := range []float64{0, 120} {
		st, err := WriteBench(sha256.New(), BenchConfig{Size: 24e6, Seed: 4, Shape: ShapeDense, Rate: rate})
		if err != nil {
			t.Fatal(err)
		}
		want := rate
		if want == 0 {
			want = DefaultDenseRate
		}
		got := float64(st.Connections-1) / st.Span.Seconds()
		t.Logf("rate %v: %.1f connections/s, %d open at most, %+v", rate, got, st.MaxOpen, st)
		if got < 0.9*want || got > 1.1*want {
			t.Errorf("rate %v: %.1f connections per second, want %v", rate, got, want)
		}
		open[i] = st.MaxOpen
	}
	// A 24 MB file is shorter than the steady state (4 times as many open at
	// 120/s as at 30/s); it still shows the growth.
	if 2*open[1] < 3*open[0] {
		t.Errorf("at most %d open at 120/s, %d at the default: want far more", open[1], open[0])
	}
}

// TestWriteBenchOptions checks the shape and rate options' errors.
func TestWriteBenchOptions(t *testing.T) {
	for _, cfg := range []BenchConfig{
		{Size: 1e6, Shape: Shape(9)},
		{Size: 1e6, Rate: -1},
	} {
		var oe *OptionError
		if _, err := WriteBench(sha256.New(), cfg); !errors.As(err, &oe) {
			t.Errorf("%+v: got %v, want an OptionError", cfg, err)
		}
	}
	if ShapeTrunk.String() != "trunk" || ShapeDense.String() != "dense" {
		t.Error("shape names")
	}
}

// TestWriteBenchTrunkUnchanged pins the default shape's output: the SHA-256 of
// mkbench -size 2MB -seed 1 as written before the dense shape was added
// (commit 3e3e7dd), so that benchmark figures stay comparable.
func TestWriteBenchTrunkUnchanged(t *testing.T) {
	const want = "179371e7207f6090af23103a7f03349edaeacd887634e1cf0cecf0d623386e41"
	h := sha256.New()
	if _, err := WriteBench(h, BenchConfig{Size: 2e6, Seed: 1}); err != nil {
		t.Fatal(err)
	}
	if got := hex.EncodeToString(h.Sum(nil)); got != want {
		t.Errorf("trunk shape's SHA-256 %s, want %s", got, want)
	}
}

// TestWriteBenchDenseTshark checks a small dense capture with tshark: every
// connection that reached TLS shows both 4-certificate chains, checksums are
// good, and tshark finds nothing wrong with the TCP streams.
func TestWriteBenchDenseTshark(t *testing.T) {
	checkBenchTshark(t, BenchConfig{Size: 1e6, Seed: 7, Shape: ShapeDense}, 8)
}
