package tlsparse

//go:generate sh -c "go run golang.org/x/tools/cmd/stringer@latest -type=NamedGroup -linecomment -output=namedgroup_string.go && sed -e 's/^func (i NamedGroup) String() string/func (i NamedGroup) name() string/' namedgroup_string.go > namedgroup_string.go.tmp && mv namedgroup_string.go.tmp namedgroup_string.go"

// NamedGroup is a key exchange group from the IANA "TLS Supported Groups"
// registry (RFC 8422, RFC 7919, RFC 8446 section 4.2.7), as carried in the
// supported_groups and key_share extensions and in an ECDHE ServerKeyExchange.
//
// Its String method returns the IANA description ("secp256r1", "x25519",
// "X25519MLKEM768", "ffdhe2048"), "GREASE" for RFC 8701 values and "0x%04x"
// otherwise.
type NamedGroup uint16

// NamedGroup values.
const (
	GroupSect163k1                    NamedGroup = 0x0001 // sect163k1
	GroupSect163r1                    NamedGroup = 0x0002 // sect163r1
	GroupSect163r2                    NamedGroup = 0x0003 // sect163r2
	GroupSect193r1                    NamedGroup = 0x0004 // sect193r1
	GroupSect193r2                    NamedGroup = 0x0005 // sect193r2
	GroupSect233k1                    NamedGroup = 0x0006 // sect233k1
	GroupSect233r1                    NamedGroup = 0x0007 // sect233r1
	GroupSect239k1                    NamedGroup = 0x0008 // sect239k1
	GroupSect283k1                    NamedGroup = 0x0009 // sect283k1
	GroupSect283r1                    NamedGroup = 0x000A // sect283r1
	GroupSect409k1                    NamedGroup = 0x000B // sect409k1
	GroupSect409r1                    NamedGroup = 0x000C // sect409r1
	GroupSect571k1                    NamedGroup = 0x000D // sect571k1
	GroupSect571r1                    NamedGroup = 0x000E // sect571r1
	GroupSecp160k1                    NamedGroup = 0x000F // secp160k1
	GroupSecp160r1                    NamedGroup = 0x0010 // secp160r1
	GroupSecp160r2                    NamedGroup = 0x0011 // secp160r2
	GroupSecp192k1                    NamedGroup = 0x0012 // secp192k1
	GroupSecp192r1                    NamedGroup = 0x0013 // secp192r1
	GroupSecp224k1                    NamedGroup = 0x0014 // secp224k1
	GroupSecp224r1                    NamedGroup = 0x0015 // secp224r1
	GroupSecp256k1                    NamedGroup = 0x0016 // secp256k1
	GroupSecp256r1                    NamedGroup = 0x0017 // secp256r1
	GroupSecp384r1                    NamedGroup = 0x0018 // secp384r1
	GroupSecp521r1                    NamedGroup = 0x0019 // secp521r1
	GroupBrainpoolP256r1              NamedGroup = 0x001A // brainpoolP256r1
	GroupBrainpoolP384r1              NamedGroup = 0x001B // brainpoolP384r1
	GroupBrainpoolP512r1              NamedGroup = 0x001C // brainpoolP512r1
	GroupX25519                       NamedGroup = 0x001D // x25519
	GroupX448                         NamedGroup = 0x001E // x448
	GroupBrainpoolP256r1TLS13         NamedGroup = 0x001F // brainpoolP256r1tls13
	GroupBrainpoolP384r1TLS13         NamedGroup = 0x0020 // brainpoolP384r1tls13
	GroupBrainpoolP512r1TLS13         NamedGroup = 0x0021 // brainpoolP512r1tls13
	GroupGC256A                       NamedGroup = 0x0022 // GC256A
	GroupGC256B                       NamedGroup = 0x0023 // GC256B
	GroupGC256C                       NamedGroup = 0x0024 // GC256C
	GroupGC256D                       NamedGroup = 0x0025 // GC256D
	GroupGC512A                       NamedGroup = 0x0026 // GC512A
	GroupGC512B                       NamedGroup = 0x0027 // GC512B
	GroupGC512C                       NamedGroup = 0x0028 // GC512C
	GroupCurveSM2                     NamedGroup = 0x0029 // curveSM2
	GroupFfdhe2048                    NamedGroup = 0x0100 // ffdhe2048
	GroupFfdhe3072                    NamedGroup = 0x0101 // ffdhe3072
	GroupFfdhe4096                    NamedGroup = 0x0102 // ffdhe4096
	GroupFfdhe6144                    NamedGroup = 0x0103 // ffdhe6144
	GroupFfdhe8192                    NamedGroup = 0x0104 // ffdhe8192
	GroupMLKEM512                     NamedGroup = 0x0200 // MLKEM512
	GroupMLKEM768                     NamedGroup = 0x0201 // MLKEM768
	GroupMLKEM1024                    NamedGroup = 0x0202 // MLKEM1024
	GroupSecP256r1MLKEM768            NamedGroup = 0x11EB // SecP256r1MLKEM768
	GroupX25519MLKEM768               NamedGroup = 0x11EC // X25519MLKEM768
	GroupSecP384r1MLKEM1024           NamedGroup = 0x11ED // SecP384r1MLKEM1024
	GroupX25519Kyber768Draft00        NamedGroup = 0x6399 // X25519Kyber768Draft00
	GroupSecP256r1Kyber768Draft00     NamedGroup = 0x639A // SecP256r1Kyber768Draft00
	GroupArbitraryExplicitPrimeCurves NamedGroup = 0xFF01 // arbitrary_explicit_prime_curves
	GroupArbitraryExplicitChar2Curves NamedGroup = 0xFF02 // arbitrary_explicit_char2_curves
)

// String returns the IANA name of g, "GREASE", or "0x%04x".
func (g NamedGroup) String() string { return nameOrHex(g, "NamedGroup(") }
