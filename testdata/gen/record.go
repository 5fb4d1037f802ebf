package main

import (
	"errors"
	"io"
	"net"
	"strconv"
	"sync"
	"time"

	"github.com/siptls/siptls/internal/capgen"
)

// evKind is what a recorded event is.
type evKind uint8

const (
	evData  evKind = iota // bytes one side wrote
	evClose               // one side closed (FIN on the wire)
)

// event is one thing a side did, in the order the stacks did it.
type event struct {
	Side  capgen.Side
	Kind  evKind
	Bytes []byte
	When  time.Time     // real time of the write, used only to group writes into flights
	Pause time.Duration // scripted think time before this event (SIP: ringing, answering)
}

// transcript records what both sides wrote, in order. Each write is recorded before it
// reaches the peer, so the order is causal.
type transcript struct {
	mu     sync.Mutex
	events []event
	pause  [2]time.Duration
}

func (t *transcript) add(side capgen.Side, k evKind, b []byte) {
	t.mu.Lock()
	defer t.mu.Unlock()
	e := event{Side: side, Kind: k, Bytes: append([]byte(nil), b...), When: time.Now(), Pause: t.pause[side]}
	t.pause[side] = 0
	t.events = append(t.events, e)
}

// think makes the next event of side happen d later on the capture's clock.
func (t *transcript) think(side capgen.Side, d time.Duration) {
	t.mu.Lock()
	t.pause[side] += d
	t.mu.Unlock()
}

func (t *transcript) snapshot() []event {
	t.mu.Lock()
	defer t.mu.Unlock()
	return append([]event(nil), t.events...)
}

// recConn records every Write of one side of a Go TLS connection, and its Close.
type recConn struct {
	net.Conn
	t      *transcript
	side   capgen.Side
	closed sync.Once
}

func (c *recConn) Write(b []byte) (int, error) {
	c.t.add(c.side, evData, b)
	return c.Conn.Write(b)
}

func (c *recConn) Close() error {
	c.closed.Do(func() { c.t.add(c.side, evClose, nil) })
	return c.Conn.Close()
}

// relay accepts one connection on a loopback port and forwards it to target, recording
// what each side wrote. It returns the port to dial and a channel closed when both
// directions are finished.
func relay(t *transcript, target int) (int, <-chan struct{}, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, nil, err
	}
	done := make(chan struct{})
	go func() {
		defer close(done)
		defer l.Close()
		l.(*net.TCPListener).SetDeadline(time.Now().Add(15 * time.Second))
		cc, err := l.Accept()
		if err != nil {
			return
		}
		defer cc.Close()
		sc, err := net.Dial("tcp", net.JoinHostPort("127.0.0.1", strconv.Itoa(target)))
		if err != nil {
			return
		}
		defer sc.Close()
		deadline := time.Now().Add(15 * time.Second)
		cc.SetDeadline(deadline)
		sc.SetDeadline(deadline)
		var wg sync.WaitGroup
		pipe := func(side capgen.Side, from, to net.Conn) {
			defer wg.Done()
			buf := make([]byte, 65536)
			for {
				n, err := from.Read(buf)
				if n > 0 {
					data := append([]byte(nil), buf[:n]...)
					if err == nil {
						// Before the peer sees these bytes, look for more of the same
						// write or the close that follows it (s_client sends close_notify
						// and exits): the close is then recorded before the peer's
						// answer, as it happened, whatever the goroutines' timing.
						from.SetReadDeadline(time.Now().Add(3 * time.Millisecond))
						m, err2 := from.Read(buf)
						from.SetReadDeadline(deadline)
						data = append(data, buf[:m]...)
						var ne net.Error
						if err2 != nil && !(errors.As(err2, &ne) && ne.Timeout()) {
							err = err2
						}
					}
					t.add(side, evData, data)
					if _, werr := to.Write(data); werr != nil {
						return
					}
				}
				if err != nil {
					if errors.Is(err, io.EOF) {
						t.add(side, evClose, nil)
						to.(*net.TCPConn).CloseWrite()
					} else {
						// A reset or timeout: treat it as the end of that side.
						t.add(side, evClose, nil)
						to.Close()
						from.Close()
					}
					return
				}
			}
		}
		wg.Add(2)
		go pipe(capgen.Client, cc, sc)
		go pipe(capgen.Server, sc, cc)
		wg.Wait()
	}()
	return l.Addr().(*net.TCPAddr).Port, done, nil
}
