package jsonenc

import (
	"encoding/json"
	"math"
	"testing"
)

// marshal is what encoding/json writes for v.
func marshal(t testing.TB, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

var stringCases = []string{
	"",
	"plain ASCII, CN=cucm8-pub.clus2.lab",
	`quote " backslash \ slash /`,
	"<script>&amp;</script>",
	"\b\f\n\r\t\x00\x01\x1f\x7f",
	"é ü 日本 🎉",
	"\u2028\u2029\u2027\u202a",
	"\xff\xfe invalid \xc3",
	"\xe2\x80",      // a cut U+2028
	"a\xed\xa0\x80", // a UTF-16 surrogate encoded as UTF-8: invalid
	"\u0085\u200b\ufeff",
}

// blockCases puts each byte AppendString must look at, and its neighbours
// that it must not, at each place of an 8-byte block after a safe one: the
// cases of its eight-bytes-at-a-time path.
func blockCases() []string {
	var cases []string
	for _, c := range []byte("\"\\<>&\x00\x1f\x20\x21\x7f\x80\xe2\xff=?;%'") {
		for i := range 8 {
			block := []byte("01234567abcdefgh89")
			block[8+i] = c
			cases = append(cases, string(block))
		}
	}
	return cases
}

func TestAppendString(t *testing.T) {
	for _, s := range append(stringCases, blockCases()...) {
		if got, want := string(AppendString(nil, s)), marshal(t, s); got != want {
			t.Errorf("AppendString(%q) = %s, json.Marshal = %s", s, got, want)
		}
		if got, want := string(AppendString([]byte("x"), []byte(s))), "x"+marshal(t, s); got != want {
			t.Errorf("AppendString([]byte %q) = %s, want %s", s, got, want)
		}
	}
}

func TestAppendNumbersAndBools(t *testing.T) {
	tests := []struct {
		got  []byte
		want any
	}{
		{AppendInt(nil, int64(math.MinInt64)), int64(math.MinInt64)},
		{AppendInt(nil, -1), -1},
		{AppendUint(nil, uint64(math.MaxUint64)), uint64(math.MaxUint64)},
		{AppendUint(nil, uint8(7)), uint8(7)},
		{AppendBool(nil, true), true},
		{AppendBool(nil, false), false},
		{AppendNull(nil), (*int)(nil)},
	}
	for _, tt := range tests {
		if want := marshal(t, tt.want); string(tt.got) != want {
			t.Errorf("got %s, json.Marshal = %s", tt.got, want)
		}
	}
}

// FuzzAppendString checks AppendString, of a string and of a []byte,
// against json.Marshal on any bytes.
func FuzzAppendString(f *testing.F) {
	for _, s := range append(stringCases, blockCases()...) {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		want := marshal(t, s)
		if got := string(AppendString(nil, s)); got != want {
			t.Fatalf("AppendString(%q) = %s, json.Marshal = %s", s, got, want)
		}
		if got := string(AppendString(nil, []byte(s))); got != want {
			t.Fatalf("AppendString([]byte(%q)) = %s, json.Marshal = %s", s, got, want)
		}
	})
}

// BenchmarkAppendString appends strings like those of siptls's output:
// distinguished names, timeline lines and SIP start lines, mostly safe
// ASCII.
func BenchmarkAppendString(b *testing.B) {
	inputs := []string{
		"CN=cucm8-pub.clus2.lab,OU=Voice Engineering,O=Example Labs,L=Raleigh,ST=North Carolina,C=US",
		"The TLS 1.2 handshake finished in frame 12 and application data flowed both ways (from frame 14).",
		"INVITE sip:3011@10.20.1.21:5061 SIP/2.0",
		"5a3bbbbb-0010c6b2-01cf@10.10.1.11",
		"TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256",
	}
	n := 0
	for _, s := range inputs {
		n += len(s)
	}
	b.SetBytes(int64(n))
	buf := make([]byte, 0, 1024)
	for b.Loop() {
		buf = buf[:0]
		for _, s := range inputs {
			buf = AppendString(buf, s)
		}
	}
}

func TestAppendTyped(t *testing.T) {
	for _, tt := range []struct {
		obj  any
		want string
	}{
		{struct {
			A int `json:"a"`
		}{1}, `{"type":"x","a":1}`},
		{struct{}{}, `{"type":"x"}`},
	} {
		obj, err := json.Marshal(tt.obj)
		if err != nil {
			t.Fatal(err)
		}
		if got := string(AppendTyped([]byte("> "), "x", obj)); got != "> "+tt.want {
			t.Errorf("AppendTyped(%s) = %s, want %s", obj, got, tt.want)
		}
	}
}
