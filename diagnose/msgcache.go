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

// lineCache keeps the timeline lines that repeat from connection to
// connection ("ServerHello (TLS 1.2, TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256)"),
// so that a busy trunk's thousands of handshakes share one string each
// instead of formatting it again. When it is full it starts again.
type lineCache struct{ m map[lineKey]string }

// maxCachedLines bounds a lineCache.
const maxCachedLines = 256

// lineKey is what a cached line is made of.
type lineKey struct {
	kind lineKind
	a, b uint16
	n    int
	s    string
}

// lineKind tells the kinds of cached lines apart.
type lineKind uint8

const (
	lineClientHello lineKind = iota + 1 // a: max version, n: cipher suites, s: SNI
	lineServerHello                     // a: version, b: cipher suite
)

// line returns the line of k, made by format the first time.
func (c *lineCache) line(k lineKey, format func() string) string {
	if l, ok := c.m[k]; ok {
		return l
	}
	if c.m == nil || len(c.m) >= maxCachedLines {
		c.m = map[lineKey]string{}
	}
	l := format()
	if len(k.s) <= 256 {
		c.m[k] = l
	}
	return l
}
