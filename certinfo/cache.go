package certinfo

import (
	"bytes"
	"container/list"
	"crypto/sha256"
	"sync"
)

// Cache parses each distinct DER certificate once. Captures repeat the same
// few certificates in every handshake, thousands of times. Entries are
// keyed by the SHA-256 of the DER; when more than max are held, the least
// recently used is evicted. A Cache is safe for concurrent use; the zero
// value is not usable, call NewCache.
type Cache struct {
	mu      sync.Mutex
	max     int
	entries map[[sha256.Size]byte]*list.Element
	lru     *list.List // of cacheEntry, most recently used first
	hits    uint64
	misses  uint64
}

// cacheEntry is one parsed certificate and its key.
type cacheEntry struct {
	key  [sha256.Size]byte
	info *Info
}

// NewCache returns a cache holding at most max certificates (at least 1).
func NewCache(max int) *Cache {
	if max < 1 {
		max = 1
	}
	return &Cache{max: max, entries: make(map[[sha256.Size]byte]*list.Element), lru: list.New()}
}

// Get returns Parse(der), parsing der only if no equal DER was seen
// recently. The returned *Info is shared between callers and must not be
// modified; its DER is a private copy, so der may be reused by the caller.
// Two goroutines asking for the same new certificate at once may both
// parse it; the first result stored wins.
func (c *Cache) Get(der []byte) *Info {
	key := sha256.Sum256(der)
	c.mu.Lock()
	if e, ok := c.entries[key]; ok {
		info := e.Value.(cacheEntry).info
		// A SHA-256 collision is not expected, but a wrong answer would
		// be worse than a second parse.
		if bytes.Equal(info.DER, der) {
			c.lru.MoveToFront(e)
			c.hits++
			c.mu.Unlock()
			return info
		}
	}
	c.misses++
	c.mu.Unlock()

	info := Parse(bytes.Clone(der))

	c.mu.Lock()
	defer c.mu.Unlock()
	if e, ok := c.entries[key]; ok {
		c.lru.MoveToFront(e)
		return e.Value.(cacheEntry).info
	}
	c.entries[key] = c.lru.PushFront(cacheEntry{key, info})
	for c.lru.Len() > c.max {
		oldest := c.lru.Back()
		c.lru.Remove(oldest)
		delete(c.entries, oldest.Value.(cacheEntry).key)
	}
	return info
}

// Len reports how many certificates the cache holds.
func (c *Cache) Len() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.lru.Len()
}

// Stats reports how many Get calls were answered from the cache (hits)
// and how many parsed (misses).
func (c *Cache) Stats() (hits, misses uint64) {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.hits, c.misses
}
