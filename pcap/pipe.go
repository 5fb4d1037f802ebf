package pcap

import (
	"io"
	"sync"
)

const (
	chunkSize    = 256 << 10
	chunkBuffers = 3
)

// prefetcher reads its source in a separate goroutine, a chunk ahead of
// its reader: Read uses it to decompress a gzip stream on one core while
// the goroutine that reads ahead (readAhead) splits and decodes on
// another.
type prefetcher struct {
	src   io.Reader
	full  chan chunk
	free  chan []byte
	stop  chan struct{}
	wg    sync.WaitGroup
	cur   chunk
	pos   int
	err   error
	close sync.Once
}

type chunk struct {
	buf []byte
	n   int
	err error
}

// prefetch returns r read a chunk ahead by a goroutine of its own, and the
// function that stops that goroutine; with off, r itself and a function
// that does nothing (Options.NoPrefetch).
func prefetch(r io.Reader, off bool) (io.Reader, func()) {
	if off {
		return r, func() {}
	}
	p := newPrefetcher(r)
	return p, p.Close
}

func newPrefetcher(src io.Reader) *prefetcher {
	p := &prefetcher{src: src, full: make(chan chunk, chunkBuffers), free: make(chan []byte, chunkBuffers), stop: make(chan struct{})}
	for i := 0; i < chunkBuffers; i++ {
		p.free <- make([]byte, chunkSize)
	}
	p.wg.Add(1)
	go p.run()
	return p
}

func (p *prefetcher) run() {
	defer p.wg.Done()
	for {
		var buf []byte
		select {
		case buf = <-p.free:
		case <-p.stop:
			return
		}
		n, err := fill(p.src, buf)
		select {
		case p.full <- chunk{buf, n, err}:
		case <-p.stop:
			return
		}
		if err != nil {
			return
		}
	}
}

// Read implements io.Reader.
func (p *prefetcher) Read(b []byte) (int, error) {
	for p.pos >= p.cur.n {
		if p.err != nil {
			return 0, p.err
		}
		if p.cur.buf != nil {
			p.free <- p.cur.buf
		}
		p.cur, p.pos = <-p.full, 0
		if p.cur.err != nil {
			p.err = p.cur.err
		}
	}
	n := copy(b, p.cur.buf[p.pos:p.cur.n])
	p.pos += n
	return n, nil
}

// Close stops the goroutine and waits for it.
func (p *prefetcher) Close() {
	p.close.Do(func() {
		close(p.stop)
		p.wg.Wait()
	})
}

// fill reads into buf until it is full or the source fails; unlike
// io.ReadFull it passes the source's own errors through unchanged.
func fill(r io.Reader, buf []byte) (int, error) {
	n := 0
	for n < len(buf) {
		m, err := r.Read(buf[n:])
		n += m
		if err != nil {
			return n, err
		}
		if m == 0 {
			// a reader returning nothing and no error: try a few times, then give up
			for i := 0; i < 100 && m == 0 && err == nil; i++ {
				m, err = r.Read(buf[n:])
			}
			n += m
			if err != nil {
				return n, err
			}
			if m == 0 {
				return n, io.ErrNoProgress
			}
		}
	}
	return n, nil
}
