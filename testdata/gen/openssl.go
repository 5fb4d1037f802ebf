package main

import (
	"bufio"
	"bytes"
	"context"
	"crypto/x509"
	"encoding/hex"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"time"
)

// opensslCA is the minimal configuration `openssl ca` needs to sign with fixed dates
// (OpenSSL 3.0's `openssl x509` can only start validity now).
const opensslCA = `[ ca ]
default_ca = CA_default
[ CA_default ]
dir = %s
database = $dir/index.txt
new_certs_dir = $dir
serial = $dir/serial
default_md = sha256
policy = policy_any
unique_subject = no
copy_extensions = none
email_in_dn = no
[ policy_any ]
commonName = supplied
countryName = optional
stateOrProvinceName = optional
localityName = optional
organizationName = optional
organizationalUnitName = optional
[ req ]
distinguished_name = req_dn
prompt = no
[ req_dn ]
CN = unused
[ ext_cm_selfsigned ]
basicConstraints = critical, CA:TRUE
keyUsage = critical, digitalSignature, keyEncipherment, dataEncipherment, keyCertSign
extendedKeyUsage = serverAuth, clientAuth, ipsecEndSystem
subjectKeyIdentifier = hash
subjectAltName = %s
[ ext_server_only ]
basicConstraints = critical, CA:FALSE
keyUsage = critical, digitalSignature, keyEncipherment
extendedKeyUsage = serverAuth
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid
subjectAltName = %s
`

// opensslSpec is a certificate made by `openssl req` + `openssl ca`.
type opensslSpec struct {
	name, subj, san, ext, issuer string
	start, end                   string // YYYYMMDDHHMMSSZ
}

func opensslSpecs() []opensslSpec {
	return []opensslSpec{
		// cucm8-sub1's CallManager certificate that expired on 2026-10-30, three weeks before the capture.
		{name: "cucm8-sub1-expired", subj: "/C=US/ST=North Carolina/L=Raleigh/O=Example Labs/OU=Voice Engineering/CN=cucm8-sub1.clus2.lab",
			san: "DNS:cucm8-sub1.clus2.lab,DNS:cucm8-sub1", ext: "ext_cm_selfsigned", start: "20211030094512Z", end: "20261030094512Z"},
		// cucm8-pub re-issued by the CA from a web-server template: serverAuth only, no clientAuth.
		{name: "cucm8-pub-noclientauth", subj: "/C=US/ST=North Carolina/L=Raleigh/O=Example Labs/OU=Voice Engineering/CN=cucm8-pub.clus2.lab",
			san: "DNS:cucm8-pub.clus2.lab", ext: "ext_server_only", issuer: "lab-issuing-ca", start: "20260612080000Z", end: "20280611080000Z"},
	}
}

// openssl runs the openssl binary with args in dir and returns its combined output.
func (g *gen) openssl(dir string, args ...string) ([]byte, error) {
	cmd := exec.Command(g.opensslBin, args...)
	cmd.Dir = dir
	out, err := cmd.CombinedOutput()
	if err != nil {
		return out, fmt.Errorf("openssl %s: %w\n%s", strings.Join(args, " "), err, out)
	}
	return out, nil
}

// opensslIdentities loads or makes the OpenSSL-issued certificates.
func (g *gen) opensslIdentities() error {
	for _, sp := range opensslSpecs() {
		id, err := g.loadIdentity(sp.name)
		if err != nil {
			if id, err = g.makeOpenSSLIdentity(sp); err != nil {
				return fmt.Errorf("certificate %s: %w", sp.name, err)
			}
		}
		if sp.issuer != "" {
			id.Chain = []*x509.Certificate{g.ids[sp.issuer].Cert}
		}
		g.ids[sp.name] = id
	}
	return nil
}

func (g *gen) makeOpenSSLIdentity(sp opensslSpec) (*identity, error) {
	dir, err := os.MkdirTemp(g.tmp, "ca-")
	if err != nil {
		return nil, err
	}
	cnf := fmt.Sprintf(opensslCA, dir, sp.san, sp.san)
	serial := randSerial()
	files := map[string]string{"ca.cnf": cnf, "index.txt": "", "serial": hex.EncodeToString(serial.Bytes()) + "\n"}
	for n, c := range files {
		if err := os.WriteFile(filepath.Join(dir, n), []byte(c), 0o644); err != nil {
			return nil, err
		}
	}
	if _, err := g.openssl(dir, "req", "-new", "-config", "ca.cnf", "-newkey", "rsa:2048", "-nodes",
		"-keyout", "key.pem", "-subj", sp.subj, "-out", "req.csr"); err != nil {
		return nil, err
	}
	args := []string{"ca", "-batch", "-config", "ca.cnf", "-in", "req.csr", "-out", "cert.pem", "-notext",
		"-preserveDN", "-startdate", sp.start, "-enddate", sp.end, "-extensions", sp.ext}
	if sp.issuer == "" {
		args = append(args, "-selfsign", "-keyfile", "key.pem")
	} else {
		args = append(args, "-cert", g.certPath(sp.issuer), "-keyfile", g.keyPath(sp.issuer))
	}
	if _, err := g.openssl(dir, args...); err != nil {
		return nil, err
	}
	// Copy into testdata/certs, then load through the common path.
	for src, dst := range map[string]string{"cert.pem": g.certPath(sp.name), "key.pem": g.keyPath(sp.name)} {
		b, err := os.ReadFile(filepath.Join(dir, src))
		if err != nil {
			return nil, err
		}
		if err := os.WriteFile(dst, b, 0o644); err != nil {
			return nil, err
		}
	}
	saved := g.newCerts
	g.newCerts = false
	defer func() { g.newCerts = saved }()
	return g.loadIdentity(sp.name)
}

// freePort returns a loopback TCP port that was free a moment ago.
func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}

// proc is a running openssl s_server or s_client.
type proc struct {
	cmd   *exec.Cmd
	stdin io.WriteCloser
	mu    sync.Mutex
	out   bytes.Buffer
	ready chan struct{}
	done  chan struct{}
}

func (p *proc) output() string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.out.String()
}

// start runs openssl with args; ready is closed when a stdout/stderr line contains readyWord
// (empty: at once).
func (g *gen) start(ctx context.Context, readyWord string, args ...string) (*proc, error) {
	cmd := exec.CommandContext(ctx, g.opensslBin, args...)
	cmd.Dir = g.tmp
	p := &proc{cmd: cmd, ready: make(chan struct{}), done: make(chan struct{})}
	var err error
	if p.stdin, err = cmd.StdinPipe(); err != nil {
		return nil, err
	}
	pr, pw := io.Pipe()
	cmd.Stdout, cmd.Stderr = pw, pw
	if err := cmd.Start(); err != nil {
		return nil, err
	}
	var once sync.Once
	if readyWord == "" {
		once.Do(func() { close(p.ready) })
	}
	go func() {
		sc := bufio.NewScanner(pr)
		for sc.Scan() {
			p.mu.Lock()
			p.out.WriteString(sc.Text() + "\n")
			p.mu.Unlock()
			if readyWord != "" && strings.Contains(sc.Text(), readyWord) {
				once.Do(func() { close(p.ready) })
			}
		}
		io.Copy(io.Discard, pr)
	}()
	go func() {
		cmd.Wait()
		pw.Close()
		close(p.done)
	}()
	return p, nil
}

// sServer starts `openssl s_server` on a free loopback port for one connection and waits
// until it listens.
func (g *gen) sServer(ctx context.Context, args ...string) (*proc, int, error) {
	port, err := freePort()
	if err != nil {
		return nil, 0, err
	}
	all := append([]string{"s_server", "-accept", fmt.Sprintf("127.0.0.1:%d", port), "-naccept", "1", "-attime", g.atTime()}, args...)
	p, err := g.start(ctx, "ACCEPT", all...)
	if err != nil {
		return nil, 0, err
	}
	select {
	case <-p.ready:
	case <-p.done:
		return nil, 0, fmt.Errorf("s_server exited: %s", p.output())
	case <-time.After(10 * time.Second):
		return nil, 0, fmt.Errorf("s_server did not start: %s", p.output())
	}
	return p, port, nil
}

// sClient starts `openssl s_client` towards 127.0.0.1:port.
func (g *gen) sClient(ctx context.Context, port int, args ...string) (*proc, error) {
	all := append([]string{"s_client", "-connect", fmt.Sprintf("127.0.0.1:%d", port), "-attime", g.atTime(), "-no_ign_eof"}, args...)
	return g.start(ctx, "", all...)
}

// atTime is the capture time as OpenSSL's -attime wants it (seconds since the epoch), so
// that certificates are judged at the moment the capture claims.
func (g *gen) atTime() string { return fmt.Sprint(captureTime.Unix()) }
