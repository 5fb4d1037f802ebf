package capgen

import (
	"crypto/tls"
	"errors"
	"net"
	"sync"
)

// write is one Write call of one side of a recorded connection.
type write struct {
	Side  Side   `json:"side"`
	Bytes []byte `json:"bytes"`
}

// recorder is one end of an in-memory connection that logs what it writes.
type recorder struct {
	net.Conn
	side Side
	mu   *sync.Mutex
	log  *[]*write
}

// Write logs b before writing it (net.Pipe writes are synchronous, so the log
// keeps the order in which the peer reads), then trims the entry to what was
// actually written.
func (r *recorder) Write(b []byte) (int, error) {
	e := &write{Side: r.side, Bytes: append([]byte(nil), b...)}
	r.mu.Lock()
	*r.log = append(*r.log, e)
	r.mu.Unlock()
	n, err := r.Conn.Write(b)
	r.mu.Lock()
	e.Bytes = e.Bytes[:n]
	r.mu.Unlock()
	return n, err
}

// handshakeBoth runs the client's and the server's handshakes at once over
// the two ends of a pipe, cp and sp, closing an end whose handshake failed
// so that the other returns, then both ends; it returns each side's error.
func handshakeBoth(cc, sc *tls.Conn, cp, sp net.Conn) (cerr, serr error) {
	var wg sync.WaitGroup
	wg.Add(2)
	go func() {
		defer wg.Done()
		if cerr = cc.Handshake(); cerr != nil {
			cp.Close()
		}
	}()
	go func() {
		defer wg.Done()
		if serr = sc.Handshake(); serr != nil {
			sp.Close()
		}
	}()
	wg.Wait()
	cp.Close()
	sp.Close()
	return cerr, serr
}

// recordTLS runs a TLS handshake between client and server configurations
// over an in-memory pipe and returns what each side wrote, in order. The
// handshake errors, if any, are returned too; a failing handshake is still a
// useful transcript (alerts).
func recordTLS(client, server *tls.Config) ([]write, error, error) {
	cp, sp := net.Pipe()
	var mu sync.Mutex
	var log []*write
	cc := tls.Client(&recorder{Conn: cp, side: Client, mu: &mu, log: &log}, client)
	sc := tls.Server(&recorder{Conn: sp, side: Server, mu: &mu, log: &log}, server)
	cerr, serr := handshakeBoth(cc, sc, cp, sp)
	var out []write
	for _, e := range log {
		if len(e.Bytes) > 0 {
			out = append(out, *e)
		}
	}
	if len(out) == 0 {
		return nil, cerr, errors.Join(serr, errors.New("capgen: nothing was written"))
	}
	return out, cerr, serr
}
