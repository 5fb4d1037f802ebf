package diagnose

import (
	"fmt"
	"strings"

	"github.com/siptls/siptls/tlsparse"
)

// staleCopyHint returns the FindingStaleCopyLikely of c, if its facts are
// all there: the handshake failed on a fatal alert the server sent (readable,
// or decrypted with the key log) after the client's leaf certificate, one
// of those with which a server refuses a certificate that does not verify
// against its trust store (bad_certificate from Go, unknown_ca or
// decrypt_error from OpenSSL, certificate_unknown from Java), and the
// server's CertificateRequest lists the leaf's issuer (for a self-signed
// leaf, its own subject). The server then holds a certificate of that name
// which does not verify the client's: most often an older copy with
// another key. Nothing is said when the alert has another explanation in
// the capture: a leaf out of its validity period at capture time, or one
// whose extended key usage forbids client authentication.
func staleCopyHint(c *Connection) (Finding, bool) {
	al, cr := c.Alert, c.CertificateRequest
	if c.Verdict != VerdictFailed || c.Reason != ReasonFatalAlert || al == nil || cr == nil ||
		al.SentBy != Server || (al.Encrypted && !al.Decrypted) || al.Level != tlsparse.AlertLevel(2) {
		return Finding{}, false
	}
	switch al.Code {
	case 42, 46, 48, 51: // bad_certificate, certificate_unknown, unknown_ca, decrypt_error
	default:
		return Finding{}, false
	}
	leaf := c.Leaf(Client)
	if leaf == nil || leaf.Frame > al.Frame || leaf.Info.Issuer == "" {
		return Finding{}, false
	}
	info := leaf.Info
	if v, _ := info.ValidAt(leaf.Time); v.OutOfPeriod() || ekuNote(info, Client) != "" {
		return Finding{}, false
	}
	listed := listedName(cr.CertificateAuthorities, info.Issuer)
	if listed == "" {
		return Finding{}, false
	}
	var b strings.Builder
	if info.SelfSigned {
		name := listed
		if info.SubjectCN != "" {
			name = "CN=" + info.SubjectCN
		}
		fmt.Fprintf(&b, "The server's CertificateRequest (frame %d) names %s among the CAs it accepts, yet it rejected the self-signed certificate of that name the client presented (frame %d, serial %s) with fatal %s in frame %d: its CallManager-trust likely holds an older copy of %s, same name but another key. Replace it with the certificate the client presents now",
			cr.Frame, name, leaf.Frame, info.Serial, al.Name, al.Frame, name)
	} else {
		fmt.Fprintf(&b, "The server's CertificateRequest (frame %d) names %s among the CAs it accepts, yet it rejected the client's certificate CN=%s issued under that name (frame %d, serial %s) with fatal %s in frame %d: its CallManager-trust likely holds an older copy of that CA, same name but another key, or lacks the CA above it. Upload the CA certificate that issued the client's certificate now, and any CA above it",
			cr.Frame, listed, info.SubjectCN, leaf.Frame, info.Serial, al.Name, al.Frame)
	}
	if al.Code == 51 {
		b.WriteString(" (decrypt_error can also mean that the client's CertificateVerify did not verify with its certificate's key)")
	}
	b.WriteString("; --trust with the server's CallManager-trust folder tells for sure.")
	return Finding{Code: FindingStaleCopyLikely, Frame: al.Frame, Detail: b.String()}, true
}

// listedName returns the name of authorities that is name, compared
// exactly and then case-insensitively, or "".
func listedName(authorities []string, name string) string {
	for _, a := range authorities {
		if a == name {
			return a
		}
	}
	for _, a := range authorities {
		if strings.EqualFold(a, name) {
			return a
		}
	}
	return ""
}
