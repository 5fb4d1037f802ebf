package tlsparse

import "fmt"

//go:generate sh -c "go run golang.org/x/tools/cmd/stringer@latest -type=AlertDescription -linecomment -output=alert_string.go && sed -e 's/^func (i AlertDescription) String() string/func (i AlertDescription) name() string/' alert_string.go > alert_string.go.tmp && mv alert_string.go.tmp alert_string.go"

// AlertLevel is the level of an alert (RFC 5246 section 7.2).
type AlertLevel uint8

// Alert levels.
const (
	AlertLevelWarning AlertLevel = 1
	AlertLevelFatal   AlertLevel = 2
)

// String returns "warning", "fatal" or "unknown(N)".
func (l AlertLevel) String() string {
	switch l {
	case AlertLevelWarning:
		return "warning"
	case AlertLevelFatal:
		return "fatal"
	}
	return fmt.Sprintf("unknown(%d)", uint8(l))
}

// AlertDescription is an alert code from the IANA "TLS Alerts" registry
// (RFC 8446 section 6, plus the SSL 3.0 and TLS 1.0 codes later withdrawn).
//
// Its String method returns the RFC name ("bad_certificate", "unknown_ca",
// ...) or "unknown(N)".
type AlertDescription uint8

// Alert descriptions.
const (
	AlertCloseNotify                  AlertDescription = 0   // close_notify
	AlertUnexpectedMessage            AlertDescription = 10  // unexpected_message
	AlertBadRecordMAC                 AlertDescription = 20  // bad_record_mac
	AlertDecryptionFailed             AlertDescription = 21  // decryption_failed
	AlertRecordOverflow               AlertDescription = 22  // record_overflow
	AlertDecompressionFailure         AlertDescription = 30  // decompression_failure
	AlertHandshakeFailure             AlertDescription = 40  // handshake_failure
	AlertNoCertificate                AlertDescription = 41  // no_certificate
	AlertBadCertificate               AlertDescription = 42  // bad_certificate
	AlertUnsupportedCertificate       AlertDescription = 43  // unsupported_certificate
	AlertCertificateRevoked           AlertDescription = 44  // certificate_revoked
	AlertCertificateExpired           AlertDescription = 45  // certificate_expired
	AlertCertificateUnknown           AlertDescription = 46  // certificate_unknown
	AlertIllegalParameter             AlertDescription = 47  // illegal_parameter
	AlertUnknownCA                    AlertDescription = 48  // unknown_ca
	AlertAccessDenied                 AlertDescription = 49  // access_denied
	AlertDecodeError                  AlertDescription = 50  // decode_error
	AlertDecryptError                 AlertDescription = 51  // decrypt_error
	AlertTooManyCIDsRequested         AlertDescription = 52  // too_many_cids_requested
	AlertExportRestriction            AlertDescription = 60  // export_restriction
	AlertProtocolVersion              AlertDescription = 70  // protocol_version
	AlertInsufficientSecurity         AlertDescription = 71  // insufficient_security
	AlertInternalError                AlertDescription = 80  // internal_error
	AlertInappropriateFallback        AlertDescription = 86  // inappropriate_fallback
	AlertUserCanceled                 AlertDescription = 90  // user_canceled
	AlertNoRenegotiation              AlertDescription = 100 // no_renegotiation
	AlertMissingExtension             AlertDescription = 109 // missing_extension
	AlertUnsupportedExtension         AlertDescription = 110 // unsupported_extension
	AlertCertificateUnobtainable      AlertDescription = 111 // certificate_unobtainable
	AlertUnrecognizedName             AlertDescription = 112 // unrecognized_name
	AlertBadCertificateStatusResponse AlertDescription = 113 // bad_certificate_status_response
	AlertBadCertificateHashValue      AlertDescription = 114 // bad_certificate_hash_value
	AlertUnknownPSKIdentity           AlertDescription = 115 // unknown_psk_identity
	AlertCertificateRequired          AlertDescription = 116 // certificate_required
	AlertGeneralError                 AlertDescription = 117 // general_error
	AlertNoApplicationProtocol        AlertDescription = 120 // no_application_protocol
	AlertECHRequired                  AlertDescription = 121 // ech_required
)

// String returns the RFC name of d, or "unknown(N)".
func (d AlertDescription) String() string { return nameOrDecimal(d, "AlertDescription(") }

// Alert is a plaintext alert message (RFC 8446 section 6).
type Alert struct {
	Level       AlertLevel
	Description AlertDescription
}

// String returns e.g. "fatal unknown_ca".
func (a Alert) String() string { return a.Level.String() + " " + a.Description.String() }

// ParseAlert parses the fragment of an alert record. The fragment must be
// exactly 2 bytes; any other length (in practice an encrypted alert) gives a
// *ParseError wrapping ErrEncryptedAlert.
func ParseAlert(fragment []byte) (Alert, error) {
	if len(fragment) != 2 {
		return Alert{}, &ParseError{Field: "alert", Err: ErrEncryptedAlert}
	}
	return Alert{Level: AlertLevel(fragment[0]), Description: AlertDescription(fragment[1])}, nil
}
