package tlsparse

import (
	"bytes"
	"errors"
	"slices"
	"testing"
)

func TestRecordLen(t *testing.T) {
	tests := []struct {
		name  string
		input []byte
		want  int
	}{
		{name: "empty", input: nil, want: 0},
		{name: "one plausible byte", input: []byte{22}, want: 0},
		{name: "four plausible bytes", input: []byte{22, 3, 1, 0}, want: 0},
		{name: "handshake", input: []byte{22, 3, 1, 0x01, 0x00}, want: 5 + 256},
		{name: "alert, SSL 3.0", input: []byte{21, 3, 0, 0, 2, 2, 40}, want: 7},
		{name: "heartbeat", input: []byte{24, 3, 3, 0, 3}, want: 8},
		{name: "zero length", input: []byte{23, 3, 3, 0, 0}, want: 5},
		{name: "maximum length", input: []byte{23, 3, 3, 0x48, 0x00}, want: 5 + MaxRecordLength},
		{name: "one over maximum", input: []byte{23, 3, 3, 0x48, 0x01}, want: -1},
		{name: "content type 19", input: []byte{19, 3, 1, 0, 1}, want: -1},
		{name: "content type 25", input: []byte{25, 3, 3, 0, 1}, want: -1},
		{name: "major version 2", input: []byte{22, 2, 0, 0, 1}, want: -1},
		{name: "minor version 5", input: []byte{22, 3, 5, 0, 1}, want: -1},
		{name: "plaintext SIP, first byte decides", input: []byte("I"), want: -1},
		{name: "plaintext SIP", input: []byte("INVITE sip:1000@cucm SIP/2.0\r\n"), want: -1},
		{name: "SSLv2 ClientHello is not a TLS record", input: []byte{0x80, 0x2e, 1, 3, 1}, want: -1},
		{name: "bad second byte with 2 bytes", input: []byte{22, 0}, want: -1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := RecordLen(tt.input); got != tt.want {
				t.Errorf("RecordLen(% x) = %d, want %d", tt.input, got, tt.want)
			}
		})
	}
}

func TestParseRecord(t *testing.T) {
	tests := []struct {
		name    string
		input   []byte
		want    Record
		wantErr error
	}{
		{name: "alert", input: []byte{21, 3, 3, 0, 2, 2, 48}, want: Record{Type: ContentAlert, Version: VersionTLS12, Fragment: []byte{2, 48}}},
		{name: "empty application data", input: []byte{23, 3, 3, 0, 0}, want: Record{Type: ContentApplicationData, Version: VersionTLS12, Fragment: []byte{}}},
		{name: "short header", input: []byte{22, 3, 1}, wantErr: ErrTruncated},
		{name: "short fragment", input: []byte{22, 3, 1, 0, 3, 1}, wantErr: ErrTruncated},
		{name: "trailing bytes", input: []byte{20, 3, 3, 0, 1, 1, 22}, wantErr: ErrTrailingBytes},
		{name: "not a record", input: []byte("HTTP/1.1"), wantErr: ErrNotRecord},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ParseRecord(tt.input)
			if tt.wantErr != nil {
				var pe *ParseError
				if !errors.Is(err, tt.wantErr) || !errors.As(err, &pe) || pe.Type != 0 {
					t.Fatalf("err = %v, want %v in a *ParseError with Type 0", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got.Type != tt.want.Type || got.Version != tt.want.Version || !bytes.Equal(got.Fragment, tt.want.Fragment) {
				t.Errorf("got %+v, want %+v", got, tt.want)
			}
		})
	}
}

func TestDefragmenter(t *testing.T) {
	a := reframe(byte(TypeServerHello), []byte{1, 2, 3})
	b := reframe(byte(TypeServerHelloDone), nil)
	c := reframe(byte(TypeCertificate), bytes.Repeat([]byte{7}, 40000))
	stream := slices.Concat(a, b, c)
	tests := []struct {
		name      string
		max       int
		fragments [][]byte
		want      [][]byte
		pending   int
		wantErr   error
	}{
		{name: "one message per record", fragments: [][]byte{a, b}, want: [][]byte{a, b}},
		{name: "several messages in one record", fragments: [][]byte{slices.Concat(a, b)}, want: [][]byte{a, b}},
		{name: "header split", fragments: [][]byte{a[:2], a[2:]}, want: [][]byte{a}},
		{name: "message over three records", fragments: [][]byte{c[:16384], c[16384:32768], c[32768:]}, want: [][]byte{c}},
		{name: "end of one and start of next", fragments: [][]byte{a[:5], slices.Concat(a[5:], b, c[:10])}, want: [][]byte{a, b}, pending: 10},
		{name: "incomplete", fragments: [][]byte{c[:100]}, pending: 100},
		{name: "over Max", max: 1000, fragments: [][]byte{slices.Concat(a, c[:10])}, want: [][]byte{a}, wantErr: ErrTooLarge},
		{name: "exactly Max", max: 40000, fragments: [][]byte{c}, want: [][]byte{c}},
		{name: "zero Max means 1 MiB", fragments: [][]byte{{1, 0x10, 0, 1}}, wantErr: ErrTooLarge},
		{name: "empty fragment", fragments: [][]byte{{}}, pending: 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d := Defragmenter{Max: tt.max}
			var got [][]byte
			var err error
			for _, f := range tt.fragments {
				var msgs [][]byte
				msgs, err = d.Add(f)
				got = append(got, msgs...)
				if err != nil {
					break
				}
			}
			if !errors.Is(err, tt.wantErr) {
				t.Fatalf("err = %v, want %v", err, tt.wantErr)
			}
			if !slices.EqualFunc(got, tt.want, bytes.Equal) {
				t.Errorf("got %d messages, want %d", len(got), len(tt.want))
			}
			if tt.wantErr == nil && d.Pending() != tt.pending {
				t.Errorf("Pending = %d, want %d", d.Pending(), tt.pending)
			}
			if tt.wantErr != nil {
				if _, err2 := d.Add(a); !errors.Is(err2, tt.wantErr) {
					t.Errorf("after the error, Add returned %v", err2)
				}
			}
		})
	}

	// Every split of the stream into two fragments gives the same messages.
	// A message assembled across the split is the Defragmenter's own
	// bytes: clearing the fragments leaves it whole.
	for i := 0; i <= len(stream); i += 97 {
		var d Defragmenter
		buf := slices.Clone(stream)
		m1, err1 := d.Add(buf[:i])
		m2, err2 := d.Add(buf[i:])
		if err1 != nil || err2 != nil {
			t.Fatalf("split %d: %v %v", i, err1, err2)
		}
		got := append(m1, m2...)
		if !slices.EqualFunc(got, [][]byte{a, b, c}, bytes.Equal) || d.Pending() != 0 {
			t.Fatalf("split %d: got %d messages, pending %d", i, len(got), d.Pending())
		}
		spanning := -1 // the message the split falls inside, if any
		for j, end := 0, 0; j < 3; j++ {
			start := end
			end += len([][]byte{a, b, c}[j])
			if start < i && i < end {
				spanning = j
			}
		}
		clear(buf)
		if spanning >= 0 && !bytes.Equal(got[spanning], [][]byte{a, b, c}[spanning]) {
			t.Fatalf("split %d: message %d, assembled from both fragments, changed with them", i, spanning)
		}
	}
}

func TestParseAlert(t *testing.T) {
	tests := []struct {
		name    string
		input   []byte
		want    string
		wantErr error
	}{
		{name: "fatal unknown_ca", input: []byte{2, 48}, want: "fatal unknown_ca"},
		{name: "warning close_notify", input: []byte{1, 0}, want: "warning close_notify"},
		{name: "SSLv3 no_certificate", input: []byte{1, 41}, want: "warning no_certificate"},
		{name: "unknown values", input: []byte{3, 250}, want: "unknown(3) unknown(250)"},
		{name: "encrypted", input: make([]byte, 26), wantErr: ErrEncryptedAlert},
		{name: "one byte", input: []byte{2}, wantErr: ErrEncryptedAlert},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ParseAlert(tt.input)
			if !errors.Is(err, tt.wantErr) {
				t.Fatalf("err = %v, want %v", err, tt.wantErr)
			}
			if err == nil && got.String() != tt.want {
				t.Errorf("got %q, want %q", got, tt.want)
			}
		})
	}
}

func TestParseErrorMessage(t *testing.T) {
	_, err := ParseHandshake([]byte{1, 0, 0, 2, 3, 3}, 0)
	want := "tlsparse: ClientHello: random at offset 6: truncated"
	if err == nil || err.Error() != want {
		t.Errorf("err = %v, want %q", err, want)
	}
	_, err = ParseRecord([]byte{22, 3, 1, 0, 9})
	want = "tlsparse: record fragment at offset 5: truncated"
	if err == nil || err.Error() != want {
		t.Errorf("err = %v, want %q", err, want)
	}
}
