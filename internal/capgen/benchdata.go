package capgen

import (
	"bytes"
	"compress/gzip"
	"crypto/rand"
	"crypto/rsa"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	_ "embed"
	"encoding/json"
	"fmt"
	"io"
	"math/big"
	"strings"
	"time"
)

// Bench topology: the capture node, its trunk destinations and the failing ones.
const (
	benchTrunks   = 16
	benchAlertDst = 13 // rejects the node's certificate with an alert after the client's Certificate
	benchRSTDst   = 14 // resets the connection after the client's Certificate
	benchDeadDst  = 15 // nothing listens: SYN answered by RST
	benchPhones   = 6  // distinct phone certificates (LSCs)
	benchPerPeer  = 2  // transcripts recorded per peer
)

// transcript is one recorded TLS 1.2 mutual-authentication handshake.
type transcript struct {
	Name   string  `json:"name"`
	Peer   int     `json:"peer"` // trunk destination index, or -1-phone for phones
	Failed bool    `json:"failed"`
	Writes []write `json:"writes"`
}

//go:embed benchdata/transcripts.json.gz
var transcriptsGz []byte

// loadTranscripts decodes the embedded transcripts.
func loadTranscripts() ([]transcript, error) {
	return decodeTranscripts(transcriptsGz)
}

// decodeTranscripts decodes transcripts in the embedded files' format
// (gzipped JSON, see encodeTranscripts).
func decodeTranscripts(gz []byte) ([]transcript, error) {
	zr, err := gzip.NewReader(bytes.NewReader(gz))
	if err != nil {
		return nil, fmt.Errorf("capgen: embedded transcripts: %w", err)
	}
	b, err := io.ReadAll(zr)
	if err != nil {
		return nil, fmt.Errorf("capgen: embedded transcripts: %w", err)
	}
	var ts []transcript
	if err := json.Unmarshal(b, &ts); err != nil {
		return nil, fmt.Errorf("capgen: embedded transcripts: %w", err)
	}
	return ts, nil
}

// identity is a self-signed RSA 2048 "CallManager" certificate and its key, as
// CUCM nodes and phones have.
type identity struct {
	cert tls.Certificate
	x509 *x509.Certificate
}

func newIdentity(cn string, serial int64, now time.Time) (identity, error) {
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		return identity{}, err
	}
	tmpl := &x509.Certificate{
		SerialNumber:          big.NewInt(serial),
		Subject:               pkix.Name{CommonName: cn, Organization: []string{"Example Voice"}, OrganizationalUnit: []string{"UC"}, Locality: []string{"Lisboa"}, Country: []string{"PT"}},
		NotBefore:             now.Add(-24 * time.Hour),
		NotAfter:              now.Add(5 * 365 * 24 * time.Hour),
		KeyUsage:              x509.KeyUsageDigitalSignature | x509.KeyUsageKeyEncipherment | x509.KeyUsageCertSign,
		ExtKeyUsage:           []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth, x509.ExtKeyUsageClientAuth},
		BasicConstraintsValid: true,
		IsCA:                  true,
		DNSNames:              sanNames(cn),
	}
	der, c, err := createCert(tmpl, tmpl, key, key)
	if err != nil {
		return identity{}, err
	}
	return identity{cert: tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key}, x509: c}, nil
}

// createCert signs tmpl, which certifies key, with parent and its signer,
// and returns the certificate in DER and parsed.
func createCert(tmpl, parent *x509.Certificate, key, signer *rsa.PrivateKey) ([]byte, *x509.Certificate, error) {
	der, err := x509.CreateCertificate(rand.Reader, tmpl, parent, &key.PublicKey, signer)
	if err != nil {
		return nil, nil, err
	}
	c, err := x509.ParseCertificate(der)
	if err != nil {
		return nil, nil, err
	}
	return der, c, nil
}

// sanNames lists cn and, like a CUCM multi-server certificate, its cluster's
// other node names, so that certificates are about 1.2 KB.
func sanNames(cn string) []string {
	host, domain, _ := strings.Cut(cn, ".")
	names := []string{cn}
	if domain == "" {
		return names
	}
	for _, n := range []string{"pub", "sub1", "sub2", "sub3", "sub4", "tftp1", "tftp2"} {
		names = append(names, fmt.Sprintf("%s-%s.%s", strings.TrimSuffix(host, "-ms"), n, domain))
	}
	return names
}

// benchNodeName is the capture node's certificate name.
const benchNodeName = "cucm-sub1.example.com"

func trunkName(i int) string { return fmt.Sprintf("cucm-dst%02d.example.net", i+1) }

func phoneName(i int) string { return fmt.Sprintf("SEP00AABBCC%04X", 0x1000+i) }

// recordBenchTranscripts records the benchmark's handshakes with crypto/tls:
// TLS 1.2, mutual authentication, self-signed RSA 2048 certificates.
func recordBenchTranscripts(now time.Time) ([]transcript, error) {
	ps, err := trunkPeers(now)
	if err != nil {
		return nil, err
	}
	return recordPeers(ps, benchPerPeer)
}

// peerTLS is how the node and one peer of a bench shape talk TLS: the
// client's and the server's configurations, and whether their handshakes
// fail.
type peerTLS struct {
	what   string // "trunk", "phone", ...
	i      int    // the destination's or the phone's index
	name   string
	peer   int // transcript.Peer
	client *tls.Config
	server *tls.Config
	fail   bool
}

// trunkPeers makes the trunk shape's identities and returns the TLS
// configurations of its peers: the trunk destinations but the dead one,
// then the phones.
func trunkPeers(now time.Time) ([]peerTLS, error) {
	node, err := newIdentity(benchNodeName, 0x1a2b3c01, now)
	if err != nil {
		return nil, err
	}
	var ps []peerTLS
	cfg := func(self identity, trusted ...identity) *tls.Config {
		pool := x509.NewCertPool()
		for _, t := range trusted {
			pool.AddCert(t.x509)
		}
		return &tls.Config{
			Certificates: []tls.Certificate{self.cert},
			RootCAs:      pool,
			ClientCAs:    pool,
			ClientAuth:   tls.RequireAndVerifyClientCert,
			MinVersion:   tls.VersionTLS12,
			MaxVersion:   tls.VersionTLS12,
			Time:         func() time.Time { return now },
		}
	}
	for d := range benchTrunks {
		if d == benchDeadDst {
			continue
		}
		peer, err := newIdentity(trunkName(d), int64(0x2b000000+d), now)
		if err != nil {
			return nil, err
		}
		ccfg := cfg(node, peer)
		ccfg.ServerName = trunkName(d)
		scfg := cfg(peer, node)
		if d == benchAlertDst {
			scfg = cfg(peer) // the node's certificate was never uploaded
		}
		ps = append(ps, peerTLS{"trunk", d, trunkName(d), d, ccfg, scfg, d == benchAlertDst})
	}
	for p := range benchPhones {
		phone, err := newIdentity(phoneName(p), int64(0x3c000000+p), now)
		if err != nil {
			return nil, err
		}
		ccfg := cfg(phone, node)
		ccfg.ServerName = benchNodeName
		scfg := cfg(node, phone)
		ps = append(ps, peerTLS{"phone", p, phoneName(p), -1 - p, ccfg, scfg, false})
	}
	return ps, nil
}

// recordPeers records n transcripts of each peer of ps, in order.
func recordPeers(ps []peerTLS, n int) ([]transcript, error) {
	var ts []transcript
	var err error
	for _, p := range ps {
		if ts, err = recordPeer(ts, p.what, p.i, p.name, p.peer, n, p.client, p.server, p.fail); err != nil {
			return nil, err
		}
	}
	return ts, nil
}

// recordPeer appends to ts n transcripts of handshakes between ccfg and scfg,
// named name-0, name-1 and so on, for peer. The handshakes must all fail if
// wantFail is set and all succeed otherwise; the error names the peer as what
// followed by i.
func recordPeer(ts []transcript, what string, i int, name string, peer, n int, ccfg, scfg *tls.Config, wantFail bool) ([]transcript, error) {
	for k := range n {
		w, cerr, serr := recordTLS(ccfg, scfg)
		failed := cerr != nil || serr != nil
		if failed != wantFail {
			return nil, fmt.Errorf("capgen: %s %d: client %v, server %v", what, i, cerr, serr)
		}
		ts = append(ts, transcript{Name: fmt.Sprintf("%s-%d", name, k), Peer: peer, Failed: failed, Writes: w})
	}
	return ts, nil
}

// encodeTranscripts is the embedded file's format: gzipped JSON.
func encodeTranscripts(ts []transcript) ([]byte, error) {
	b, err := json.Marshal(ts)
	if err != nil {
		return nil, err
	}
	var buf bytes.Buffer
	zw, err := gzip.NewWriterLevel(&buf, gzip.BestCompression)
	if err != nil {
		return nil, err
	}
	if _, err := zw.Write(b); err != nil {
		return nil, err
	}
	if err := zw.Close(); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}
