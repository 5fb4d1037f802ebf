package capgen

import (
	"crypto/rand"
	"crypto/rsa"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	_ "embed"
	"fmt"
	"math/big"
	"net/netip"
	"time"
)

// Shape is the kind of traffic a benchmark capture carries.
type Shape uint8

const (
	// ShapeTrunk is mkbench's original shape: long-lived connections (minutes of
	// SIP each, about 16 connections per MB) with one self-signed certificate
	// each way.
	ShapeTrunk Shape = iota
	// ShapeDense is handshake-dense: short mutual-TLS connections (a failing
	// trunk retrying, phones re-registering, a load-balanced trunk opening one
	// connection per call) with 4-certificate chains each way and a few SIP
	// records each, about 75 connections per MB, 5 % failing.
	ShapeDense
)

// String returns the shape's name as mkbench's -shape flag takes it.
func (s Shape) String() string {
	switch s {
	case ShapeTrunk:
		return "trunk"
	case ShapeDense:
		return "dense"
	}
	return fmt.Sprintf("Shape(%d)", uint8(s))
}

// Dense topology: trunk destinations 0..denseGood-1 answer, the three after
// them fail. Every certificate chains leaf, issuing CA, policy CA, root.
const (
	denseTrunks   = 12
	denseGood     = 9  // destinations 0..8 complete their handshakes
	denseAlertDst = 9  // rejects the node's chain with an alert after the client's Certificate
	denseRSTDst   = 10 // resets the connection after the client's Certificate
	denseDeadDst  = 11 // nothing listens: SYN answered by RST
	densePhones   = 6  // distinct phone certificates
	densePerPeer  = 2  // transcripts recorded per peer

	// DefaultDenseRate is the dense shape's rate of new connections per
	// second when neither BenchConfig.Rate nor Duration is set: about 900
	// connections are open at a time.
	DefaultDenseRate = 30
)

// denseFailEvery is the dense shape's period of failing connections: 5 %.
const denseFailEvery = 20

//go:embed benchdata/dense.json.gz
var denseTranscriptsGz []byte

// loadDenseTranscripts decodes the embedded 4-certificate-chain transcripts.
func loadDenseTranscripts() ([]transcript, error) {
	return decodeTranscripts(denseTranscriptsGz)
}

// pkiCert is a certificate, its key and its chain up to the root, leaf first.
type pkiCert struct {
	key   *rsa.PrivateKey
	x509  *x509.Certificate
	chain [][]byte
}

// tlsCert is c as crypto/tls sends it: the whole chain, root included, as
// some CUCM clusters do.
func (c pkiCert) tlsCert() tls.Certificate {
	return tls.Certificate{Certificate: c.chain, PrivateKey: c.key}
}

// newPKICert makes an RSA 2048 certificate for cn signed by issuer (self-signed
// when issuer is nil). CA certificates carry no SANs; leaves carry cn.
func newPKICert(cn string, serial int64, now time.Time, issuer *pkiCert, ca bool) (pkiCert, error) {
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		return pkiCert{}, err
	}
	tmpl := &x509.Certificate{
		SerialNumber:          big.NewInt(serial),
		Subject:               pkix.Name{CommonName: cn, Organization: []string{"Example Voice"}, Country: []string{"PT"}},
		NotBefore:             now.Add(-24 * time.Hour),
		NotAfter:              now.Add(3 * 365 * 24 * time.Hour),
		BasicConstraintsValid: true,
		IsCA:                  ca,
	}
	if ca {
		tmpl.KeyUsage = x509.KeyUsageCertSign | x509.KeyUsageCRLSign
		tmpl.NotAfter = now.Add(10 * 365 * 24 * time.Hour)
	} else {
		tmpl.KeyUsage = x509.KeyUsageDigitalSignature | x509.KeyUsageKeyEncipherment
		tmpl.ExtKeyUsage = []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth, x509.ExtKeyUsageClientAuth}
		tmpl.DNSNames = []string{cn}
	}
	parent, signer := tmpl, key
	if issuer != nil {
		parent, signer = issuer.x509, issuer.key
	}
	der, c, err := createCert(tmpl, parent, key, signer)
	if err != nil {
		return pkiCert{}, err
	}
	chain := [][]byte{der}
	if issuer != nil {
		chain = append(chain, issuer.chain...)
	}
	return pkiCert{key: key, x509: c, chain: chain}, nil
}

// denseTrunkName and densePhoneName name the dense shape's peers.
func denseTrunkName(i int) string { return fmt.Sprintf("sbc%02d.carrier.example.net", i+1) }

func densePhoneName(i int) string { return fmt.Sprintf("SEP00AABBDD%04X", 0x2000+i) }

// recordDenseTranscripts records the dense shape's handshakes with crypto/tls:
// TLS 1.2, mutual authentication, RSA 2048, and every side sending a
// 4-certificate chain (leaf, issuing CA, policy CA, root) from one private
// PKI. The alert destination trusts another root only, so it rejects the
// node's chain with an alert after the client's Certificate.
func recordDenseTranscripts(now time.Time) ([]transcript, error) {
	ps, err := densePeers(now)
	if err != nil {
		return nil, err
	}
	return recordPeers(ps, densePerPeer)
}

// densePeers makes the dense shape's PKI and returns the TLS
// configurations of its peers: the trunk destinations but the dead one,
// then the phones.
func densePeers(now time.Time) ([]peerTLS, error) {
	root, err := newPKICert("Example Voice Root CA", 0x4d000001, now, nil, true)
	if err != nil {
		return nil, err
	}
	policy, err := newPKICert("Example Voice Policy CA", 0x4d000002, now, &root, true)
	if err != nil {
		return nil, err
	}
	issuing, err := newPKICert("Example Voice Issuing CA 1", 0x4d000003, now, &policy, true)
	if err != nil {
		return nil, err
	}
	other, err := newPKICert("Carrier Root CA", 0x4d0000ff, now, nil, true)
	if err != nil {
		return nil, err
	}
	node, err := newPKICert(benchNodeName, 0x4d100001, now, &issuing, false)
	if err != nil {
		return nil, err
	}
	cfg := func(self pkiCert, trusted *x509.Certificate) *tls.Config {
		pool := x509.NewCertPool()
		pool.AddCert(trusted)
		cert := self.tlsCert()
		return &tls.Config{
			Certificates: []tls.Certificate{cert},
			// Send the chain even when the server's CA list does not name
			// its root, so that the alert destination rejects the chain
			// itself rather than an empty Certificate.
			GetClientCertificate: func(*tls.CertificateRequestInfo) (*tls.Certificate, error) { return &cert, nil },
			RootCAs:              pool,
			ClientCAs:            pool,
			ClientAuth:           tls.RequireAndVerifyClientCert,
			MinVersion:           tls.VersionTLS12,
			MaxVersion:           tls.VersionTLS12,
			Time:                 func() time.Time { return now },
		}
	}
	var ps []peerTLS
	for d := range denseTrunks {
		if d == denseDeadDst {
			continue
		}
		peer, err := newPKICert(denseTrunkName(d), int64(0x4d200000+d), now, &issuing, false)
		if err != nil {
			return nil, err
		}
		ccfg := cfg(node, root.x509)
		ccfg.ServerName = denseTrunkName(d)
		scfg := cfg(peer, root.x509)
		if d == denseAlertDst {
			scfg.ClientCAs = x509.NewCertPool()
			scfg.ClientCAs.AddCert(other.x509)
		}
		ps = append(ps, peerTLS{"dense trunk", d, denseTrunkName(d), d, ccfg, scfg, d == denseAlertDst})
	}
	for p := range densePhones {
		phone, err := newPKICert(densePhoneName(p), int64(0x4d300000+p), now, &issuing, false)
		if err != nil {
			return nil, err
		}
		ccfg := cfg(phone, root.x509)
		ccfg.ServerName = benchNodeName
		scfg := cfg(node, root.x509)
		ps = append(ps, peerTLS{"dense phone", p, densePhoneName(p), -1 - p, ccfg, scfg, false})
	}
	return ps, nil
}

// denseNet is the addressing of the dense shape.
var denseNet = shapeNet{
	trunk:    func(d int) netip.Addr { return netip.AddrFrom4([4]byte{10, 40, 0, byte(21 + d)}) },
	trunkRTT: 600 * time.Microsecond,
	deadDst:  denseDeadDst,
	phone:    func(p int) netip.Addr { return netip.AddrFrom4([4]byte{10, 50, byte(p / 250), byte(1 + p%250)}) },
	hosts:    5000,
	phones:   densePhones,
}

// denseConn builds one conversation of the dense shape starting at start and
// reports its kind. About 5 % fail: an alert after the node's Certificate, a
// reset after it, or a refused SYN, each from its own trunk destination (a
// failing trunk that keeps retrying). The others are a call on a connection of
// its own (INVITE transaction, BYE transaction 10 to 90 s later), a trunk
// OPTIONS probe, or a phone's REGISTER, then close_notify and FINs.
func (m *benchModel) denseConn(start time.Time) (c Conversation, trunk bool, out outcome) {
	c = Conversation{Start: start, ClientISN: m.rng.Uint32(), ServerISN: m.rng.Uint32()}
	port := uint16(32768 + m.rng.IntN(28232))
	// One connection in denseFailEvery fails, in turn an alert, a reset, an
	// alert and a refusal, so that the share is 5 % in any stretch of the file.
	m.i++
	d := -1
	switch {
	case m.i%denseFailEvery == 0:
		d = [...]int{denseAlertDst, denseRSTDst, denseAlertDst, denseDeadDst}[m.i/denseFailEvery%4]
	case m.rng.IntN(100) < 55:
		d = m.rng.IntN(denseGood)
	}
	trunk = d >= 0
	rtt, ti, ok := m.dial(&c, port, d, denseNet)
	if !ok {
		return c, true, refused
	}
	tr := m.transcript(ti)
	steps, at, ended := m.handshake(tr, rtt, d == denseRSTDst)
	if ended != closed {
		c.Steps = steps
		return c, true, ended
	}
	exchange := func(msgs []sipMsg) { steps = m.exchange(steps, &at, rtt, msgs) }
	at += m.between(time.Millisecond, 5*time.Millisecond)
	switch {
	case trunk && m.rng.IntN(2) == 0: // one call: INVITE, 100, 180, 200, ACK; later BYE, 200
		exchange([]sipMsg{{Client, 900, 1400, "INVITE"}, {Server, 300, 420, "100 Trying"}, {Server, 500, 800, "180 Ringing"}, {Server, 900, 1300, "200 OK"}, {Client, 350, 500, "ACK"}})
		at += m.between(10*time.Second, 90*time.Second)
		exchange([]sipMsg{{Client, 450, 650, "BYE"}, {Server, 380, 520, "200 OK"}})
		at += m.between(100*time.Millisecond, time.Second)
	case trunk: // OPTIONS probe
		exchange([]sipMsg{{Client, 480, 620, "OPTIONS"}, {Server, 400, 560, "200 OK"}})
		at += m.between(time.Second, 10*time.Second)
	default: // REGISTER, 200 OK; the phone keeps the connection a while
		exchange([]sipMsg{{Client, 700, 1000, "REGISTER"}, {Server, 500, 700, "200 OK"}})
		at += m.between(10*time.Second, 50*time.Second)
	}
	c.Steps = m.closeNotify(steps, at, rtt)
	return c, trunk, closed
}
