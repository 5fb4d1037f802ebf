package tlsparse

//go:generate sh -c "go run golang.org/x/tools/cmd/stringer@latest -type=ExtensionType -linecomment -output=exttype_string.go && sed -e 's/^func (i ExtensionType) String() string/func (i ExtensionType) name() string/' exttype_string.go > exttype_string.go.tmp && mv exttype_string.go.tmp exttype_string.go"

// ExtensionType is a TLS extension code point from the IANA "TLS
// ExtensionType Values" registry (RFC 8446 section 4.2 and its successors).
//
// Its String method returns the IANA name ("server_name",
// "application_layer_protocol_negotiation", "supported_versions", ...),
// "GREASE" for RFC 8701 values and "0x%04x" for anything else, including the
// widely seen but unregistered next_protocol_negotiation (0x3374) and
// channel_id (0x7550).
type ExtensionType uint16

// ExtensionType values.
const (
	ExtServerName                         ExtensionType = 0x0000 // server_name
	ExtMaxFragmentLength                  ExtensionType = 0x0001 // max_fragment_length
	ExtClientCertificateURL               ExtensionType = 0x0002 // client_certificate_url
	ExtTrustedCAKeys                      ExtensionType = 0x0003 // trusted_ca_keys
	ExtTruncatedHMAC                      ExtensionType = 0x0004 // truncated_hmac
	ExtStatusRequest                      ExtensionType = 0x0005 // status_request
	ExtUserMapping                        ExtensionType = 0x0006 // user_mapping
	ExtClientAuthz                        ExtensionType = 0x0007 // client_authz
	ExtServerAuthz                        ExtensionType = 0x0008 // server_authz
	ExtCertType                           ExtensionType = 0x0009 // cert_type
	ExtSupportedGroups                    ExtensionType = 0x000A // supported_groups
	ExtECPointFormats                     ExtensionType = 0x000B // ec_point_formats
	ExtSRP                                ExtensionType = 0x000C // srp
	ExtSignatureAlgorithms                ExtensionType = 0x000D // signature_algorithms
	ExtUseSRTP                            ExtensionType = 0x000E // use_srtp
	ExtHeartbeat                          ExtensionType = 0x000F // heartbeat
	ExtALPN                               ExtensionType = 0x0010 // application_layer_protocol_negotiation
	ExtStatusRequestV2                    ExtensionType = 0x0011 // status_request_v2
	ExtSignedCertificateTimestamp         ExtensionType = 0x0012 // signed_certificate_timestamp
	ExtClientCertificateType              ExtensionType = 0x0013 // client_certificate_type
	ExtServerCertificateType              ExtensionType = 0x0014 // server_certificate_type
	ExtPadding                            ExtensionType = 0x0015 // padding
	ExtEncryptThenMAC                     ExtensionType = 0x0016 // encrypt_then_mac
	ExtExtendedMasterSecret               ExtensionType = 0x0017 // extended_master_secret
	ExtTokenBinding                       ExtensionType = 0x0018 // token_binding
	ExtCachedInfo                         ExtensionType = 0x0019 // cached_info
	ExtTLSLTS                             ExtensionType = 0x001A // tls_lts
	ExtCompressCertificate                ExtensionType = 0x001B // compress_certificate
	ExtRecordSizeLimit                    ExtensionType = 0x001C // record_size_limit
	ExtPwdProtect                         ExtensionType = 0x001D // pwd_protect
	ExtPwdClear                           ExtensionType = 0x001E // pwd_clear
	ExtPasswordSalt                       ExtensionType = 0x001F // password_salt
	ExtTicketPinning                      ExtensionType = 0x0020 // ticket_pinning
	ExtTLSCertWithExternPSK               ExtensionType = 0x0021 // tls_cert_with_extern_psk
	ExtDelegatedCredential                ExtensionType = 0x0022 // delegated_credential
	ExtSessionTicket                      ExtensionType = 0x0023 // session_ticket
	ExtTLMSP                              ExtensionType = 0x0024 // TLMSP
	ExtTLMSPProxying                      ExtensionType = 0x0025 // TLMSP_proxying
	ExtTLMSPDelegate                      ExtensionType = 0x0026 // TLMSP_delegate
	ExtSupportedEKTCiphers                ExtensionType = 0x0027 // supported_ekt_ciphers
	ExtPreSharedKey                       ExtensionType = 0x0029 // pre_shared_key
	ExtEarlyData                          ExtensionType = 0x002A // early_data
	ExtSupportedVersions                  ExtensionType = 0x002B // supported_versions
	ExtCookie                             ExtensionType = 0x002C // cookie
	ExtPSKKeyExchangeModes                ExtensionType = 0x002D // psk_key_exchange_modes
	ExtCertificateAuthorities             ExtensionType = 0x002F // certificate_authorities
	ExtOIDFilters                         ExtensionType = 0x0030 // oid_filters
	ExtPostHandshakeAuth                  ExtensionType = 0x0031 // post_handshake_auth
	ExtSignatureAlgorithmsCert            ExtensionType = 0x0032 // signature_algorithms_cert
	ExtKeyShare                           ExtensionType = 0x0033 // key_share
	ExtTransparencyInfo                   ExtensionType = 0x0034 // transparency_info
	ExtConnectionIDDeprecated             ExtensionType = 0x0035 // connection_id (deprecated)
	ExtConnectionID                       ExtensionType = 0x0036 // connection_id
	ExtExternalIDHash                     ExtensionType = 0x0037 // external_id_hash
	ExtExternalSessionID                  ExtensionType = 0x0038 // external_session_id
	ExtQUICTransportParameters            ExtensionType = 0x0039 // quic_transport_parameters
	ExtTicketRequest                      ExtensionType = 0x003A // ticket_request
	ExtDNSSECChain                        ExtensionType = 0x003B // dnssec_chain
	ExtSequenceNumberEncryptionAlgorithms ExtensionType = 0x003C // sequence_number_encryption_algorithms
	ExtRRC                                ExtensionType = 0x003D // rrc
	ExtTLSFlags                           ExtensionType = 0x003E // tls_flags
	ExtECHOuterExtensions                 ExtensionType = 0xFD00 // ech_outer_extensions
	ExtEncryptedClientHello               ExtensionType = 0xFE0D // encrypted_client_hello
	ExtRenegotiationInfo                  ExtensionType = 0xFF01 // renegotiation_info
)

// String returns the IANA name of e, "GREASE", or "0x%04x".
func (e ExtensionType) String() string { return nameOrHex(e, "ExtensionType(") }
