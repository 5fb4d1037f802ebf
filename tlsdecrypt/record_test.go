package tlsdecrypt

import "testing"

// TestUpdateKeysTLS13Only: only a TLS 1.3 Decrypter follows a KeyUpdate
// (keylog-openssl-tls13-keyupdate.pcap checks the keys it moves to,
// against OpenSSL and tshark, in package diagnose).
func TestUpdateKeysTLS13Only(t *testing.T) {
	d12, err := NewTLS12(0xc02f, 0x0303, make([]byte, 48), make([]byte, 32), make([]byte, 32), Client, false)
	if err != nil {
		t.Fatal(err)
	}
	if err := d12.UpdateKeys(); err != ErrNotTLS13 {
		t.Errorf("TLS 1.2 UpdateKeys = %v, want ErrNotTLS13", err)
	}
	d13, err := NewTLS13(0x1301, make([]byte, 32))
	if err != nil {
		t.Fatal(err)
	}
	d13.Skip(nil)
	before := append([]byte(nil), d13.nonce(0)...) // nonce's buffer is reused
	if err := d13.UpdateKeys(); err != nil {
		t.Fatal(err)
	}
	if d13.seq != 0 || string(d13.nonce(0)) == string(before) {
		t.Errorf("after UpdateKeys: sequence %d, IV unchanged %v", d13.seq, string(d13.nonce(0)) == string(before))
	}
}
