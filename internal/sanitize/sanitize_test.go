package sanitize

import (
	"bytes"
	"encoding/json"
	"math/rand/v2"
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"
)

func TestEscapeJSON(t *testing.T) {
	tests := []struct {
		name string
		in   string // a Go value, marshalled first
		want string // the escaped JSON
	}{
		{"plain", "cucm7-pub", `"cucm7-pub"`},
		{"c0 escaped by encoding/json", "a\x1bb", `"a\u001bb"`},
		{"del", "a\x7fb", `"a\u007fb"`},
		{"c1 csi", "a\u009bb", `"a\u009bb"`},
		{"invalid utf-8 becomes U+FFFD", "a\x9bb", `"a\ufffdb"`},
		{"rlo", "gpj.\u202eexe", `"gpj.\u202eexe"`},
		{"letters kept", "São Paulo", `"São Paulo"`},
		{"cf beyond the bmp: a surrogate pair", "\U0001343a", `"\ud80d\udc3a"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b, err := json.Marshal(tt.in)
			if err != nil {
				t.Fatal(err)
			}
			got := EscapeJSON(b)
			if string(got) != tt.want {
				t.Errorf("EscapeJSON(%s) = %s, want %s", b, got, tt.want)
			}
			var back string
			if err := json.Unmarshal(got, &back); err != nil {
				t.Fatalf("the escaped JSON does not parse: %v", err)
			}
			if want := fixInvalid(tt.in); back != want {
				t.Errorf("the escaped JSON reads back as %q, want %q", back, want)
			}
		})
	}
}

func TestJSONEscaper(t *testing.T) {
	var out bytes.Buffer
	enc := json.NewEncoder(JSONEscaper(&out))
	if err := enc.Encode(map[string]string{"sni": "x\u009b[2Jy\u202e"}); err != nil {
		t.Fatal(err)
	}
	if want := `{"sni":"x\u009b[2Jy\u202e"}` + "\n"; out.String() != want {
		t.Errorf("got %q, want %q", out.String(), want)
	}
}

// FuzzSanitize checks that Sanitize's output never holds a control
// character, a Cf character or invalid UTF-8, that sanitizing it again
// changes nothing, and that a string without such characters is kept. It
// checks EscapeJSON on the same input too: the result still parses to the
// same value, with no DEL, C1 or Cf character left raw.
func FuzzSanitize(f *testing.F) {
	for _, s := range []string{"", "cucm7-pub.clus1.lab", "\x1b[31m", "\x9b31m", "\u009b", "\u202e", "caf\xc3", "\xc0\x80", "\xed\xa0\x80", "\ufffd", `\x9b`, "São\x00", "cucm\x1b[31m", "abc\x7f", "abc\u202e", "abc\xff"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if want := utf8.ValidString(s) && strings.IndexFunc(s, needsEscape) < 0; clean(s) != want {
			t.Fatalf("clean(%q) = %v, want %v", s, !want, want)
		}
		got := String(s)
		if !utf8.ValidString(got) {
			t.Fatalf("String(%q) = %q: invalid UTF-8", s, got)
		}
		if i := strings.IndexFunc(got, needsEscape); i >= 0 {
			t.Fatalf("String(%q) = %q: raw %U at %d", s, got, []rune(got[i:])[0], i)
		}
		if again := String(got); again != got {
			t.Fatalf("String(%q) = %q, but Sanitize of that is %q", s, got, again)
		}
		if utf8.ValidString(s) && strings.IndexFunc(s, needsEscape) < 0 && got != s {
			t.Fatalf("String(%q) = %q: a safe string was changed", s, got)
		}
		b, err := json.Marshal(s)
		if err != nil {
			t.Fatal(err)
		}
		e := EscapeJSON(b)
		if i := bytes.IndexFunc(e, func(r rune) bool { return unicode.IsControl(r) || unicode.Is(unicode.Cf, r) }); i >= 0 {
			t.Fatalf("EscapeJSON(%s) = %s: raw control or Cf at %d", b, e, i)
		}
		var back string
		if err := json.Unmarshal(e, &back); err != nil || back != fixInvalid(s) {
			t.Fatalf("EscapeJSON(%s) = %s reads back as %q (%v)", b, e, back, err)
		}
	})
}

// fixInvalid is what encoding/json makes of invalid UTF-8: one U+FFFD per
// invalid byte (strings.ToValidUTF8 makes one per run).
func fixInvalid(s string) string {
	var b strings.Builder
	for _, r := range s {
		b.WriteRune(r)
	}
	return b.String()
}

// TestPlainASCII8 checks the word-at-a-time test against a byte loop:
// every byte value at every position, among random plain and high bytes.
func TestPlainASCII8(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	for pos := range 8 {
		for v := range 256 {
			for range 20 {
				var b [8]byte
				for i := range b {
					b[i] = byte(r.IntN(0x7f))
					if r.IntN(4) == 0 {
						b[i] = byte(r.IntN(256))
					}
				}
				b[pos] = byte(v)
				want := true
				for _, c := range b {
					if c >= 0x7f {
						want = false
					}
				}
				if got := plainASCII8(b[:]); got != want {
					t.Fatalf("plainASCII8(% x) = %v, want %v", b, got, want)
				}
			}
		}
	}
}
