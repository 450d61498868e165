package bench

import (
	"fmt"
	"io"
	"net"
	"sync"
	"sync/atomic"
	"time"
)

// proxy is the TCP proxy the counters share: it listens on a free loopback
// port, dials target for each client, copies the server's bytes back as
// they are, and passes the client's bytes through forward, which counts
// what it sees on the way. It is also a delay line (SetDelay): each chunk
// from the client reaches the server that much later, in order, so that
// every round trip costs the delay, as a database or cache in another
// building does.
type proxy struct {
	delay   atomic.Int64 // nanoseconds
	ln      net.Listener
	target  string
	forward func(server io.Writer, client io.Reader) error
	onConn  func() // called for each client connection; may be nil
	wg      sync.WaitGroup
	mu      sync.Mutex
	open    map[net.Conn]bool
	closed  bool
}

func startProxy(name, target string, forward func(server io.Writer, client io.Reader) error, onConn func()) (*proxy, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	p := &proxy{ln: ln, target: target, forward: forward, onConn: onConn, open: map[net.Conn]bool{}}
	p.wg.Add(1)
	go p.serve()
	return p, nil
}

// SetDelay sets how much later each chunk from a client reaches the server
// from now on (0: at once).
func (p *proxy) SetDelay(d time.Duration) { p.delay.Store(int64(d)) }

// Addr is the proxy's host:port.
func (p *proxy) Addr() string { return p.ln.Addr().String() }

// Close stops listening and closes every connection.
func (p *proxy) Close() error {
	err := p.ln.Close()
	p.mu.Lock()
	p.closed = true
	for c := range p.open {
		c.Close()
	}
	p.mu.Unlock()
	p.wg.Wait()
	return err
}

func (p *proxy) track(c net.Conn) bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.closed {
		c.Close()
		return false
	}
	p.open[c] = true
	return true
}

func (p *proxy) serve() {
	defer p.wg.Done()
	for {
		client, err := p.ln.Accept()
		if err != nil {
			return
		}
		server, err := net.Dial("tcp", p.target)
		if err != nil {
			client.Close()
			continue
		}
		if !p.track(client) || !p.track(server) {
			client.Close()
			server.Close()
			continue
		}
		if p.onConn != nil {
			p.onConn()
		}
		p.wg.Add(2)
		go func() {
			defer p.wg.Done()
			_, _ = io.Copy(client, server)
			client.Close()
		}()
		go func() {
			defer p.wg.Done()
			line := newDelayLine(server, &p.delay)
			_ = p.forward(line, client)
			line.close() // what is on the line still arrives
			server.Close()
		}()
	}
}

// delayLine writes each chunk to w delay after it was given, in order.
type delayLine struct {
	w      io.Writer
	delay  *atomic.Int64
	chunks chan delayedChunk
	done   chan struct{}
	failed atomic.Bool
}

type delayedChunk struct {
	at time.Time
	b  []byte
}

func newDelayLine(w io.Writer, delay *atomic.Int64) *delayLine {
	l := &delayLine{w: w, delay: delay, chunks: make(chan delayedChunk, 4096), done: make(chan struct{})}
	go func() {
		defer close(l.done)
		for c := range l.chunks {
			if d := time.Until(c.at); d > 0 {
				time.Sleep(d)
			}
			if _, err := l.w.Write(c.b); err != nil {
				l.failed.Store(true)
			}
		}
	}()
	return l
}

// Write queues a copy of b; it fails once a write to the server has.
func (l *delayLine) Write(b []byte) (int, error) {
	if l.failed.Load() {
		return 0, io.ErrClosedPipe
	}
	l.chunks <- delayedChunk{at: time.Now().Add(time.Duration(l.delay.Load())), b: append([]byte(nil), b...)}
	return len(b), nil
}

// close waits for the queued chunks to be written.
func (l *delayLine) close() {
	close(l.chunks)
	<-l.done
}
