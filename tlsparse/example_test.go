package tlsparse_test

import (
	"fmt"

	"github.com/siptls/siptls/tlsparse"
	"golang.org/x/crypto/cryptobyte"
)

// This example frames a byte stream into records, reassembles the handshake
// messages and prints what a ClientHello offers, then reads an alert.
func Example() {
	// A ClientHello for TLS 1.2 with SNI, split over two records, then a
	// fatal alert, as one direction of a TCP stream.
	var hello cryptobyte.Builder
	hello.AddUint8(uint8(tlsparse.TypeClientHello))
	hello.AddUint24LengthPrefixed(func(b *cryptobyte.Builder) {
		b.AddUint16(uint16(tlsparse.VersionTLS12))
		b.AddBytes(make([]byte, 32)) // random
		b.AddUint8(0)                // empty legacy_session_id
		b.AddUint16LengthPrefixed(func(b *cryptobyte.Builder) {
			b.AddUint16(uint16(tlsparse.TLS_RSA_WITH_AES_128_CBC_SHA))
		})
		b.AddUint8LengthPrefixed(func(b *cryptobyte.Builder) { b.AddUint8(0) })
		b.AddUint16LengthPrefixed(func(b *cryptobyte.Builder) {
			b.AddUint16(uint16(tlsparse.ExtServerName))
			b.AddUint16LengthPrefixed(func(b *cryptobyte.Builder) {
				b.AddUint16LengthPrefixed(func(b *cryptobyte.Builder) {
					b.AddUint8(0) // host_name
					b.AddUint16LengthPrefixed(func(b *cryptobyte.Builder) { b.AddBytes([]byte("cucm-pub.example.com.")) })
				})
			})
		})
	})
	msg := hello.BytesOrPanic()
	var stream []byte
	for _, frag := range [][]byte{msg[:20], msg[20:]} {
		stream = append(stream, 22, 3, 1, byte(len(frag)>>8), byte(len(frag)))
		stream = append(stream, frag...)
	}
	stream = append(stream, 21, 3, 3, 0, 2, 2, 48)

	var defrag tlsparse.Defragmenter
	for len(stream) > 0 {
		n := tlsparse.RecordLen(stream)
		if n <= 0 || n > len(stream) {
			break // a real caller waits for more bytes or gives up
		}
		rec, err := tlsparse.ParseRecord(stream[:n])
		stream = stream[n:]
		if err != nil {
			fmt.Println(err)
			continue
		}
		switch rec.Type {
		case tlsparse.ContentHandshake:
			msgs, err := defrag.Add(rec.Fragment)
			if err != nil {
				fmt.Println(err)
				return
			}
			for _, m := range msgs {
				parsed, err := tlsparse.ParseHandshake(m, 0)
				if err != nil {
					fmt.Println(err)
					continue
				}
				if ch, ok := parsed.(*tlsparse.ClientHello); ok {
					fmt.Println(ch.HandshakeType(), ch.MaxVersion(), ch.ServerName, ch.CipherSuites)
					for _, f := range ch.Findings {
						fmt.Println("finding:", f.Code)
					}
				}
			}
		case tlsparse.ContentAlert:
			a, err := tlsparse.ParseAlert(rec.Fragment)
			if err != nil {
				fmt.Println(err)
				continue
			}
			fmt.Println("alert:", a)
		}
	}
	// Output:
	// ClientHello TLS 1.2 cucm-pub.example.com. [TLS_RSA_WITH_AES_128_CBC_SHA]
	// finding: sni_trailing_dot
	// alert: fatal unknown_ca
}
