package tlsdecrypt

import (
	"bytes"
	"errors"
	"slices"
	"strings"
	"testing"
)

const (
	random1  = "0102030405060708091011121314151617181920212223242526272829303132"
	random2  = "a102030405060708091011121314151617181920212223242526272829303132"
	secret48 = "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f202122232425262728292a2b2c2d2e2f"
	secret32 = "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f"
)

// TestKeyLogRead checks what a key log gives and which lines it refuses,
// by number and without quoting them.
func TestKeyLogRead(t *testing.T) {
	tests := []struct {
		name     string
		input    string
		sessions int
		badLines []int
	}{
		{"TLS 1.2", "CLIENT_RANDOM " + random1 + " " + secret48 + "\n", 1, nil},
		{"TLS 1.3, CRLF, comments and unknown labels",
			"# SSL/TLS secrets log file\r\n\r\nCLIENT_HANDSHAKE_TRAFFIC_SECRET " + random2 + " " + secret32 + "\r\n" +
				"SERVER_HANDSHAKE_TRAFFIC_SECRET " + random2 + " " + secret32 + "\r\nEXPORTER_SECRET " + random2 + " " + secret32 + "\r\n" +
				"CLIENT_TRAFFIC_SECRET_0 " + random2 + " " + secret32 + "\r\nSERVER_TRAFFIC_SECRET_0 " + random2 + " " + secret32 + "\r\n", 1, nil},
		{"two sessions, bad lines between", "CLIENT_RANDOM " + random1 + " " + secret48 + "\nhello world\nCLIENT_RANDOM zz " + secret48 +
			"\nCLIENT_RANDOM " + random1 + " " + secret32 + "\nCLIENT_RANDOM " + random1 + "\nCLIENT_RANDOM " + random2 + " " + secret48 + "\n", 2, []int{2, 3, 4, 5}},
		{"screen text", "13:31:51.787879 IP CUCM7-PUB.lab.37448 > cucm8-pub.lab.5061: S\n", 0, []int{1}},
		{"empty", "", 0, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var k KeyLog
			err := k.Read(strings.NewReader(tt.input), "keys.log")
			if k.Len() != tt.sessions {
				t.Errorf("%d sessions, want %d", k.Len(), tt.sessions)
			}
			var lines []int
			for _, e := range unjoin(err) {
				var le *LineError
				if !errors.As(e, &le) || le.File != "keys.log" {
					t.Fatalf("error %v is not a LineError of keys.log", e)
				}
				if strings.Contains(le.Error(), secret48[:16]) || strings.Contains(le.Error(), random1[:16]) {
					t.Errorf("error %q quotes key material", le)
				}
				lines = append(lines, le.Line)
			}
			if !slices.Equal(lines, tt.badLines) {
				t.Errorf("bad lines %v, want %v (%v)", lines, tt.badLines, err)
			}
		})
	}
}

// TestKeyLogLookup checks that each label lands in its field.
func TestKeyLogLookup(t *testing.T) {
	var k KeyLog
	in := "CLIENT_RANDOM " + random1 + " " + secret48 + "\nSERVER_TRAFFIC_SECRET_0 " + random2 + " " + secret32 + "\n"
	if err := k.Read(strings.NewReader(in), "k"); err != nil {
		t.Fatal(err)
	}
	s, ok := k.Lookup(unhex(t, random1))
	if !ok || len(s.MasterSecret) != 48 || s.ServerTraffic != nil {
		t.Errorf("session 1: %v %+v", ok, s)
	}
	s, ok = k.Lookup(unhex(t, random2))
	if !ok || !bytes.Equal(s.ServerTraffic, unhex(t, secret32)) || s.MasterSecret != nil {
		t.Errorf("session 2: %v %+v", ok, s)
	}
	if _, ok := k.Lookup(make([]byte, 32)); ok {
		t.Error("an unknown random was found")
	}
}

// TestKeyLogBounds: a huge line ends the file with one error, and past 10
// bad lines the rest are counted, not listed.
func TestKeyLogBounds(t *testing.T) {
	var k KeyLog
	err := k.Read(strings.NewReader("CLIENT_RANDOM "+random1+" "+secret48+"\n"+strings.Repeat("A", 10000)+"\n"), "big")
	if k.Len() != 1 || len(unjoin(err)) != 1 {
		t.Errorf("%d sessions, errors %v", k.Len(), err)
	}
	k = KeyLog{}
	err = k.Read(strings.NewReader(strings.Repeat("junk line\n", 25)), "junk")
	if errs := unjoin(err); len(errs) != 11 || !strings.Contains(errs[10].Error(), "15 more lines") {
		t.Errorf("errors %v", err)
	}
}

// FuzzKeyLog: any input reads without panicking, every error is a line
// error or the count, and no error quotes the input's hex.
func FuzzKeyLog(f *testing.F) {
	f.Add("CLIENT_RANDOM " + random1 + " " + secret48 + "\n")
	f.Add("# comment\nSERVER_TRAFFIC_SECRET_0 " + random2 + " " + secret32)
	f.Add("CLIENT_RANDOM\n\x00\xff\n")
	f.Fuzz(func(t *testing.T, s string) {
		var k KeyLog
		err := k.Read(strings.NewReader(s), "f")
		for _, e := range unjoin(err) {
			var le *LineError
			if !errors.As(e, &le) && !strings.Contains(e.Error(), "more lines") && !strings.Contains(e.Error(), "sessions;") {
				t.Fatalf("unexpected error %v", e)
			}
		}
	})
}

func unjoin(err error) []error {
	if err == nil {
		return nil
	}
	if j, ok := err.(interface{ Unwrap() []error }); ok {
		return j.Unwrap()
	}
	return []error{err}
}
