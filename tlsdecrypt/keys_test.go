package tlsdecrypt

import (
	"crypto/sha256"
	"encoding/hex"
	"testing"
)

func unhex(t *testing.T, s string) []byte {
	t.Helper()
	b, err := hex.DecodeString(s)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// TestExpandLabelRFC8448 checks the TLS 1.3 traffic keys and IVs against
// RFC 8448 section 3 (Simple 1-RTT Handshake, TLS_AES_128_GCM_SHA256).
func TestExpandLabelRFC8448(t *testing.T) {
	tests := []struct {
		name, secret, key, iv string
	}{
		{"server handshake", "b67b7d690cc16c4e75e54213cb2d37b4e9c912bcded9105d42befd59d391ad38", "3fce516009c21727d0f2e4e86ee403bc", "5d313eb2671276ee13000b30"},
		{"client handshake", "b3eddb126e067f35a780b3abf45e2d8f3b1a950738f52e9600746a0e27a55a21", "dbfaa693d1762c5b666af5d950258d01", "5bd3c71b836e0b76bb73265f"},
		{"client application", "9e40646ce79a7f9dc05af8889bce6552875afa0b06df0087f792ebb7c17504a5", "17422dda596ed5d9acd890e3c63f5051", "5b78923dee08579033e523d9"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			secret := unhex(t, tt.secret)
			key, err := expandLabel(sha256.New, secret, "key", 16)
			if err != nil {
				t.Fatal(err)
			}
			iv, err := expandLabel(sha256.New, secret, "iv", 12)
			if err != nil {
				t.Fatal(err)
			}
			if hex.EncodeToString(key) != tt.key || hex.EncodeToString(iv) != tt.iv {
				t.Errorf("key %x iv %x, want %s %s", key, iv, tt.key, tt.iv)
			}
		})
	}
}

// TestPRF12 checks the TLS 1.2 PRF with SHA-256 against the test vector
// published for it (IETF TLS mailing list, "TLS 1.2 PRF test vectors",
// used by NSS, Go and OpenSSL test suites).
func TestPRF12(t *testing.T) {
	secret := unhex(t, "9bbe436ba940f017b17652849a71db35")
	seed := unhex(t, "a0ba9f936cda311827a6f796ffd5198c")
	want := "e3f229ba727be17b8d122620557cd453c2aab21d07c3d495329b52d4e61edb5a6b301791e90d35c9c9a46b4e14baf9af0fa022f7077def17abfd3797c0564bab4fbc91666e9def9b97fce34f796789baa48082d122ee42c5a72e5a5110fff70187347b66"
	got := prf12(sha256.New, secret, "test label", seed, 100)
	if hex.EncodeToString(got) != want {
		t.Errorf("PRF = %x\nwant %s", got, want)
	}
}

// FuzzOpen: any record, under any suite's key, opens or fails with an
// error; it never panics.
func FuzzOpen(f *testing.F) {
	f.Add(uint16(0xc02b), uint16(0x0303), []byte{0, 1, 2, 3, 4, 5, 6, 7, 8})
	f.Add(uint16(0x002f), uint16(0x0301), make([]byte, 48))
	f.Add(uint16(0xc009), uint16(0x0302), make([]byte, 64))
	f.Add(uint16(0x1303), uint16(0x0303), make([]byte, 17))
	f.Add(uint16(0xcca8), uint16(0x0303), make([]byte, 16))
	master := make([]byte, 48)
	random := make([]byte, 32)
	f.Fuzz(func(t *testing.T, id, version uint16, fragment []byte) {
		var d *Decrypter
		var err error
		if s, ok := suites[id]; ok && s.tls13 {
			d, err = NewTLS13(id, master[:32])
		} else {
			d, err = NewTLS12(id, version, master, random, random, Server, version&1 == 0)
		}
		if err != nil {
			return
		}
		for range 2 {
			if plain, _, err := d.Open(23, 0x0303, fragment); err == nil && len(plain) > len(fragment) {
				t.Fatalf("plaintext longer than the record")
			}
		}
	})
}
