// Package tlstest holds what tests share to record real crypto/tls
// sessions: a connection that keeps the bytes each side wrote, which are
// the TLS records a capture of the session shows.
package tlstest

import (
	"bytes"
	"net"
	"sync"
)

// RecordingConn is a net.Conn that keeps a copy of everything written to
// it. It is safe for the concurrent use crypto/tls makes of it.
type RecordingConn struct {
	net.Conn
	mu  sync.Mutex
	buf bytes.Buffer
}

// Record returns a RecordingConn over c.
func Record(c net.Conn) *RecordingConn { return &RecordingConn{Conn: c} }

// Write records p and writes it to the underlying connection.
func (c *RecordingConn) Write(p []byte) (int, error) {
	c.mu.Lock()
	c.buf.Write(p)
	c.mu.Unlock()
	return c.Conn.Write(p)
}

// Bytes returns a copy of everything written so far.
func (c *RecordingConn) Bytes() []byte {
	c.mu.Lock()
	defer c.mu.Unlock()
	return bytes.Clone(c.buf.Bytes())
}
