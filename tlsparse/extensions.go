package tlsparse

import (
	"fmt"
	"net/netip"
	"slices"
	"strings"

	"golang.org/x/crypto/cryptobyte"
)

// Extension is one extension as carried on the wire. Data is the
// extension_data (without the type and length) and aliases the input.
type Extension struct {
	Type ExtensionType
	Data []byte
}

// KeyShareEntry is one key_share entry (RFC 8446 section 4.2.8).
// KeyExchange aliases the input.
type KeyShareEntry struct {
	Group       NamedGroup
	KeyExchange []byte
}

// readExtensions reads an Extension extensions<0..2^16-1> vector (RFC 8446
// section 4.2) and keeps every extension in wire order.
func (r *reader) readExtensions(s *cryptobyte.String) ([]Extension, bool) {
	var list cryptobyte.String
	if !r.vec16(s, "extensions", &list) {
		return nil, false
	}
	exts := make([]Extension, 0, countExtensions(list))
	for !list.Empty() {
		var typ uint16
		var data cryptobyte.String
		if !r.u16(&list, "extensions.extension_type", &typ) ||
			!r.vec16(&list, "extensions.extension_data", &data) {
			return nil, false
		}
		exts = append(exts, Extension{Type: ExtensionType(typ), Data: data})
	}
	return exts, true
}

// countExtensions counts the extensions of list as far as their headers
// read, so that readExtensions allocates once.
func countExtensions(list cryptobyte.String) int {
	n := 0
	for len(list) >= 4 {
		l := int(list[2])<<8 | int(list[3])
		if len(list) < 4+l {
			break
		}
		list = list[4+l:]
		n++
	}
	return n
}

// extDecoder decodes the contents of known extensions. A decoding error in
// one extension becomes a Finding, not a parse error, because the message
// framing around it is sound.
type extDecoder struct {
	findings []Finding
	// seen are the extension types met so far: a short list scanned in
	// place (a hello has a dozen), and a map once it is long, so that a
	// hostile message of thousands of extensions is not quadratic.
	seen    []ExtensionType
	seenMap map[ExtensionType]bool
	seenBuf [16]ExtensionType
	r       reader            // decode's, for the extension being decoded
	s       cryptobyte.String // decode's
}

// maxSeenList is how many extension types extDecoder.seen lists before it
// uses a map.
const maxSeenList = 32

// first reports whether e is the first extension of its type; a repeated one
// is recorded as a duplicate_extension finding.
func (d *extDecoder) first(e Extension) bool {
	if d.repeated(e.Type) {
		d.findings = append(d.findings, Finding{Code: FindingDuplicateExtension,
			Detail: fmt.Sprintf("extension %s (%d) appears more than once", e.Type, uint16(e.Type))})
		return false
	}
	return true
}

// has reports whether an extension of type t was seen.
func (d *extDecoder) has(t ExtensionType) bool {
	if d.seenMap != nil {
		return d.seenMap[t]
	}
	return slices.Contains(d.seen, t)
}

// repeated records t as seen and reports whether it was seen before.
func (d *extDecoder) repeated(t ExtensionType) bool {
	if d.has(t) {
		return true
	}
	if d.seenMap != nil {
		d.seenMap[t] = true
		return false
	}
	if d.seen == nil {
		d.seen = d.seenBuf[:0]
	}
	d.seen = append(d.seen, t)
	if len(d.seen) > maxSeenList {
		d.seenMap = make(map[ExtensionType]bool, 2*len(d.seen))
		for _, s := range d.seen {
			d.seenMap[s] = true
		}
	}
	return false
}

// decode runs fn on e's data with a fresh reader and turns any failure,
// including leftover bytes, into a malformed_extension finding.
func (d *extDecoder) decode(e Extension, fn func(r *reader, s *cryptobyte.String) bool) bool {
	// The reader and the string are the decoder's, reset for each
	// extension: fn could keep them, so locals would be allocated each.
	d.r, d.s = reader{base: e.Data}, cryptobyte.String(e.Data)
	if fn(&d.r, &d.s) && d.r.end(d.s, e.Type.String()) {
		return true
	}
	d.findings = append(d.findings, Finding{Code: FindingMalformedExtension,
		Detail: fmt.Sprintf("extension %s: %v", e.Type, d.r.errText())})
	return false
}

// errText describes r.err without the "tlsparse:" prefix.
func (r *reader) errText() string {
	if pe, ok := r.err.(*ParseError); ok {
		return fmt.Sprintf("%s at offset %d: %v", pe.Field, pe.Offset, pe.Err)
	}
	if r.err != nil {
		return r.err.Error()
	}
	return "malformed"
}

// readU16Vec16 reads a non-empty list<2..2^16-2> of 16-bit values.
func readU16Vec16(r *reader, s *cryptobyte.String, field string) ([]uint16, bool) {
	var list cryptobyte.String
	if !r.vec16(s, field, &list) {
		return nil, false
	}
	if list.Empty() {
		return nil, r.malformed(list, field)
	}
	return uintList[uint16](r, list, field, 2)
}

// readSignatureAlgorithms reads supported_signature_algorithms (RFC 8446
// section 4.2.3).
func readSignatureAlgorithms(r *reader, s *cryptobyte.String, field string) ([]SignatureScheme, bool) {
	vals, ok := readU16Vec16(r, s, field)
	if !ok {
		return nil, false
	}
	out := make([]SignatureScheme, len(vals))
	for i, v := range vals {
		out[i] = SignatureScheme(v)
	}
	return out, true
}

// readAuthorities reads DistinguishedName authorities<3..2^16-1> (RFC 8446
// section 4.2.4, RFC 5246 section 7.4.4), returning each DN's DER and the
// declared length of the list.
func readAuthorities(r *reader, s *cryptobyte.String, field string, findings *[]Finding) ([][]byte, int, bool) {
	var list cryptobyte.String
	if !r.vec16(s, field, &list) {
		return nil, 0, false
	}
	declared := len(list)
	cas := [][]byte{}
	for !list.Empty() {
		var dn cryptobyte.String
		if !r.vec16(&list, field+".distinguished_name", &dn) {
			return nil, 0, false
		}
		if len(dn) == 0 && findings != nil {
			*findings = append(*findings, Finding{Code: FindingEmptyDistinguishedName,
				Detail: fmt.Sprintf("certificate_authorities entry %d is empty", len(cas))})
		}
		cas = append(cas, dn)
	}
	return cas, declared, true
}

// readALPN reads a ProtocolNameList (RFC 7301 section 3.1).
func readALPN(r *reader, s *cryptobyte.String) ([]string, bool) {
	var list cryptobyte.String
	if !r.vec16(s, "protocol_name_list", &list) {
		return nil, false
	}
	if list.Empty() {
		return nil, r.malformed(list, "protocol_name_list")
	}
	var protos []string
	for !list.Empty() {
		var p cryptobyte.String
		if !r.vec8(&list, "protocol_name", &p) {
			return nil, false
		}
		if p.Empty() {
			return nil, r.malformed(p, "protocol_name")
		}
		protos = append(protos, string(p))
	}
	return protos, true
}

// readServerName reads a ServerNameList (RFC 6066 section 3) and returns the
// first host_name, recording findings for what RFC 6066 forbids.
func readServerName(r *reader, s *cryptobyte.String, findings *[]Finding) (string, bool) {
	var list cryptobyte.String
	if !r.vec16(s, "server_name_list", &list) {
		return "", false
	}
	if list.Empty() {
		*findings = append(*findings, Finding{Code: FindingSNIEmpty, Detail: "server_name_list is empty"})
		return "", true
	}
	var host string
	names := 0
	for !list.Empty() {
		var nameType uint8
		var name cryptobyte.String
		if !r.u8(&list, "server_name.name_type", &nameType) ||
			!r.vec16(&list, "server_name.host_name", &name) {
			return "", false
		}
		if nameType != 0 {
			continue
		}
		names++
		if names == 1 {
			host = string(name)
		}
	}
	switch {
	case names > 1:
		*findings = append(*findings, Finding{Code: FindingSNIMultipleNames,
			Detail: fmt.Sprintf("server_name has %d host_name entries; the first, %q, is used", names, host)})
	case names == 1 && host == "":
		*findings = append(*findings, Finding{Code: FindingSNIEmpty, Detail: "server_name host_name is empty"})
	}
	if strings.HasSuffix(host, ".") {
		*findings = append(*findings, Finding{Code: FindingSNITrailingDot,
			Detail: fmt.Sprintf("server_name %q ends with a dot", host)})
	}
	if _, err := netip.ParseAddr(strings.TrimSuffix(host, ".")); err == nil {
		*findings = append(*findings, Finding{Code: FindingSNIIPLiteral,
			Detail: fmt.Sprintf("server_name %q is an IP address", host)})
	}
	return host, true
}

// readKeyShareEntry reads one KeyShareEntry.
func readKeyShareEntry(r *reader, s *cryptobyte.String) (KeyShareEntry, bool) {
	var group uint16
	var kx cryptobyte.String
	if !r.u16(s, "key_share.group", &group) || !r.vec16(s, "key_share.key_exchange", &kx) {
		return KeyShareEntry{}, false
	}
	return KeyShareEntry{Group: NamedGroup(group), KeyExchange: kx}, true
}

// versionFinding returns an unknown_version finding for v, if it is neither
// known nor GREASE.
func versionFinding(field string, v Version) []Finding {
	if v.Known() || isGREASE(uint16(v)) {
		return nil
	}
	return []Finding{{Code: FindingUnknownVersion, Detail: fmt.Sprintf("%s is %s", field, v)}}
}
