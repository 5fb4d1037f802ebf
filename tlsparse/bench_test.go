package tlsparse

import "testing"

// benchMessage returns the first recorded message of type typ in a scenario.
func benchMessage(b *testing.B, scenario string, typ HandshakeType) versionedMsg {
	b.Helper()
	for _, vm := range fixtureMessages(b) {
		if vm.scenario == scenario && HandshakeType(vm.msg[0]) == typ {
			return vm
		}
	}
	b.Fatalf("no %s in %s", typ, scenario)
	return versionedMsg{}
}

func benchmarkParse(b *testing.B, vm versionedMsg) {
	b.SetBytes(int64(len(vm.msg)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := ParseHandshake(vm.msg, vm.v); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkParseClientHello(b *testing.B) {
	benchmarkParse(b, benchMessage(b, "tls13", TypeClientHello))
}

func BenchmarkParseCertificate(b *testing.B) {
	benchmarkParse(b, benchMessage(b, "tls12-mutual", TypeCertificate))
}

func BenchmarkParseCertificateRequest300CAs(b *testing.B) {
	benchmarkParse(b, benchMessage(b, "tls12-mutual-300cas", TypeCertificateRequest))
}

func BenchmarkDefragmenter(b *testing.B) {
	vm := benchMessage(b, "tls12-mutual-300cas", TypeCertificateRequest)
	b.SetBytes(int64(len(vm.msg)))
	b.ReportAllocs()
	for b.Loop() {
		var d Defragmenter
		for off := 0; off < len(vm.msg); off += 1 << 14 {
			if _, err := d.Add(vm.msg[off:min(off+1<<14, len(vm.msg))]); err != nil {
				b.Fatal(err)
			}
		}
	}
}
