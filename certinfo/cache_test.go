package certinfo

import (
	"fmt"
	"sync"
	"testing"
)

func TestCache(t *testing.T) {
	a := readCert(t, "cucm-callmanager")
	b := readCert(t, "cucm-multiserver-rsa")
	c := readCert(t, "ed25519-ca")
	cache := NewCache(2)

	buf := append([]byte(nil), a...)
	first := cache.Get(buf)
	buf[10] ^= 0xff // the caller reuses its buffer
	if again := cache.Get(a); again != first {
		t.Error("same DER parsed twice")
	}
	if first.SHA256 != Parse(a).SHA256 || first.Subject != Parse(a).Subject {
		t.Error("cached Info differs from Parse")
	}
	cache.Get(b)
	cache.Get(a) // a is now the most recently used
	cache.Get(c) // evicts b
	if n := cache.Len(); n != 2 {
		t.Errorf("Len() = %d, want 2", n)
	}
	hits, misses := cache.Stats()
	if hits != 2 || misses != 3 {
		t.Errorf("Stats() = %d hits, %d misses; want 2, 3", hits, misses)
	}
	if cache.Get(a) != first {
		t.Error("a was evicted instead of b")
	}
	if _, misses = cache.Stats(); misses != 3 {
		t.Errorf("a parsed again")
	}
	cache.Get(b)
	if _, misses = cache.Stats(); misses != 4 {
		t.Errorf("b was not evicted")
	}
}

func TestCacheMinimumSize(t *testing.T) {
	cache := NewCache(0)
	cache.Get([]byte{1})
	cache.Get([]byte{2})
	if n := cache.Len(); n != 1 {
		t.Errorf("Len() = %d, want 1", n)
	}
}

// TestCacheConcurrent runs Get from many goroutines (use -race).
func TestCacheConcurrent(t *testing.T) {
	var ders [][]byte
	for _, f := range testdataCerts(t)[:8] {
		ders = append(ders, readCert(t, nameOf(f)))
	}
	cache := NewCache(5)
	var wg sync.WaitGroup
	for g := 0; g < 8; g++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < 200; i++ {
				der := ders[(g+i)%len(ders)]
				if info := cache.Get(der); info.SHA256 != fmt.Sprintf("%x", sha256Sum(der)) {
					t.Errorf("wrong Info for certificate %d", (g+i)%len(ders))
					return
				}
			}
		}()
	}
	wg.Wait()
	if n := cache.Len(); n > 5 {
		t.Errorf("Len() = %d, over the bound 5", n)
	}
}
