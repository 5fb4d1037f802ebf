package main

import (
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	"fmt"
	"strings"
	"time"

	"github.com/siptls/siptls/internal/capgen"
)

// The G2 PKI is a three-tier Active Directory Certificate Services hierarchy
// (root, policy CA, issuing CA), all RSA 4096, whose certificates carry what AD CS
// puts in them: long LDAP and HTTP CRL distribution points and AIA URLs, and
// certificate policies with CPS pointers and user notices. cucm8-pub's
// multi-server certificate from it, sent with the whole chain (leaf + 3 CA
// certificates), makes a Certificate message of about 18 KB: Go writes it as two
// TLS records (16384 bytes + the rest), which tcp-gap-in-4cert-chain.pcap and
// tcp-gap-over-record-header.pcap cut holes into.
func g2Specs() []certSpec {
	name := func(cn string) pkix.Name {
		return pkix.Name{CommonName: cn, OrganizationalUnit: []string{"Example Labs PKI"}, Organization: []string{"Example Labs"},
			Locality: []string{"Raleigh"}, Province: []string{"North Carolina"}, Country: []string{"US"}}
	}
	// The multi-server certificate names every node of cluster 2 (CUCM, IM and
	// Presence, Unity Connection, TFTP and MoH), by FQDN and short name.
	var dns []string
	for _, n := range g2Nodes() {
		dns = append(dns, n+".clus2.lab", n)
	}
	dns = append(dns, "clus2.lab")
	return []certSpec{
		{name: "lab-g2-root-ca", subject: name("Example Labs Root CA G2"), rsaBits: 4096, ca: true,
			notBefore: date("2023-01-09T15:12:40Z"), notAfter: date("2043-01-09T15:22:40Z"),
			tweak: g2Extensions("Example Labs Root CA G2", "pkiroot01", 10)},
		{name: "lab-g2-policy-ca", subject: name("Example Labs Policy CA G2"), rsaBits: 4096, ca: true, issuer: "lab-g2-root-ca",
			notBefore: date("2023-01-10T09:40:02Z"), notAfter: date("2038-01-10T09:50:02Z"),
			tweak: g2Extensions("Example Labs Root CA G2", "pkiroot01", 10)},
		{name: "lab-g2-voice-ca", subject: name("Example Labs Voice Issuing CA G2"), rsaBits: 4096, ca: true, issuer: "lab-g2-policy-ca",
			notBefore: date("2023-01-10T11:05:51Z"), notAfter: date("2033-01-10T11:15:51Z"),
			tweak: g2Extensions("Example Labs Policy CA G2", "pkipol01", 10)},
		{name: "cucm8-pub-g2", subject: cucmName("cucm8-pub.clus2.lab-ms"), dns: dns, rsaBits: 4096,
			notBefore: date("2026-05-18T12:31:09Z"), notAfter: date("2028-05-17T12:31:09Z"),
			eku: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth, x509.ExtKeyUsageClientAuth}, issuer: "lab-g2-voice-ca",
			chain: []string{"lab-g2-voice-ca", "lab-g2-policy-ca", "lab-g2-root-ca"},
			tweak: g2Extensions("Example Labs Voice Issuing CA G2", "pkivoice01", 2)},
	}
}

// g2Nodes are the short host names of cluster 2's nodes.
func g2Nodes() []string {
	n := []string{"cucm8-pub"}
	for i := 1; i <= 8; i++ {
		n = append(n, fmt.Sprintf("cucm8-sub%d", i))
	}
	n = append(n, "cucm8-tftp1", "cucm8-tftp2", "cucm8-moh1", "cucm8-moh2", "imp8-pub", "imp8-sub1", "imp8-sub2", "imp8-sub3", "cuc8-pub", "cuc8-sub1")
	return n
}

// g2PolicyArc is the documentation enterprise number (RFC 5612) under which the
// G2 PKI's policy OIDs live.
var g2PolicyArc = asn1.ObjectIdentifier{1, 3, 6, 1, 4, 1, 32473, 1, 2}

// g2Extensions sets what AD CS writes into a certificate issued by the CA named
// issuer (on host): the CRL distribution points and AIA locations (LDAP first,
// then HTTP) and n certificate policies with their CPS and user notice.
func g2Extensions(issuer, host string, n int) func(*x509.Certificate) {
	return func(t *x509.Certificate) {
		esc := strings.ReplaceAll(issuer, " ", "%20")
		file := strings.ReplaceAll(issuer, " ", "_")
		const ad = ",CN=Public%20Key%20Services,CN=Services,CN=Configuration,DC=example,DC=lab"
		t.CRLDistributionPoints = []string{
			"ldap:///CN=" + esc + ",CN=" + host + ",CN=CDP" + ad + "?certificateRevocationList?base?objectClass=cRLDistributionPoint",
			"http://pki.example.lab/CertEnroll/" + file + ".crl",
		}
		t.IssuingCertificateURL = []string{
			"ldap:///CN=" + esc + ",CN=AIA" + ad + "?cACertificate?base?objectClass=certificationAuthority",
			"http://pki.example.lab/CertEnroll/" + host + ".example.lab_" + file + ".crt",
		}
		der, err := certificatePolicies(n)
		if err != nil {
			panic(err)
		}
		t.ExtraExtensions = append(t.ExtraExtensions, pkix.Extension{Id: asn1.ObjectIdentifier{2, 5, 29, 32}, Value: der})
	}
}

// g2Notices are the user notices of the G2 policies (at most 200 characters each,
// RFC 5280 section 4.2.1.4).
var g2Notices = []string{
	"Certificates issued under this policy are for Example Labs unified communications servers only. Relying parties must check revocation before trusting a certificate for signaling.",
	"This certificate may be used for mutual TLS between call control nodes, gateways and session border controllers operated by Example Labs. Any other use is not permitted.",
	"Private keys of certificates issued under this policy are generated on the server that uses them and are never exported. Report a suspected compromise to pki@example.lab.",
	"The issuing CA validates the server's host names against the Example Labs configuration database before issuance. Names not in that database are rejected by the registration authority.",
	"Example Labs accepts no liability to relying parties outside Example Labs. Certificates are provided as is for internal voice and video signaling and media encryption only.",
	"Medium assurance hardware policy: CA keys are held in FIPS 140-2 level 3 modules; issuance requires two operators; audit logs are kept for seven years at the Raleigh data center.",
	"Certificates under this policy are renewed at least 30 days before expiry. Servers must present the full chain up to, but not necessarily including, the Example Labs Root CA G2.",
	"Subscribers must notify the PKI team within one business day of any change of host name, IP address or role of a server named in a certificate issued under this policy.",
	"Test and lab certificates are issued under this policy with a validity of at most two years and must not be installed on production call control or gateway equipment.",
	"Cross-certification with external PKIs is not permitted under this policy. Partners connect through session border controllers that present certificates from their own CAs.",
}

// certificatePolicies builds the DER of a certificatePolicies extension (RFC 5280
// section 4.2.1.4) with n policies, each with a CPS URI and a user notice
// (crypto/x509 writes policy identifiers only, without qualifiers).
func certificatePolicies(n int) ([]byte, error) {
	type qualifier struct {
		ID        asn1.ObjectIdentifier
		Qualifier asn1.RawValue
	}
	type policy struct {
		ID         asn1.ObjectIdentifier
		Qualifiers []qualifier `asn1:"optional,omitempty"`
	}
	type userNotice struct {
		ExplicitText string `asn1:"utf8"`
	}
	var ps []policy
	for i := 0; i < n; i++ {
		notice, err := asn1.Marshal(userNotice{g2Notices[i%len(g2Notices)]})
		if err != nil {
			return nil, err
		}
		id := append(append(asn1.ObjectIdentifier(nil), g2PolicyArc...), i+1)
		ps = append(ps, policy{ID: id, Qualifiers: []qualifier{
			{ID: asn1.ObjectIdentifier{1, 3, 6, 1, 5, 5, 7, 2, 1}, // id-qt-cps
				Qualifier: asn1.RawValue{Tag: asn1.TagIA5String, Bytes: []byte(fmt.Sprintf("http://pki.example.lab/cps/g2/policy-%d.html", i+1))}},
			{ID: asn1.ObjectIdentifier{1, 3, 6, 1, 5, 5, 7, 2, 2}, // id-qt-unotice
				Qualifier: asn1.RawValue{FullBytes: notice}},
		}})
	}
	return asn1.Marshal(ps)
}

// g2Session records cucm7-pub (Go client, trusting the G2 root) calling cucm8-pub
// (Go server presenting cucm8-pub-g2 and its three CA certificates), once per run.
func (g *gen) g2Session() (capgen.Conversation, error) {
	if g.g2Conv != nil {
		return *g.g2Conv, nil
	}
	s := session{
		Client:   end{Go: g.goClient("cucm7-pub", "lab-g2-root-ca")},
		Server:   end{Go: g.goServer("cucm8-pub-g2", "cucm7-pub")},
		Dialogue: sipOptions(cucm7pub, cucm8pub, 23),
	}
	cv, err := g.record(s, out(cucm8pub, 40377, 55*time.Millisecond, 303), expect{OK: true, Cipher: tls.TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256})
	if err != nil {
		return cv, err
	}
	g.g2Conv = &cv
	return cv, nil
}

// certLayout is where a Certificate message and its entries lie in a flight.
type certLayout struct {
	records []int    // flight offsets of the headers of the records carrying the message
	certs   [][2]int // each certificate's DER as [start, end) offsets in the message
	msg     []int    // flight offset of each message byte
	der     [][]byte // the certificates
}

// layoutCertificate finds the first Certificate handshake message (TLS 1.2) in a
// flight's bytes and maps it to flight offsets.
func layoutCertificate(flight []byte) (*certLayout, error) {
	var hs []byte
	var where []int // flight offset of each handshake byte
	var headers []int
	for off := 0; off+5 <= len(flight); {
		n := int(flight[off+3])<<8 | int(flight[off+4])
		if off+5+n > len(flight) {
			return nil, fmt.Errorf("record at %d runs past the flight", off)
		}
		if flight[off] == 22 {
			headers = append(headers, off)
			hs = append(hs, flight[off+5:off+5+n]...)
			for k := 0; k < n; k++ {
				where = append(where, off+5+k)
			}
		}
		off += 5 + n
	}
	for m := 0; m+4 <= len(hs); {
		n := int(hs[m+1])<<16 | int(hs[m+2])<<8 | int(hs[m+3])
		if m+4+n > len(hs) {
			return nil, fmt.Errorf("handshake message at %d runs past the flight", m)
		}
		if hs[m] != 11 {
			m += 4 + n
			continue
		}
		l := &certLayout{msg: where[m : m+4+n]}
		for _, h := range headers {
			if h+5 <= l.msg[len(l.msg)-1] && h+5+(int(flight[h+3])<<8|int(flight[h+4])) > l.msg[0] {
				l.records = append(l.records, h)
			}
		}
		body := hs[m+4 : m+4+n]
		if len(body) < 3 {
			return nil, fmt.Errorf("short Certificate message")
		}
		for p := 3; p+3 <= len(body); {
			cl := int(body[p])<<16 | int(body[p+1])<<8 | int(body[p+2])
			start := 4 + p + 3
			if start+cl > len(l.msg) {
				return nil, fmt.Errorf("certificate entry at %d runs past the message", p)
			}
			l.certs = append(l.certs, [2]int{start, start + cl})
			l.der = append(l.der, body[p+3:p+3+cl])
			p += 3 + cl
		}
		return l, nil
	}
	return nil, fmt.Errorf("no Certificate message in the flight")
}

// msgRange returns the message bytes [from, to) that lie in the flight bytes [a, b).
func (l *certLayout) msgRange(a, b int) (from, to int) {
	from, to = -1, -1
	for m, f := range l.msg {
		if f >= a && f < b {
			if from < 0 {
				from = m
			}
			to = m + 1
		}
	}
	return from, to
}

// cn returns certificate i's subject common name.
func (l *certLayout) cn(i int) string {
	c, err := x509.ParseCertificate(l.der[i])
	if err != nil {
		return "?"
	}
	return c.Subject.CommonName
}

// g2Gap writes the G2 session with one server segment of its first flight dropped:
// pick chooses it from the flight's segments (flight offsets [start, end)) and the
// layout, and returns the index (in segs) of the segment to drop and the detail.
func (g *gen) g2Gap(name string, pick func(l *certLayout, segs [][2]int) (int, string, error)) error {
	cv, err := g.g2Session()
	if err != nil {
		return err
	}
	pk := capgen.PacketsOf(cv, 0)
	idx := dataPackets(pk, capgen.Server, 1)
	if len(idx) < 2 {
		return fmt.Errorf("server flight in %d segments", len(idx))
	}
	var flight []byte
	var segs [][2]int
	for _, i := range idx {
		segs = append(segs, [2]int{len(flight), len(flight) + len(pk[i].Payload)})
		flight = append(flight, pk[i].Payload...)
	}
	l, err := layoutCertificate(flight)
	if err != nil {
		return err
	}
	if len(l.certs) != 4 || len(l.records) != 2 {
		return fmt.Errorf("the Certificate message has %d certificates in %d records, want 4 in 2", len(l.certs), len(l.records))
	}
	k, detail, err := pick(l, segs)
	if err != nil {
		return err
	}
	if k+1 >= len(idx) {
		return fmt.Errorf("the dropped segment must not be the flight's last")
	}
	// The server's next segment (0-based index idx[k+1]) moves up one frame
	// when the segment is dropped: frame idx[k+1], 1-based.
	detail = fmt.Sprintf("MSS 1448; the server flight's segment %d of %d (flight bytes %d-%d) was not captured (tshark: \"previous segment not captured\" on frame %d); %s; Finished and application data seen both ways",
		k+1, len(segs), segs[k][0]+1, segs[k][1], idx[k+1], detail)
	return g.write(name, cucmOpts, []capgen.Conversation{cv}, []verdict{okv(detail)}, capgen.Drop(idx[k]))
}

// certOf returns the certificate (index) whose DER holds message byte m, or -1.
func (l *certLayout) certOf(m int) int {
	for i, c := range l.certs {
		if m >= c[0] && m < c[1] {
			return i
		}
	}
	return -1
}

// missingText describes message bytes [from, to) missing inside certificate i.
func (l *certLayout) missingText(i, from, to int) string {
	return fmt.Sprintf("certificate %d of %d (%s, bytes %d-%d of the Certificate message) partly missing: bytes %d-%d of the message",
		i+1, len(l.certs), l.cn(i), l.certs[i][0]+1, l.certs[i][1], from+1, to)
}

// wholeText lists the certificates other than i.
func (l *certLayout) wholeText(i int) string {
	var n []string
	for k := range l.certs {
		if k != i {
			n = append(n, fmt.Sprint(k+1))
		}
	}
	return "certificates " + strings.Join(n, ", ") + " whole"
}

func g2GapOutputs() []output {
	return []output{
		{name: "tcp-gap-in-4cert-chain.pcap", make: func(g *gen) error {
			return g.g2Gap("tcp-gap-in-4cert-chain.pcap", func(l *certLayout, segs [][2]int) (int, string, error) {
				// The first segment wholly inside certificate 2, away from any record header.
				c := l.certs[1]
				for k, s := range segs {
					from, to := l.msgRange(s[0], s[1])
					if from < c[0] || to > c[1] || to-from != s[1]-s[0] {
						continue
					}
					return k, fmt.Sprintf("%s; %s; the Certificate message (%d bytes, %d certificates) is in 2 records (%d + %d bytes)",
						l.missingText(1, from, to), l.wholeText(1), len(l.msg), len(l.certs),
						l.records[1]-l.records[0]-5, len(l.msg)-(l.records[1]-l.records[0]-5)), nil
				}
				return 0, "", fmt.Errorf("no segment lies wholly inside certificate 2 %v", c)
			})
		}},
		{name: "tcp-gap-over-record-header.pcap", make: func(g *gen) error {
			return g.g2Gap("tcp-gap-over-record-header.pcap", func(l *certLayout, segs [][2]int) (int, string, error) {
				h := l.records[1]
				for k, s := range segs {
					if h < s[0] || h >= s[1] {
						continue
					}
					if h+5 > s[1] {
						return 0, "", fmt.Errorf("the second record's header straddles segments %d and %d", k+1, k+2)
					}
					from, to := l.msgRange(s[0], s[1])
					i := l.certOf(from)
					if i < 0 || l.certOf(to-1) != i {
						return 0, "", fmt.Errorf("the segment over the record header spans message bytes %d-%d, not one certificate", from+1, to)
					}
					return k, fmt.Sprintf("it holds the second record's 5-byte header (flight bytes %d-%d) between message bytes %d and %d (record 1 carries the first %d bytes of the Certificate message); %s; %s",
						h+1, h+5, h-l.records[0]-5, h-l.records[0]-4, h-l.records[0]-5, l.missingText(i, from, to), l.wholeText(i)), nil
				}
				return 0, "", fmt.Errorf("no segment holds the second record header")
			})
		}},
	}
}
