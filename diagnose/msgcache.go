package diagnose

import (
	"github.com/siptls/siptls/certinfo"
	"github.com/siptls/siptls/tlsparse"
)

// Bounds of a msgCache: messages longer than maxCachedMessage are not
// cached, and at most maxCachedMessages are kept (about 1 MiB of keys at
// the most); when it is full it starts again.
const (
	maxCachedMessage  = 16 << 10
	maxCachedMessages = 64
)

// msgCache remembers what was made of handshake messages that repeat from
// connection to connection, keyed by their bytes: a server's Certificate
// and CertificateRequest are the same bytes on every handshake, and a
// capture of a busy trunk holds thousands of them. A hit costs a map
// lookup instead of parsing the message, its certificates and its
// distinguished names again. An Analyzer owns its caches (no locking).
type msgCache[V any] struct {
	m map[string]msgEntry[V]
}

type msgEntry[V any] struct {
	version tlsparse.Version // the version the message was parsed with
	v       V
}

// get returns what was made of msg, parsed with version.
func (c *msgCache[V]) get(msg []byte, version tlsparse.Version) (V, bool) {
	e, ok := c.m[string(msg)]
	if !ok || e.version != version {
		var zero V
		return zero, false
	}
	return e.v, true
}

// put remembers v for msg, parsed with version, if msg is small enough.
func (c *msgCache[V]) put(msg []byte, version tlsparse.Version, v V) {
	if len(msg) > maxCachedMessage {
		return
	}
	if c.m == nil {
		c.m = make(map[string]msgEntry[V])
	}
	if len(c.m) >= maxCachedMessages {
		clear(c.m)
	}
	c.m[string(msg)] = msgEntry[V]{version, v}
}

// certMsg is what a Certificate message holds, as a connection records it.
type certMsg struct {
	infos []*certinfo.Info // the certificates, in chain order
	what  string           // the timeline entry
}

// certReqMsg is what a CertificateRequest holds, as a connection records
// it; Frame is the connection's. Its slices are shared by every
// connection that received the same message and are never modified.
type certReqMsg struct {
	cr   CertificateRequest
	what string
}
