package main

import (
	"bytes"
	"crypto/tls"
	"time"
)

// hrrOutputs are TLS 1.3 sessions with a HelloRetryRequest: the client's only key
// share is X25519, the server accepts P-256 only and asks for it.
func hrrOutputs() []output {
	return []output{
		{name: "ok-tls13-hello-retry-request.pcap", make: func(g *gen) error {
			s := session{
				Client:   end{OpenSSL: g.sslClient("cucm7-pub", []string{"cucm8-sub1"}, "-tls1_3", "-groups", "X25519:P-256")},
				Server:   end{OpenSSL: g.sslServer("cucm8-sub1", []string{"cucm7-pub"}, "-tls1_3", "-groups", "P-256")},
				Dialogue: sipOptions(cucm7pub, cucm8sub1, 34),
			}
			return g.single("ok-tls13-hello-retry-request.pcap", s, out(cucm8sub1, 38955, 75*time.Millisecond, 330),
				expect{OK: true, Cipher: tls.TLS_AES_256_GCM_SHA384},
				okv("TLS 1.3, TLS_AES_256_GCM_SHA384, mutual (CertificateRequest and certificates encrypted, not visible); OpenSSL both ends: the client's key share is X25519 only, the server (-groups P-256) answers HelloRetryRequest, the second ClientHello carries a P-256 key share; OPTIONS / 200 OK"))
		}},
		{name: "fail-tls13-hrr-server-rejects-client.pcap", make: func(g *gen) error {
			// A Go client (CurvePreferences X25519 then P-256: one X25519 key share)
			// to s_server asking for P-256, whose CAfile lacks the client's
			// certificate: after the HelloRetryRequest and the whole handshake, the
			// server rejects the client's certificate with an encrypted alert and closes.
			c := g.goClient("cucm7-pub", "cucm8-sub1")
			c.MinVersion, c.MaxVersion = tls.VersionTLS13, tls.VersionTLS13
			c.CurvePreferences = []tls.CurveID{tls.X25519, tls.CurveP256}
			s := session{
				Client: end{Go: c, App: readFirst},
				Server: end{OpenSSL: g.sslServer("cucm8-sub1", []string{"cucm8-pub", "cucm8-sub2"}, "-tls1_3", "-groups", "P-256")},
			}
			return g.single("fail-tls13-hrr-server-rejects-client.pcap", s, out(cucm8sub1, 38971, 95*time.Millisecond, 331),
				expect{Cipher: tls.TLS_AES_128_GCM_SHA256},
				verdict{"failed", "closed_after_handshake", "TLS 1.3 with HelloRetryRequest (Go client's key share X25519, s_server -groups P-256); the server (OpenSSL, CAfile lacks cucm7-pub) rejects the client's certificate with an encrypted alert after the client's Finished and closes; certificates not visible"})
		}},
		{name: "keylog-tls13-hrr-server-rejects-client.pcap", make: func(g *gen) error {
			// The same with the Go client's key log beside it: behind the
			// HelloRetryRequest, OpenSSL's real alert.
			var keys bytes.Buffer
			c := g.goClient("cucm7-pub", "cucm8-sub1")
			c.MinVersion, c.MaxVersion = tls.VersionTLS13, tls.VersionTLS13
			c.CurvePreferences = []tls.CurveID{tls.X25519, tls.CurveP256}
			c.KeyLogWriter = &keys
			s := session{
				Client: end{Go: c, App: readFirst},
				Server: end{OpenSSL: g.sslServer("cucm8-sub1", []string{"cucm8-pub", "cucm8-sub2"}, "-tls1_3", "-groups", "P-256")},
			}
			const name = "keylog-tls13-hrr-server-rejects-client.pcap"
			if err := g.single(name, s, out(cucm8sub1, 38973, 95*time.Millisecond, 332), expect{Cipher: tls.TLS_AES_128_GCM_SHA256},
				verdict{"failed", "closed_after_handshake", "as fail-tls13-hrr-server-rejects-client, with the client's key log: the server's real alert behind the HelloRetryRequest"}); err != nil {
				return err
			}
			return g.writeKeys(name, keys.Bytes())
		}},
	}
}
