package main

import (
	"encoding/pem"
	"os"
	"path/filepath"
)

// trustFolder writes testdata/trust/cucm7-pub-CallManager-trust: what an admin exports
// from cucm7-pub's OS Administration > Certificate Management for CallManager-trust.
// It holds a stale copy of cube1's certificate (the one from before the CUBE's
// trustpoint was regenerated on 2025-08-05), which is why the CUBE's inbound
// call fails in the sample.
func (g *gen) trustFolder() error {
	dir := filepath.Join(g.out, "trust", "cucm7-pub-CallManager-trust")
	err := writeFolder(dir, map[string][]byte{
		"cucm8-pub.clus2.lab.pem":  g.certPEM("cucm8-pub"),
		"cucm8-sub1.clus2.lab.pem": g.certPEM("cucm8-sub1"),
		"cucm8-sub2.clus2.lab.pem": g.certPEM("cucm8-sub2"),
		"cube1.lab.der":            g.id("cube1-old").Cert.Raw, // stale
		"README.txt": []byte("Exported from cucm7-pub OS Administration > Security > Certificate Management,\r\n" +
			"filter Certificate Usage = CallManager-trust, 2026-11-20. Ask Dave before deleting.\r\n"),
	})
	if err != nil {
		return err
	}
	if err := g.cubeTrustpoints(); err != nil {
		return err
	}
	// The CA bundle as the CA delivered it: PKCS#7 made by OpenSSL.
	chain := g.pemFile("ca-bundle.pem", g.id("lab-root-ca").Cert, g.id("lab-issuing-ca").Cert)
	_, err = g.openssl(g.tmp, "crl2pkcs7", "-nocrl", "-certfile", chain, "-outform", "DER",
		"-out", filepath.Join(dir, "Example_Labs_CA_bundle.p7b"))
	return err
}

// cubeTrustpoints writes testdata/trust/cube1-trustpoints: the certificates the
// CUBE trusts, exported from its trustpoints. It holds the lab root CA but not
// the issuing CA, so a peer that sends its CA-signed leaf without the
// intermediate cannot be verified (missing_intermediate).
func (g *gen) cubeTrustpoints() error {
	return writeFolder(filepath.Join(g.out, "trust", "cube1-trustpoints"), map[string][]byte{
		"Example_Labs_Root_CA.pem": g.certPEM("lab-root-ca"),
		"cucm7-pub.clus1.lab.pem":  g.certPEM("cucm7-pub"),
	})
}

// certPEM is the certificate of identity id, PEM-encoded.
func (g *gen) certPEM(id string) []byte {
	return pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: g.id(id).Cert.Raw})
}

// writeFolder replaces dir with a folder holding files (name to content).
func writeFolder(dir string, files map[string][]byte) error {
	if err := os.RemoveAll(dir); err != nil {
		return err
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	for n, b := range files {
		if err := os.WriteFile(filepath.Join(dir, n), b, 0o644); err != nil {
			return err
		}
	}
	return nil
}
