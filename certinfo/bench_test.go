package certinfo

import "testing"

func BenchmarkParse(b *testing.B) {
	for _, name := range []string{"cucm-multiserver-rsa", "openssl-explicit-ec"} {
		der := readCert(b, name)
		b.Run(name, func(b *testing.B) {
			b.ReportAllocs()
			b.SetBytes(int64(len(der)))
			for b.Loop() {
				Parse(der)
			}
		})
	}
}

func BenchmarkFormatDN(b *testing.B) {
	raw := Parse(readCert(b, "all-short-names")).Cert.RawSubject
	b.ReportAllocs()
	for b.Loop() {
		if _, err := FormatDN(raw); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkCacheGet asks for the same few certificates from parallel
// goroutines, as diagnose does for a capture full of handshakes.
func BenchmarkCacheGet(b *testing.B) {
	ders := [][]byte{readCert(b, "cucm-multiserver-rsa"), readCert(b, "cucm-callmanager"), readCert(b, "ed25519-ca")}
	cache := NewCache(64)
	b.ReportAllocs()
	b.RunParallel(func(pb *testing.PB) {
		i := 0
		for pb.Next() {
			cache.Get(ders[i%len(ders)])
			i++
		}
	})
}
