package main

import (
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"fmt"
	"math/big"
	"time"

	"github.com/siptls/siptls/internal/capgen"
)

// pkiWeb is the lab CA's web server (AD CS CertEnroll on IIS): its CRL over plain
// HTTP on port 80, its pages over HTTPS on port 443.
const pkiWeb = "10.40.1.80"

// webSpecs are the certificates of the lab's web servers.
func webSpecs() []certSpec {
	return []certSpec{
		{name: "pki-web", subject: pkix.Name{CommonName: "pki.example.lab", Organization: []string{"Example Labs"}, Country: []string{"US"}},
			dns: []string{"pki.example.lab"}, notBefore: date("2026-03-02T10:15:00Z"), notAfter: date("2028-03-01T10:15:00Z"),
			eku: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}, issuer: "lab-issuing-ca", chain: []string{"lab-issuing-ca"}},
	}
}

// issuingCRL is the Example Labs Issuing CA 1's CRL as its CDP serves it, signed
// with the CA's key. RSA PKCS #1 v1.5 signatures are deterministic, so the bytes
// are the same on every run.
func (g *gen) issuingCRL() ([]byte, error) {
	ca := g.id("lab-issuing-ca")
	rl := &x509.RevocationList{
		Number:     big.NewInt(412),
		ThisUpdate: captureTime.Add(-6 * time.Hour),
		NextUpdate: captureTime.Add(7 * 24 * time.Hour),
		RevokedCertificateEntries: []x509.RevocationListEntry{
			{SerialNumber: big.NewInt(0x1d5c0a77e1), RevocationTime: date("2026-07-14T09:12:00Z"), ReasonCode: 4}, // superseded
			{SerialNumber: big.NewInt(0x2b9e11f3c4), RevocationTime: date("2026-10-02T16:40:00Z"), ReasonCode: 1}, // keyCompromise
			{SerialNumber: big.NewInt(0x3f04d28a90), RevocationTime: date("2026-11-18T08:05:00Z"), ReasonCode: 5}, // cessationOfOperation
		},
	}
	return x509.CreateRevocationList(rand.Reader, rl, ca.Cert, ca.Key)
}

// httpGetCRL is the plaintext HTTP/1.1 exchange of a CRL download that closes the
// connection: the client's GET, the server's answer, the server's FIN, the client's.
// No TLS stack is involved: the bytes are HTTP text and the CRL's DER.
func (g *gen) httpGetCRL(c conn) (capgen.Conversation, error) {
	crl, err := g.issuingCRL()
	if err != nil {
		return capgen.Conversation{}, err
	}
	req := "GET /CertEnroll/Example_Labs_Issuing_CA_1.crl HTTP/1.1\r\nHost: pki.example.lab\r\nUser-Agent: curl/7.61.1\r\nAccept: */*\r\nConnection: close\r\n\r\n"
	resp := fmt.Sprintf("HTTP/1.1 200 OK\r\nContent-Type: application/pkix-crl\r\nLast-Modified: Fri, 20 Nov 2026 08:03:00 GMT\r\nAccept-Ranges: bytes\r\nETag: \"80d3c1e2b85bdc1:0\"\r\nServer: Microsoft-IIS/10.0\r\nDate: Fri, 20 Nov 2026 14:03:00 GMT\r\nConnection: close\r\nContent-Length: %d\r\n\r\n", len(crl))
	return conversation(c, []flight{
		{Side: capgen.Client, Kind: evData, Bytes: []byte(req)},
		{Side: capgen.Server, Kind: evData, Bytes: append([]byte(resp), crl...)},
		{Side: capgen.Server, Kind: evClose},
		{Side: capgen.Client, Kind: evClose},
	}), nil
}

// httpsPage is a GET of the CA's web enrollment page over HTTPS and its answer.
func httpsPage() dialogue {
	body := "<html><head><title>Microsoft Active Directory Certificate Services</title></head><body><p>Example Labs Issuing CA 1</p><p><a href=\"/CertEnroll/Example_Labs_Issuing_CA_1.crl\">Download the CRL</a></p></body></html>\r\n"
	return dialogue{
		{capgen.Client, 2 * time.Millisecond, "GET /certsrv/ HTTP/1.1\r\nHost: pki.example.lab\r\nUser-Agent: curl/7.61.1\r\nAccept: */*\r\n\r\n"},
		{capgen.Server, 4 * time.Millisecond, fmt.Sprintf("HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nServer: Microsoft-IIS/10.0\r\nDate: Fri, 20 Nov 2026 14:03:00 GMT\r\nContent-Length: %d\r\n\r\n%s", len(body), body)},
	}
}

func anyPortOutputs() []output {
	return []output{
		{name: "any-port-http-beside-tls.pcap", make: func(g *gen) error {
			const name = "any-port-http-beside-tls.pcap"
			plain, err := g.httpGetCRL(conn{Client: cucm7pub + ":51720", Server: pkiWeb + ":80", Start: 40 * time.Millisecond, Local: capgen.Client, Seed: 340})
			if err != nil {
				return err
			}
			c := g.goClient("", "lab-root-ca")
			c.ServerName = "pki.example.lab"
			c.NextProtos = []string{"http/1.1"}
			srv := g.goServer("pki-web")
			srv.ClientAuth = tls.NoClientCert
			srv.NextProtos = []string{"http/1.1"}
			s := session{Client: end{Go: c}, Server: end{Go: srv}, Dialogue: httpsPage()}
			https, err := g.record(s, conn{Client: cucm7pub + ":51724", Server: pkiWeb + ":443", Start: 310 * time.Millisecond, Local: capgen.Client, Seed: 341},
				expect{OK: true, Cipher: tls.TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256})
			if err != nil {
				return err
			}
			g.flags[name] = "--any-port"
			return g.write(name, cucmOpts, []capgen.Conversation{plain, https}, []verdict{
				{"-", "other_traffic", "plaintext HTTP/1.1 on port 80: GET of the issuing CA's CRL, 200 OK (application/pkix-crl), the server closes; not TLS, not a connection (captures[].other_connections)"},
				okv("HTTPS on port 443: TLS 1.2, ECDHE-RSA-AES128-GCM-SHA256, SNI pki.example.lab, ALPN http/1.1, no CertificateRequest; GET /certsrv/ and 200 OK"),
			})
		}},
	}
}
