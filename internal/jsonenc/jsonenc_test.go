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

func TestAppendString(t *testing.T) {
	for _, s := range stringCases {
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

// FuzzAppendString checks AppendString against json.Marshal on any bytes.
func FuzzAppendString(f *testing.F) {
	for _, s := range stringCases {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if got, want := string(AppendString(nil, s)), marshal(t, s); got != want {
			t.Fatalf("AppendString(%q) = %s, json.Marshal = %s", s, got, want)
		}
	})
}
