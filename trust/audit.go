package trust

import (
	"fmt"
	"strings"

	"github.com/siptls/siptls/certinfo"
)

// Limits that CA lists of a CertificateRequest run into.
const (
	// RecordLimit is the largest TLS plaintext record (RFC 8446 section
	// 5.1): a longer CertificateRequest is split across records, which some
	// stacks mishandle.
	RecordLimit = 16384
	// HandshakeLimit is the largest handshake message many stacks accept
	// (Go's crypto/tls caps it at 65536 bytes, OpenSSL's default for a
	// CertificateRequest is about 100 KB).
	HandshakeLimit = 65536
	// nearFraction: a list this close to a limit (in percent) is flagged.
	nearPercent = 90
)

// Audit codes, part of the output contract like the Check codes.
const (
	// AuditEmptyList: the server sent no CA names, so the client may send
	// any certificate (or, with some stacks, none).
	AuditEmptyList CheckCode = "empty_ca_list"
	// AuditIssuerNotListed: no issuer of the client's chain is among the
	// CA names the server asked for.
	AuditIssuerNotListed CheckCode = "client_issuer_not_listed"
	// AuditOverRecord: the CertificateRequest does not fit in one 16 KB
	// record.
	AuditOverRecord CheckCode = "certificate_request_over_record"
	// AuditNearHandshakeLimit: the CertificateRequest is near (at least 90%
	// of) or over the 64 KB handshake message limit.
	AuditNearHandshakeLimit CheckCode = "certificate_request_near_message_limit"
)

// Audit is the result of AuditCertificateRequest.
type Audit struct {
	// Authorities are the CA names the server asked for (RFC 4514).
	Authorities []string `json:"authorities"`
	// Length is the CertificateRequest's length in bytes, as given.
	Length int `json:"length"`
	// ClientIssuerListed reports whether an issuer (or the subject of a
	// self-signed certificate) of the client's chain is among
	// Authorities; false when the list is empty or there is no chain.
	ClientIssuerListed bool `json:"client_issuer_listed"`
	// Matched is the listed name that matched, "" when none did.
	Matched string `json:"matched,omitempty"`
	// Checks are the findings (codes Audit*).
	Checks []Check `json:"checks"`
}

// AuditCertificateRequest compares the CA names of a server's
// CertificateRequest (authorities, RFC 4514 as certinfo.FormatDN renders
// them; length is the message's length in bytes) with the chain the client
// sent (nil or empty when it sent none). Names are compared exactly, then
// case-insensitively.
func AuditCertificateRequest(authorities []string, length int, clientChain []*certinfo.Info) Audit {
	a := Audit{Authorities: authorities, Length: length}
	if len(authorities) == 0 {
		a.Checks = append(a.Checks, Check{Code: AuditEmptyList, Severity: SeverityInfo,
			Sentence: "The server asked for a client certificate without naming any CA, so the client chooses which certificate to send."})
	} else if len(clientChain) > 0 {
		a.Matched, a.ClientIssuerListed = listedIssuer(authorities, clientChain)
		if !a.ClientIssuerListed {
			a.Checks = append(a.Checks, Check{Code: AuditIssuerNotListed, Severity: SeverityWarning,
				Sentence: fmt.Sprintf("None of the %s the server asked for issued the client's certificate (issuer %s): the server does not trust that issuer, or the client sent another certificate than expected.", plural(len(authorities), "CA name"), clientChain[0].Issuer)})
		}
	}
	if length > RecordLimit {
		a.Checks = append(a.Checks, Check{Code: AuditOverRecord, Severity: SeverityInfo,
			Sentence: fmt.Sprintf("The CertificateRequest is %d bytes (%s), more than one 16 KB record; some older stacks fail on it: remove unused certificates from the trust store.", length, plural(len(authorities), "CA name"))})
	}
	if length*100 >= HandshakeLimit*nearPercent {
		sev, verb := SeverityWarning, "is near"
		if length > HandshakeLimit {
			sev, verb = SeverityError, "exceeds"
		}
		a.Checks = append(a.Checks, Check{Code: AuditNearHandshakeLimit, Severity: sev,
			Sentence: fmt.Sprintf("The CertificateRequest is %d bytes and %s the 64 KB handshake message limit of many TLS stacks (Go's among them): remove unused certificates from the trust store.", length, verb)})
	}
	return a
}

func listedIssuer(authorities []string, chain []*certinfo.Info) (string, bool) {
	var names []string
	for _, c := range chain {
		if c == nil {
			continue
		}
		names = append(names, c.Issuer)
		if c.SelfSigned {
			names = append(names, c.Subject)
		}
	}
	for _, n := range names {
		for _, a := range authorities {
			if n != "" && a == n {
				return a, true
			}
		}
	}
	for _, n := range names {
		for _, a := range authorities {
			if n != "" && strings.EqualFold(a, n) {
				return a, true
			}
		}
	}
	return "", false
}
