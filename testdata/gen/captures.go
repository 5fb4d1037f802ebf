package main

import (
	"bytes"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"fmt"
	"math/big"
	"net/netip"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/siptls/siptls/internal/capgen"
)

// Lab addresses (CONTEXT.md's CUCM world).
const (
	cucm7pub  = "10.10.1.11" // the capturing node
	cucm8pub  = "10.20.1.21"
	cucm8sub1 = "10.20.1.22"
	cucm8sub2 = "10.20.1.23"
	cucm8gone = "10.20.1.24" // a trunk destination that does not exist any more
	cube1     = "10.30.1.5"
)

// out is an outbound connection from cucm7-pub (client) to peer:5061.
func out(peer string, port int, start time.Duration, seed uint64) conn {
	return conn{Client: fmt.Sprintf("%s:%d", cucm7pub, port), Server: peer + ":5061", Start: start, Local: capgen.Client, Seed: seed}
}

// in is an inbound connection from peer (client) to cucm7-pub:5061.
func in(peer string, port int, start time.Duration, seed uint64) conn {
	return conn{Client: fmt.Sprintf("%s:%d", peer, port), Server: cucm7pub + ":5061", Start: start, Local: capgen.Server, Seed: seed}
}

// record runs a session, checks it and returns its conversation.
func (g *gen) record(s session, c conn, e expect) (capgen.Conversation, error) {
	r, err := g.run(s)
	if err != nil {
		return capgen.Conversation{}, err
	}
	fs := flights(r.Events)
	if err := e.check(fs, r); err != nil {
		return capgen.Conversation{}, err
	}
	if g.verbose {
		ca, _ := alerts(fs, capgen.Client)
		sa, _ := alerts(fs, capgen.Server)
		fmt.Printf("  %s -> %s: %d flights, client alerts %v err %v; server alerts %v err %v\n", c.Client, c.Server, len(fs), ca, r.ClientErr, sa, r.ServerErr)
	}
	return conversation(c, fs), nil
}

// verdict is what siptls must conclude about one connection (docs/json-schema.md's
// verdict words and reason codes), with the evidence in words.
type verdict struct {
	Verdict, Reason, Detail string
}

// write writes convs into testdata/name with opts, each with its mangle (nil = none),
// and records the verdict each connection must get (vs[i] for convs[i]).
func (g *gen) write(name string, opts capgen.Options, convs []capgen.Conversation, vs []verdict, mangles ...capgen.Mangle) error {
	if len(vs) != len(convs) {
		return fmt.Errorf("%d connections, %d verdicts", len(convs), len(vs))
	}
	var buf bytes.Buffer
	if err := writeTo(&buf, opts, convs, mangles...); err != nil {
		return err
	}
	for i, c := range convs {
		g.expectRow(name, c.Client.String(), c.Server.String(), vs[i])
	}
	return os.WriteFile(filepath.Join(g.out, name), buf.Bytes(), 0o644)
}

func writeTo(buf *bytes.Buffer, opts capgen.Options, convs []capgen.Conversation, mangles ...capgen.Mangle) error {
	w, err := capgen.NewWriter(buf, opts)
	if err != nil {
		return err
	}
	for i, c := range convs {
		if i < len(mangles) && mangles[i] != nil {
			w.AddMangled(c, mangles[i])
		} else {
			w.Add(c)
		}
	}
	return w.Close()
}

// cucmOpts is how `utils network capture eth0 file NAME size all` writes: classic pcap,
// microseconds, Ethernet, taken on cucm7-pub.
var cucmOpts = capgen.Options{Local: netip.MustParseAddr(cucm7pub)}

// single records one session and writes it alone.
func (g *gen) single(name string, s session, c conn, e expect, v verdict) error {
	cv, err := g.record(s, c, e)
	if err != nil {
		return err
	}
	return g.write(name, cucmOpts, []capgen.Conversation{cv}, []verdict{v})
}

// okv is the verdict of a successful connection.
func okv(detail string) verdict { return verdict{"ok", "application_data", detail} }

// alertv is a fatal alert verdict.
func alertv(detail string) verdict { return verdict{"failed", "fatal_alert", detail} }

// okSession is cucm7-pub (Go client) calling cucm8-pub (Go server), mutual TLS 1.2.
func (g *gen) okSession(n int) session {
	return session{
		Client:   end{Go: g.goClient("cucm7-pub", "cucm8-pub", "cucm8-sub1", "cucm8-sub2")},
		Server:   end{Go: g.goServer("cucm8-pub", "cucm7-pub")},
		Dialogue: sipOptions(cucm7pub, cucm8pub, n),
	}
}

func outputs() []output {
	var o []output
	add := func(name string, f func(g *gen, name string) error) {
		o = append(o, output{name: name, make: func(g *gen) error { return f(g, name) }})
	}
	add("sample-cucm-trunk.cap", (*gen).sample)

	// One capture per outcome.
	add("ok-tls12-rsa-go.pcap", func(g *gen, name string) error {
		return g.single(name, g.okSession(1), out(cucm8pub, 38411, 120*time.Millisecond, 101), expect{OK: true, Cipher: tls.TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256}, okv("mutual TLS 1.2, ECDHE-RSA-AES128-GCM-SHA256, RSA self-signed CallManager certificates both ways"))
	})
	add("ok-tls12-ecdsa-go.pcap", func(g *gen, name string) error {
		s := session{
			Client:   end{Go: g.goClient("cucm7-pub-ec", "cucm8-pub-ec")},
			Server:   end{Go: g.goServer("cucm8-pub-ec", "cucm7-pub-ec")},
			Dialogue: sipOptions(cucm7pub, cucm8pub, 2),
		}
		return g.single(name, s, out(cucm8pub, 38502, 80*time.Millisecond, 102), expect{OK: true, Cipher: tls.TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256}, okv("mutual TLS 1.2, ECDHE-ECDSA-AES128-GCM-SHA256, ECDSA P-256 certificates both ways"))
	})
	for _, v := range []struct {
		name string
		ver  uint16
	}{{"ok-tls10-go.pcap", tls.VersionTLS10}, {"ok-tls11-go.pcap", tls.VersionTLS11}} {
		add(v.name, func(g *gen, name string) error {
			c := g.goClient("cucm7-pub", "cucm8-pub")
			c.MinVersion, c.MaxVersion = v.ver, v.ver
			srv := g.goServer("cucm8-pub", "cucm7-pub")
			srv.MinVersion, srv.MaxVersion = v.ver, v.ver
			s := session{Client: end{Go: c}, Server: end{Go: srv}, Dialogue: sipOptions(cucm7pub, cucm8pub, 3)}
			return g.single(name, s, out(cucm8pub, 38610+int(v.ver&0xf), 95*time.Millisecond, 103+uint64(v.ver&0xf)), expect{OK: true, Cipher: tls.TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA},
				okv(fmt.Sprintf("mutual TLS 1.%d, ECDHE-RSA-AES128-SHA", v.ver-tls.VersionTLS10)))
		})
	}
	add("ok-cube-strict-cipher.pcap", func(g *gen, name string) error {
		// CUBE with `crypto signaling ... strict-cipher`: only TLS_RSA_WITH_AES_128_CBC_SHA.
		c := g.goClient("cucm7-pub", "cube1")
		// CUCM offers the AES-CBC RSA key exchange suite too (Go only on request).
		for _, cs := range tls.CipherSuites() {
			c.CipherSuites = append(c.CipherSuites, cs.ID)
		}
		c.CipherSuites = append(c.CipherSuites, tls.TLS_RSA_WITH_AES_128_CBC_SHA)
		srv := g.goServer("cube1", "cucm7-pub")
		srv.CipherSuites = []uint16{tls.TLS_RSA_WITH_AES_128_CBC_SHA}
		s := session{Client: end{Go: c}, Server: end{Go: srv}, Dialogue: sipCall("cucm7-pub", "cube1", cucm7pub, cube1, 5061, 4)}
		return g.single(name, s, out(cube1, 39120, 210*time.Millisecond, 104), expect{OK: true, Cipher: tls.TLS_RSA_WITH_AES_128_CBC_SHA}, okv("mutual TLS 1.2, TLS_RSA_WITH_AES_128_CBC_SHA (CUBE strict-cipher), SIP call"))
	})
	add("ok-tls13-go.pcap", func(g *gen, name string) error {
		c := g.goClient("cucm7-pub", "cucm8-pub")
		c.MaxVersion = tls.VersionTLS13
		srv := g.goServer("cucm8-pub", "cucm7-pub")
		srv.MaxVersion = tls.VersionTLS13
		s := session{Client: end{Go: c}, Server: end{Go: srv}, Dialogue: sipOptions(cucm7pub, cucm8pub, 5)}
		return g.single(name, s, out(cucm8pub, 38733, 60*time.Millisecond, 105), expect{OK: true, Cipher: tls.TLS_AES_128_GCM_SHA256}, okv("mutual TLS 1.3, TLS_AES_128_GCM_SHA256; certificates encrypted (not visible)"))
	})
	add("fail-tls13-server-rejects-client.pcap", func(g *gen, name string) error {
		// TLS 1.3 hides the alert: the server's rejection of the client's
		// certificate is only visible as one small encrypted record and a close.
		c := g.goClient("cucm8-sub2", "cucm7-pub")
		c.MaxVersion = tls.VersionTLS13
		srv := g.goServer("cucm7-pub", "cucm8-sub2-old")
		srv.MaxVersion = tls.VersionTLS13
		s := session{Client: end{Go: c}, Server: end{Go: srv}, Dialogue: sipOptions(cucm8sub2, cucm7pub, 7)}
		return g.single(name, s, in(cucm8sub2, 42031, 95*time.Millisecond, 207), expect{},
			verdict{"failed", "closed_after_handshake", "TLS 1.3: the Go server rejects the client's certificate (stale copy in its trust) with an encrypted alert and closes"})
	})
	// The same kinds of sessions with the client's key log beside them
	// (NAME.keys, as SSLKEYLOGFILE writes it), for --keylog.
	for _, k := range []struct {
		name   string
		d      dialogue
		port   int
		detail string
	}{
		{"keylog-tls12-sip.pcap", sipCallBye("cucm7-pub", "cucm8-pub", cucm7pub, cucm8pub, 5061, 11), 38455,
			"mutual TLS 1.2, AES128-GCM, a SIP call (INVITE, 100, 180, 200, ACK, BYE, 200), closed with close_notify; its key log shows the call and the close_notify"},
		{"keylog-tls12-sip-503.pcap", sipCallRefused("cucm7-pub", "cucm8-pub", cucm7pub, cucm8pub, 5061, 12), 38457,
			"mutual TLS 1.2, AES128-GCM: TLS is fine, the INVITE is refused with 503 Service Unavailable; its key log shows it"},
	} {
		add(k.name, func(g *gen, name string) error {
			var keys bytes.Buffer
			s := g.okSession(2)
			s.Client.Go.KeyLogWriter = &keys
			s.Dialogue = k.d
			if err := g.single(name, s, out(cucm8pub, k.port, 70*time.Millisecond, 131+uint64(k.port%10)), expect{OK: true, Cipher: tls.TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256}, okv(k.detail)); err != nil {
				return err
			}
			return g.writeKeys(name, keys.Bytes())
		})
	}
	add("keylog-tls13-server-rejects-client.pcap", func(g *gen, name string) error {
		var keys bytes.Buffer
		s := g.rejectedTLS13(&keys, 7)
		if err := g.single(name, s, in(cucm8sub2, 42077, 95*time.Millisecond, 232), expect{},
			verdict{"failed", "closed_after_handshake", "TLS 1.3: the Go server rejects the client's certificate with an encrypted alert; its key log shows unknown_ca and both certificates"}); err != nil {
			return err
		}
		return g.writeKeys(name, keys.Bytes())
	})
	// Name mismatches with the client's key log: the encrypted alert that
	// ends each session is the evidence, and only the key shows which.
	add("keylog-tls13-name-mismatch.pcap", func(g *gen, name string) error {
		// cucm7-pub's trunk names the cluster, cucm8.clus2.lab, and the Go
		// client checks the server's certificate for that name (standard
		// crypto/tls verification): cucm8-pub's self-signed certificate,
		// trusted, names only the node. TLS 1.3 encrypts the client's
		// bad_certificate under its handshake secret.
		var keys bytes.Buffer
		c := g.goClient("cucm7-pub")
		c.MaxVersion, c.KeyLogWriter = tls.VersionTLS13, &keys
		c.InsecureSkipVerify, c.VerifyPeerCertificate = false, nil
		c.RootCAs, c.ServerName = pool(g.certs("cucm8-pub")...), "cucm8.clus2.lab"
		srv := g.goServer("cucm8-pub", "cucm7-pub")
		srv.MaxVersion = tls.VersionTLS13
		s := session{Client: end{Go: c}, Server: end{Go: srv}, Dialogue: sipOptions(cucm7pub, cucm8pub, 13)}
		if err := g.single(name, s, out(cucm8pub, 38459, 70*time.Millisecond, 139), expect{ClientErr: "certificate is valid for cucm8-pub.clus2.lab, cucm8-pub, not cucm8.clus2.lab"},
			verdict{"failed", "closed_during_handshake", "TLS 1.3: the Go client expects cucm8.clus2.lab, the server's certificate names cucm8-pub.clus2.lab: the client's bad_certificate is encrypted; its key log shows it"}); err != nil {
			return err
		}
		return g.writeKeys(name, keys.Bytes())
	})
	add("keylog-tls12-name-mismatch-close.pcap", func(g *gen, name string) error {
		// As fail-subject-name-mismatch-close.pcap (the server closes
		// right after the handshake, CUCM's X.509 Subject Name check), with
		// the client's key log: the encrypted alert is close_notify.
		var keys bytes.Buffer
		c := g.goClient("cucm7-pub", "cucm8-pub")
		c.KeyLogWriter = &keys
		s := session{
			Client: end{Go: c, App: readFirst},
			Server: end{Go: g.goServer("cucm8-pub", "cucm7-pub"), App: closeAfterHandshake},
		}
		if err := g.single(name, s, out(cucm8pub, 38461, 95*time.Millisecond, 140), expect{Cipher: tls.TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256},
			verdict{"failed", "closed_after_handshake", "handshake completes; the server sends an encrypted alert and FIN before any application data; its key log shows close_notify (X.509 Subject Name mismatch look)"}); err != nil {
			return err
		}
		return g.writeKeys(name, keys.Bytes())
	})
	// OpenSSL at both ends, the client writing its key log
	// (-keylogfile): TLS 1.3 with ChaCha20-Poly1305, TLS 1.2 AES-CBC with
	// encrypt-then-MAC, which OpenSSL negotiates for CBC suites, and TLS
	// 1.3 with a KeyUpdate between two OPTIONS (the client's, asking the
	// server to update too: each direction goes on under its next traffic
	// secret).
	keyUpdated := append(append(sipOptions(cucm7pub, cucm8sub1, 10), sipMsg{capgen.Client, 5 * time.Millisecond, keyUpdate}),
		sipOptions(cucm7pub, cucm8sub1, 11)...)
	for _, k := range []struct {
		name, detail string
		args         []string
		cipher       uint16
		port         int
		dialogue     dialogue
	}{
		{"keylog-openssl-tls13-chacha20.pcap", "mutual TLS 1.3, TLS_CHACHA20_POLY1305_SHA256, OpenSSL both ends, SIP OPTIONS; the client's key log decrypts it",
			[]string{"-tls1_3", "-ciphersuites", "TLS_CHACHA20_POLY1305_SHA256"}, tls.TLS_CHACHA20_POLY1305_SHA256, 38871, sipOptions(cucm7pub, cucm8sub1, 9)},
		{"keylog-openssl-tls12-cbc-etm.pcap", "mutual TLS 1.2, ECDHE-RSA-AES128-SHA256 with encrypt-then-MAC, OpenSSL both ends, SIP OPTIONS; the client's key log decrypts it",
			[]string{"-tls1_2", "-cipher", "ECDHE-RSA-AES128-SHA256"}, tls.TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA256, 38873, sipOptions(cucm7pub, cucm8sub1, 9)},
		{"keylog-openssl-tls13-keyupdate.pcap", "mutual TLS 1.3, OpenSSL both ends: OPTIONS and 200 OK, the client's KeyUpdate (update requested, so the server updates too), OPTIONS and 200 OK again; the client's key log decrypts both generations",
			[]string{"-tls1_3", "-ciphersuites", "TLS_AES_128_GCM_SHA256"}, tls.TLS_AES_128_GCM_SHA256, 38875, keyUpdated},
	} {
		add(k.name, func(g *gen, name string) error {
			keys := filepath.Join(os.TempDir(), fmt.Sprintf("siptls-gen-%d.keys", os.Getpid()))
			defer os.Remove(keys)
			s := session{
				Client:   end{OpenSSL: g.sslClient("cucm7-pub", []string{"cucm8-sub1"}, append([]string{"-keylogfile", keys}, k.args...)...)},
				Server:   end{OpenSSL: g.sslServer("cucm8-sub1", []string{"cucm7-pub"}, k.args...)},
				Dialogue: k.dialogue,
			}
			if err := g.single(name, s, out(cucm8sub1, k.port, 140*time.Millisecond, uint64(k.port)), expect{OK: true, Cipher: k.cipher}, okv(k.detail)); err != nil {
				return err
			}
			b, err := os.ReadFile(keys)
			if err != nil {
				return err
			}
			return g.writeKeys(name, b)
		})
	}
	add("keylog-tls13-embedded.pcapng", func(g *gen, name string) error {
		// The TLS 1.3 rejection with the client's key log embedded in the
		// capture, as editcap --inject-secrets tls,KEYS writes it: siptls
		// decrypts it without --keylog.
		var keys bytes.Buffer
		cv, err := g.record(g.rejectedTLS13(&keys, 8), in(cucm8sub2, 42079, 95*time.Millisecond, 233), expect{})
		if err != nil {
			return err
		}
		opts := cucmOpts
		opts.Format, opts.TLSKeyLog = capgen.PCAPNG, keys.Bytes()
		return g.write(name, opts, []capgen.Conversation{cv}, []verdict{{"failed", "fatal_alert",
			"TLS 1.3 rejection with the key log embedded (Decryption Secrets Block): the server's unknown_ca, decrypted without --keylog"}})
	})
	add("fail-missing-intermediate.pcap", func(g *gen, name string) error {
		// cucm8-pub presents its CA-signed multi-server certificate without the
		// issuing CA; the CUBE trusts only the root.
		c := g.goClient("cucm8-pub-ms", "cube1")
		leaf := g.id("cucm8-pub-ms").tlsCert()
		leaf.Certificate = leaf.Certificate[:1]
		c.GetClientCertificate = func(*tls.CertificateRequestInfo) (*tls.Certificate, error) { return &leaf, nil }
		srv := g.goServer("cube1", "lab-root-ca")
		s := session{Client: end{Go: c}, Server: end{Go: srv}}
		return g.single(name, s, conn{Client: cucm8pub + ":41930", Server: cube1 + ":5061", Start: 80 * time.Millisecond, Local: capgen.Client, Seed: 208},
			expect{Side: capgen.Server, Alert: "unknown_ca"},
			alertv("CUBE (Go, trusts the root CA only) sends fatal unknown_ca: cucm8-pub sent its CA-signed leaf without the issuing CA"))
	})
	add("fail-not-yet-valid-server-cert.pcap", func(g *gen, name string) error {
		s := session{
			Client: end{Go: g.goClient("cucm7-pub", "cucm8-sub1-future")},
			Server: end{Go: g.goServer("cucm8-sub1-future", "cucm7-pub")},
		}
		return g.single(name, s, out(cucm8sub1, 39210, 85*time.Millisecond, 209), expect{Side: capgen.Client},
			alertv("client (Go) rejects the server's certificate, not yet valid at the capture time (NotBefore 2026-12-02)"))
	})
	add("ok-tls12-openssl.pcap", func(g *gen, name string) error {
		s := session{
			Client:   end{OpenSSL: g.sslClient("cucm7-pub", []string{"cucm8-sub1"}, "-tls1_2")},
			Server:   end{OpenSSL: g.sslServer("cucm8-sub1", []string{"cucm7-pub"}, "-tls1_2")},
			Dialogue: sipOptions(cucm7pub, cucm8sub1, 6),
		}
		return g.single(name, s, out(cucm8sub1, 38801, 140*time.Millisecond, 106), expect{OK: true, Cipher: tls.TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384}, okv("mutual TLS 1.2, ECDHE-RSA-AES256-GCM-SHA384, OpenSSL both ends, NewSessionTicket"))
	})
	add("ok-client-chain-leaf-intermediate.pcap", func(g *gen, name string) error {
		// cucm8-pub presents its CA-signed multi-server certificate and the issuing CA;
		// cucm7-pub trusts the root only.
		s := session{
			Client:   end{Go: g.goClient("cucm8-pub-ms", "cucm7-pub")},
			Server:   end{Go: g.goServer("cucm7-pub", "lab-root-ca")},
			Dialogue: sipOptions(cucm8pub, cucm7pub, 7),
		}
		return g.single(name, s, in(cucm8pub, 41207, 75*time.Millisecond, 107), expect{OK: true}, okv("mutual TLS 1.2; client chain cucm8-pub.clus2.lab-ms + Example Labs Issuing CA 1"))
	})
	add("ok-big-certificate-request.pcap", func(g *gen, name string) error {
		srv := g.goServer("cucm7-pub", "cucm8-pub")
		cas, err := manyCAs(300)
		if err != nil {
			return err
		}
		for _, c := range cas {
			srv.ClientCAs.AddCert(c)
		}
		s := session{Client: end{Go: g.goClient("cucm8-pub", "cucm7-pub")}, Server: end{Go: srv}, Dialogue: sipOptions(cucm8pub, cucm7pub, 8)}
		return g.single(name, s, in(cucm8pub, 41388, 50*time.Millisecond, 108), expect{OK: true}, okv("mutual TLS 1.2; CertificateRequest with 301 CA names (~39 KB, 3 records)"))
	})

	// Failures.
	add("fail-unknown-ca-openssl-server.pcap", func(g *gen, name string) error {
		s := session{
			Client: end{OpenSSL: g.sslClient("cucm7-pub", []string{"cucm8-sub1"}, "-tls1_2")},
			Server: end{OpenSSL: g.sslServer("cucm8-sub1", []string{"cucm8-pub", "cucm8-sub2"}, "-tls1_2")},
		}
		return g.single(name, s, out(cucm8sub1, 38902, 130*time.Millisecond, 201), expect{Side: capgen.Server, Alert: "unknown_ca"}, alertv("server (OpenSSL) sends fatal unknown_ca after the client's Certificate cucm7-pub.clus1.lab"))
	})
	add("fail-go-server-untrusted-client.pcap", func(g *gen, name string) error {
		s := session{
			Client: end{Go: g.goClient("cucm8-sub2", "cucm7-pub")},
			Server: end{Go: g.goServer("cucm7-pub", "cucm8-sub2-old")},
		}
		return g.single(name, s, in(cucm8sub2, 42017, 90*time.Millisecond, 202), expect{Side: capgen.Server, Alert: "unknown_ca"}, alertv("server (Go, trust holds a stale cucm8-sub2 copy) sends fatal unknown_ca after the client's Certificate"))
	})
	add("fail-client-rejects-server-cert.pcap", func(g *gen, name string) error {
		s := session{
			Client: end{OpenSSL: g.sslClient("cucm7-pub", []string{"cucm8-pub"}, "-tls1_2")},
			Server: end{OpenSSL: g.sslServer("cucm8-sub1", []string{"cucm7-pub"}, "-tls1_2")},
		}
		return g.single(name, s, out(cucm8sub1, 39004, 110*time.Millisecond, 203), expect{Side: capgen.Client, Alert: "unknown_ca"}, alertv("client (OpenSSL) sends fatal unknown_ca after the server's Certificate cucm8-sub1.clus2.lab"))
	})
	add("fail-expired-server-cert.pcap", func(g *gen, name string) error {
		s := session{
			Client: end{OpenSSL: g.sslClient("cucm7-pub", []string{"cucm8-sub1-expired"}, "-tls1_2")},
			Server: end{OpenSSL: g.sslServer("cucm8-sub1-expired", []string{"cucm7-pub"}, "-tls1_2")},
		}
		return g.single(name, s, out(cucm8sub1, 39077, 100*time.Millisecond, 204), expect{Side: capgen.Client, Alert: "certificate_expired"}, alertv("client (OpenSSL) sends fatal certificate_expired: server certificate expired 2026-10-30"))
	})
	add("fail-client-cert-no-clientauth-openssl.pcap", func(g *gen, name string) error {
		s := session{
			Client: end{OpenSSL: g.sslClient("cucm8-pub-noclientauth", []string{"cucm7-pub"}, "-tls1_2")},
			Server: end{OpenSSL: g.sslServer("cucm7-pub", []string{"lab-root-ca"}, "-tls1_2")},
		}
		return g.single(name, s, in(cucm8pub, 42230, 70*time.Millisecond, 205), expect{Side: capgen.Server, Alert: "unsupported_certificate"}, alertv("server (OpenSSL) sends fatal unsupported_certificate: client certificate has serverAuth only"))
	})
	add("fail-client-cert-no-clientauth-go.pcap", func(g *gen, name string) error {
		s := session{
			Client: end{Go: g.goClient("cucm8-pub-noclientauth", "cucm7-pub")},
			Server: end{Go: g.goServer("cucm7-pub", "lab-root-ca")},
		}
		return g.single(name, s, in(cucm8pub, 42291, 65*time.Millisecond, 206), expect{Side: capgen.Server, Alert: "bad_certificate"}, alertv("server (Go) sends fatal bad_certificate: client certificate has serverAuth only"))
	})
	add("hostile-names.pcap", func(g *gen, name string) error {
		// The server presents the hostile-names certificate and the client sends
		// a hostile SNI; the client does not trust it and answers bad_certificate.
		c := g.goClient("cucm7-pub", "cucm8-pub")
		c.ServerName = "<script>alert(1)</script>\"><img src=x onerror=alert(1)>\x1b[31m\u202etxt.exe"
		s := session{
			Client: end{Go: c},
			Server: end{Go: g.goServer("hostile-names", "cucm7-pub")},
		}
		return g.single(name, s, out(cucm8pub, 39266, 75*time.Millisecond, 209), expect{Side: capgen.Client, Alert: "bad_certificate"},
			alertv("client (Go) sends fatal bad_certificate: the server's certificate, whose names are HTML, terminal escapes and U+202E, is not trusted"))
	})
	add("hostile-many-sans.pcap", func(g *gen, name string) error {
		// The server presents a certificate with 10,000 DNS SANs (211 KB);
		// the client does not trust it.
		s := session{
			Client: end{Go: g.goClient("cucm7-pub", "cucm8-pub")},
			Server: end{Go: g.goServer("hostile-many-sans", "cucm7-pub")},
		}
		return g.single(name, s, out(cucm8pub, 39270, 75*time.Millisecond, 209), expect{Side: capgen.Client, Alert: "bad_certificate"},
			alertv("client (Go) sends fatal bad_certificate: the server's certificate, with 10,000 DNS SANs, is not trusted"))
	})
	add("fail-empty-client-cert.pcap", func(g *gen, name string) error {
		s := session{
			Client: end{Go: g.goClient("", "cucm8-sub1")},
			Server: end{OpenSSL: g.sslServer("cucm8-sub1", []string{"cucm7-pub"}, "-tls1_2")},
		}
		return g.single(name, s, out(cucm8sub1, 39155, 85*time.Millisecond, 207), expect{Side: capgen.Server, Alert: "handshake_failure"}, verdict{"failed", "empty_client_certificate", "client sends an empty Certificate; server (OpenSSL) answers fatal handshake_failure"})
	})
	add("fail-rst-after-client-cert.pcap", func(g *gen, name string) error {
		cv, err := g.rstAfterClientCert(out(cucm8pub, 39230, 75*time.Millisecond, 208))
		if err != nil {
			return err
		}
		return g.write(name, cucmOpts, []capgen.Conversation{cv}, []verdict{{"failed", "reset_during_handshake", "server resets right after the client's Certificate flight"}})
	})
	add("fail-subject-name-mismatch-close.pcap", func(g *gen, name string) error {
		s := session{
			Client: end{Go: g.goClient("cucm7-pub", "cucm8-pub"), App: readFirst},
			Server: end{Go: g.goServer("cucm8-pub", "cucm7-pub"), App: closeAfterHandshake},
		}
		return g.single(name, s, out(cucm8pub, 39318, 95*time.Millisecond, 209), expect{}, verdict{"failed", "closed_after_handshake", "handshake completes; server sends encrypted close_notify and FIN before any application data"})
	})
	add("fail-no-common-cipher.pcap", func(g *gen, name string) error {
		c := g.goClient("cucm7-pub", "cube1")
		c.CipherSuites = []uint16{tls.TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256, tls.TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384}
		s := session{
			Client: end{Go: c},
			Server: end{OpenSSL: g.sslServer("cube1", []string{"cucm7-pub"}, "-tls1_2", "-cipher", "AES128-SHA")},
		}
		return g.single(name, s, out(cube1, 39402, 105*time.Millisecond, 210), expect{Side: capgen.Server, Alert: "handshake_failure"}, alertv("server (OpenSSL, AES128-SHA only) sends fatal handshake_failure after a GCM-only ClientHello"))
	})
	add("fail-protocol-version.pcap", func(g *gen, name string) error {
		c := g.goClient("cucm7-pub", "cucm8-pub")
		c.MinVersion, c.MaxVersion = tls.VersionTLS10, tls.VersionTLS11
		s := session{Client: end{Go: c}, Server: end{Go: g.goServer("cucm8-pub", "cucm7-pub")}}
		return g.single(name, s, out(cucm8pub, 39477, 55*time.Millisecond, 211), expect{Side: capgen.Server, Alert: "protocol_version"}, alertv("server (Go, minimum TLS 1.2) sends fatal protocol_version after a TLS 1.1 ClientHello"))
	})
	add("refused-syn-rst.pcap", func(g *gen, name string) error {
		return g.write(name, cucmOpts, []capgen.Conversation{refused(out(cucm8sub1, 39511, 40*time.Millisecond, 212))},
			[]verdict{{"refused", "syn_reset", "SYN answered by RST"}})
	})
	add("no-answer-syn-retransmitted.pcap", func(g *gen, name string) error {
		return g.write(name, cucmOpts, []capgen.Conversation{synOnly(out(cucm8gone, 39560, 40*time.Millisecond, 213), 3)},
			[]verdict{{"no_answer", "syn_unanswered", "SYN sent 4 times (0, 1, 3, 7 s), never answered"}})
	})
	add("incomplete-capture-ends-mid-handshake.pcap", func(g *gen, name string) error {
		cv, err := g.record(g.okSession(9), out(cucm8pub, 39601, 30*time.Millisecond, 214), expect{OK: true})
		if err != nil {
			return err
		}
		// The capture stops after the server's first flight arrived.
		pk := capgen.PacketsOf(cv, 0)
		last := lastOfFlight(pk, capgen.Server, 1)
		return g.write(name, cucmOpts, []capgen.Conversation{cv},
			[]verdict{{"incomplete", "capture_ended", "capture ends after the server's ServerHello..ServerHelloDone flight"}}, capgen.Truncate(pk[last].Time.Sub(pk[0].Time)))
	})
	add("midstream-appdata-only.pcap", func(g *gen, name string) error {
		s := g.okSession(10)
		s.Dialogue = append(sipOptions(cucm7pub, cucm8pub, 10), sipCall("cucm7-pub", "cucm8-pub", cucm7pub, cucm8pub, 5061, 10)...)
		cv, err := g.record(s, out(cucm8pub, 39688, 20*time.Millisecond, 215), expect{OK: true})
		if err != nil {
			return err
		}
		// The capture starts after the handshake: the first packet kept is the one
		// carrying the client's first application data record.
		pk := capgen.PacketsOf(cv, 0)
		return g.write(name, cucmOpts, []capgen.Conversation{cv},
			[]verdict{{"incomplete", "midstream", "no SYN, no handshake: application data records only"}}, capgen.StartAt(firstAppData(pk)))
	})
	add("not-tls-plaintext-sip-5061.pcap", func(g *gen, name string) error {
		// A peer sending SIP over plain TCP to the TLS port (a trunk with transport TCP
		// pointing at 5061). Not TLS bytes: plain SIP text, no stack involved. The TLS
		// server closes without a byte, as Go's crypto/tls does when the first record
		// does not look like a TLS handshake; then the peer closes.
		d := sipOptions(cucm8sub2, cucm7pub, 11)
		c := in(cucm8sub2, 42555, 35*time.Millisecond, 216)
		cv := conversation(c, []flight{{Side: capgen.Client, Kind: evData, Bytes: []byte(strings.ReplaceAll(d[0].Text, "TLS", "TCP"))},
			{Side: capgen.Server, Kind: evClose}, {Side: capgen.Client, Kind: evClose}})
		return g.write(name, cucmOpts, []capgen.Conversation{cv}, []verdict{{"not_tls", "not_tls", "plaintext SIP OPTIONS over TCP to port 5061; server closes"}})
	})
	add("snaplen128-cut.pcap", func(g *gen, name string) error {
		okc, err := g.record(g.okSession(12), out(cucm8pub, 39777, 50*time.Millisecond, 217), expect{OK: true})
		if err != nil {
			return err
		}
		bad, err := g.record(session{
			Client: end{Go: g.goClient("cucm7-pub", "cucm8-sub1")},
			Server: end{OpenSSL: g.sslServer("cucm8-sub1", []string{"cucm8-pub", "cucm8-sub2"})},
		}, out(cucm8sub1, 39790, 1300*time.Millisecond, 218), expect{Side: capgen.Server, Alert: "unknown_ca"})
		if err != nil {
			return err
		}
		opts := cucmOpts
		opts.Snaplen = 128
		return g.write(name, opts, []capgen.Conversation{okc, bad}, []verdict{
			{"truncated", "snaplen", "packets cut at 128 bytes; the handshake succeeded (application data both ways)"},
			{"truncated", "snaplen", "packets cut at 128 bytes; the server's 7-byte alert unknown_ca is still visible"}})
	})
	o = append(o, tcpVariants()...)
	o = append(o, g2GapOutputs()...)
	o = append(o, midstreamOutputs()...)
	o = append(o, closeOutputs()...)
	o = append(o, hrrOutputs()...)
	o = append(o, anyPortOutputs()...)
	o = append(o, linkVariants()...)
	o = append(o, badInputs()...)
	o = append(o, triageOutputs()...)
	o = append(o, output{name: "trust", make: (*gen).trustFolder})
	o = append(o, output{name: screenDir, make: (*gen).screenTexts}) // reads the captures above
	return o
}

// rstAfterClientCert records a real handshake up to the client's Certificate flight,
// then scripts the server's reset (CUCM resets when it cannot verify the client).
func (g *gen) rstAfterClientCert(c conn) (capgen.Conversation, error) {
	r, err := g.run(session{
		Client: end{Go: g.goClient("cucm7-pub", "cucm8-pub")},
		Server: end{Go: g.goServer("cucm8-pub", "cucm7-pub")},
	})
	if err != nil {
		return capgen.Conversation{}, err
	}
	fs := flights(r.Events)
	if len(fs) < 3 {
		return capgen.Conversation{}, fmt.Errorf("short handshake: %d flights", len(fs))
	}
	cv := conversation(c, fs[:3]) // ClientHello; server flight; client Certificate...Finished
	last := cv.Steps[len(cv.Steps)-1].At
	cv.Steps = append(cv.Steps, capgen.Step{At: last + rtt + 900*time.Microsecond, Side: capgen.Server, Kind: capgen.RST})
	return cv, nil
}

// lastOfFlight returns the index of the last data packet of side's n-th (1-based) write.
func lastOfFlight(pk []capgen.Packet, side capgen.Side, n int) int {
	seen := 0
	for i, p := range pk {
		if p.Side == side && len(p.Payload) > 0 && p.Flags&capgen.FlagPSH != 0 {
			seen++
			if seen == n {
				return i
			}
		}
	}
	return len(pk) - 1
}

// firstAppData returns the index of the first packet that starts with an
// application_data record.
func firstAppData(pk []capgen.Packet) int {
	for i, p := range pk {
		if len(p.Payload) > 0 && p.Payload[0] == 23 {
			return i
		}
	}
	return 0
}

// manyCAs makes n CA certificates with distinct subjects (one shared ECDSA key: only
// their names matter, they fill the CertificateRequest's certificate_authorities).
func manyCAs(n int) ([]*x509.Certificate, error) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, err
	}
	orgs := []string{"Acme Telecom", "Northwind Voice", "Contoso Health", "Fabrikam Bank", "Tailspin Logistics", "Wingtip Retail"}
	var cas []*x509.Certificate
	for i := 0; i < n; i++ {
		org := orgs[i%len(orgs)]
		t := &x509.Certificate{
			SerialNumber: big.NewInt(int64(1000 + i)),
			Subject: pkix.Name{CommonName: fmt.Sprintf("%s Voice CA %03d", org, i), OrganizationalUnit: []string{"Unified Communications"},
				Organization: []string{org}, Locality: []string{"Chicago"}, Country: []string{"US"}},
			NotBefore: captureTime.AddDate(-2, 0, 0), NotAfter: captureTime.AddDate(8, 0, 0),
			IsCA: true, BasicConstraintsValid: true, KeyUsage: x509.KeyUsageCertSign,
		}
		c, err := createCert(t, t, key.Public(), key)
		if err != nil {
			return nil, err
		}
		cas = append(cas, c)
	}
	return cas, nil
}

// writeKeys writes the key log of capture name beside it, as NAME.keys
// (the .pcap extension replaced).
func (g *gen) writeKeys(name string, keys []byte) error {
	if len(keys) == 0 {
		return fmt.Errorf("%s: the client wrote no key log", name)
	}
	return os.WriteFile(filepath.Join(g.out, strings.TrimSuffix(name, ".pcap")+".keys"), keys, 0o644)
}

// rejectedTLS13 is cucm8-sub2 (Go client, its key log to keys) calling
// cucm7-pub (Go server) over TLS 1.3, rejected because the server trusts
// an old copy of cucm8-sub2's certificate; n numbers its SIP OPTIONS.
func (g *gen) rejectedTLS13(keys *bytes.Buffer, n int) session {
	c := g.goClient("cucm8-sub2", "cucm7-pub")
	c.MaxVersion = tls.VersionTLS13
	c.KeyLogWriter = keys
	srv := g.goServer("cucm7-pub", "cucm8-sub2-old")
	srv.MaxVersion = tls.VersionTLS13
	return session{Client: end{Go: c}, Server: end{Go: srv}, Dialogue: sipOptions(cucm8sub2, cucm7pub, n)}
}
