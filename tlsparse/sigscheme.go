package tlsparse

//go:generate sh -c "go run golang.org/x/tools/cmd/stringer@latest -type=SignatureScheme -linecomment -output=sigscheme_string.go && sed -e 's/^func (i SignatureScheme) String() string/func (i SignatureScheme) name() string/' sigscheme_string.go > sigscheme_string.go.tmp && mv sigscheme_string.go.tmp sigscheme_string.go"

// SignatureScheme is a signature algorithm from the IANA "TLS
// SignatureScheme" registry (RFC 8446 section 4.2.3), as carried in the
// signature_algorithms and signature_algorithms_cert extensions, in a TLS 1.2
// CertificateRequest, and in CertificateVerify and ServerKeyExchange.
//
// Its String method returns the IANA name ("rsa_pkcs1_sha256",
// "ecdsa_secp256r1_sha256", "rsa_pss_rsae_sha256", "ed25519"). The TLS 1.2
// {hash, signature} pairs of RFC 5246 section 7.4.1.4.1 that the TLS 1.3
// registry only reserves (MD5, SHA-224 and DSA combinations) are named after
// the same pattern ("dsa_sha256", "rsa_pkcs1_sha224"). GREASE values print
// "GREASE" and unknown values "0x%04x".
type SignatureScheme uint16

// SignatureScheme values.
const (
	SigRSAPKCS1MD5                     SignatureScheme = 0x0101 // rsa_pkcs1_md5
	SigDSAMD5                          SignatureScheme = 0x0102 // dsa_md5
	SigECDSAMD5                        SignatureScheme = 0x0103 // ecdsa_md5
	SigRSAPKCS1SHA1                    SignatureScheme = 0x0201 // rsa_pkcs1_sha1
	SigDSASHA1                         SignatureScheme = 0x0202 // dsa_sha1
	SigECDSASHA1                       SignatureScheme = 0x0203 // ecdsa_sha1
	SigRSAPKCS1SHA224                  SignatureScheme = 0x0301 // rsa_pkcs1_sha224
	SigDSASHA224                       SignatureScheme = 0x0302 // dsa_sha224
	SigECDSASHA224                     SignatureScheme = 0x0303 // ecdsa_sha224
	SigRSAPKCS1SHA256                  SignatureScheme = 0x0401 // rsa_pkcs1_sha256
	SigDSASHA256                       SignatureScheme = 0x0402 // dsa_sha256
	SigECDSAP256SHA256                 SignatureScheme = 0x0403 // ecdsa_secp256r1_sha256
	SigRSAPKCS1SHA256Legacy            SignatureScheme = 0x0420 // rsa_pkcs1_sha256_legacy
	SigRSAPKCS1SHA384                  SignatureScheme = 0x0501 // rsa_pkcs1_sha384
	SigDSASHA384                       SignatureScheme = 0x0502 // dsa_sha384
	SigECDSAP384SHA384                 SignatureScheme = 0x0503 // ecdsa_secp384r1_sha384
	SigRSAPKCS1SHA384Legacy            SignatureScheme = 0x0520 // rsa_pkcs1_sha384_legacy
	SigRSAPKCS1SHA512                  SignatureScheme = 0x0601 // rsa_pkcs1_sha512
	SigDSASHA512                       SignatureScheme = 0x0602 // dsa_sha512
	SigECDSAP521SHA512                 SignatureScheme = 0x0603 // ecdsa_secp521r1_sha512
	SigRSAPKCS1SHA512Legacy            SignatureScheme = 0x0620 // rsa_pkcs1_sha512_legacy
	SigECCSISHA256                     SignatureScheme = 0x0704 // eccsi_sha256
	SigISOIBS1                         SignatureScheme = 0x0705 // iso_ibs1
	SigISOIBS2                         SignatureScheme = 0x0706 // iso_ibs2
	SigISOChineseIBS                   SignatureScheme = 0x0707 // iso_chinese_ibs
	SigSM2SigSM3                       SignatureScheme = 0x0708 // sm2sig_sm3
	SigGOSTR34102012256a               SignatureScheme = 0x0709 // gostr34102012_256a
	SigGOSTR34102012256b               SignatureScheme = 0x070A // gostr34102012_256b
	SigGOSTR34102012256c               SignatureScheme = 0x070B // gostr34102012_256c
	SigGOSTR34102012256d               SignatureScheme = 0x070C // gostr34102012_256d
	SigGOSTR34102012512a               SignatureScheme = 0x070D // gostr34102012_512a
	SigGOSTR34102012512b               SignatureScheme = 0x070E // gostr34102012_512b
	SigGOSTR34102012512c               SignatureScheme = 0x070F // gostr34102012_512c
	SigRSAPSSRSAESHA256                SignatureScheme = 0x0804 // rsa_pss_rsae_sha256
	SigRSAPSSRSAESHA384                SignatureScheme = 0x0805 // rsa_pss_rsae_sha384
	SigRSAPSSRSAESHA512                SignatureScheme = 0x0806 // rsa_pss_rsae_sha512
	SigEd25519                         SignatureScheme = 0x0807 // ed25519
	SigEd448                           SignatureScheme = 0x0808 // ed448
	SigRSAPSSPSSSHA256                 SignatureScheme = 0x0809 // rsa_pss_pss_sha256
	SigRSAPSSPSSSHA384                 SignatureScheme = 0x080A // rsa_pss_pss_sha384
	SigRSAPSSPSSSHA512                 SignatureScheme = 0x080B // rsa_pss_pss_sha512
	SigECDSABrainpoolP256r1TLS13SHA256 SignatureScheme = 0x081A // ecdsa_brainpoolP256r1tls13_sha256
	SigECDSABrainpoolP384r1TLS13SHA384 SignatureScheme = 0x081B // ecdsa_brainpoolP384r1tls13_sha384
	SigECDSABrainpoolP512r1TLS13SHA512 SignatureScheme = 0x081C // ecdsa_brainpoolP512r1tls13_sha512
	SigMLDSA44                         SignatureScheme = 0x0904 // mldsa44
	SigMLDSA65                         SignatureScheme = 0x0905 // mldsa65
	SigMLDSA87                         SignatureScheme = 0x0906 // mldsa87
)

// String returns the IANA name of s, "GREASE", or "0x%04x".
func (s SignatureScheme) String() string { return nameOrHex(s, "SignatureScheme(") }
