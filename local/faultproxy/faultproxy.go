// Package faultproxy is a TCP proxy in front of a dependency (PostgreSQL,
// Redis) that can make it misbehave the way real ones do, for load and fault
// runs: hung (connections stay open, nothing answers: a stopped server, a
// partition, a compute waking up), down (refused: the port is closed), slow
// to accept (a sleeping Neon compute's first connection), or restarted
// (every connection reset at once, as when PgBouncer restarts).
package faultproxy

import (
	"fmt"
	"net"
	"sync"
	"time"
)

// Mode is how the proxy behaves.
type Mode int

const (
	// Pass forwards bytes both ways.
	Pass Mode = iota
	// Hang accepts connections and forwards nothing, either way.
	Hang
	// Down refuses connections (the listener is closed) and resets open ones.
	Down
)

// Proxy forwards a loopback port to a target.
type Proxy struct {
	target string
	addr   string

	mu         sync.Mutex
	cond       *sync.Cond
	ln         net.Listener
	mode       Mode
	acceptWait time.Duration // before dialing the target
	conns      map[net.Conn]bool
	closed     bool
}

// Start listens on a free loopback port and forwards to target.
func Start(target string) (*Proxy, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, fmt.Errorf("faultproxy: %w", err)
	}
	p := &Proxy{target: target, addr: ln.Addr().String(), ln: ln, conns: map[net.Conn]bool{}}
	p.cond = sync.NewCond(&p.mu)
	go p.serve(ln)
	return p, nil
}

// Addr is the proxy's host:port.
func (p *Proxy) Addr() string { return p.addr }

// SetAcceptDelay makes each new connection wait d before the target is
// dialed (0: none).
func (p *Proxy) SetAcceptDelay(d time.Duration) {
	p.mu.Lock()
	p.acceptWait = d
	p.mu.Unlock()
}

// Set switches the mode. Down closes the listener and resets every open
// connection; leaving Down listens on the same port again.
func (p *Proxy) Set(m Mode) error {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.closed || m == p.mode {
		return nil
	}
	if m == Down {
		p.ln.Close()
		p.resetLocked()
	}
	if p.mode == Down {
		ln, err := net.Listen("tcp", p.addr)
		if err != nil {
			return fmt.Errorf("faultproxy: listen again on %s: %w", p.addr, err)
		}
		p.ln = ln
		go p.serve(ln)
	}
	p.mode = m
	p.cond.Broadcast()
	return nil
}

// Reset closes every open connection at once (RST), as a restarted server
// or pooler does; new ones are accepted as before.
func (p *Proxy) Reset() {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.resetLocked()
}

func (p *Proxy) resetLocked() {
	for c := range p.conns {
		if tc, ok := c.(*net.TCPConn); ok {
			_ = tc.SetLinger(0)
		}
		c.Close()
	}
	p.conns = map[net.Conn]bool{}
}

// Close stops the proxy.
func (p *Proxy) Close() error {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.closed = true
	p.resetLocked()
	p.cond.Broadcast()
	return p.ln.Close()
}

func (p *Proxy) serve(ln net.Listener) {
	for {
		client, err := ln.Accept()
		if err != nil {
			return
		}
		go p.handle(client)
	}
}

func (p *Proxy) track(c net.Conn) bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.closed {
		c.Close()
		return false
	}
	p.conns[c] = true
	return true
}

func (p *Proxy) handle(client net.Conn) {
	if !p.track(client) {
		return
	}
	p.mu.Lock()
	wait := p.acceptWait
	p.mu.Unlock()
	time.Sleep(wait)
	if !p.passing() {
		return // Down reset it; closed
	}
	server, err := net.DialTimeout("tcp", p.target, 5*time.Second)
	if err != nil {
		client.Close()
		return
	}
	if !p.track(server) {
		client.Close()
		return
	}
	go p.pipe(client, server)
	p.pipe(server, client)
}

// passing waits while the proxy hangs; false when it is down or closed.
func (p *Proxy) passing() bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	for p.mode == Hang && !p.closed {
		p.cond.Wait()
	}
	return p.mode == Pass && !p.closed
}

// pipe copies src to dst, holding what it read while the proxy hangs.
func (p *Proxy) pipe(dst, src net.Conn) {
	defer dst.Close()
	defer src.Close()
	buf := make([]byte, 32<<10)
	for {
		n, err := src.Read(buf)
		if n > 0 {
			if !p.passing() {
				return
			}
			if _, werr := dst.Write(buf[:n]); werr != nil {
				return
			}
		}
		if err != nil {
			return
		}
	}
}
