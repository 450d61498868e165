package bench

import (
	"bufio"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"net"
	"sync"
	"sync/atomic"
)

// PGCounter is a TCP proxy in front of PostgreSQL that counts the round
// trips its clients make. In the wire protocol a client waits for the server
// after a simple Query ('Q') or after the Sync ('S') that ends an extended
// query (Parse/Bind/Execute…, or a whole pipelined batch), so each such
// message is one round trip. Connection set-up (startup, authentication)
// is counted apart, in Connections. Clients must not use TLS (sslmode=disable).
type PGCounter struct {
	ln     net.Listener
	target string
	trips  atomic.Int64
	conns  atomic.Int64
	wg     sync.WaitGroup
	mu     sync.Mutex
	open   map[net.Conn]bool
	closed bool
}

// NewPGCounter listens on a free loopback port and forwards to target (host:port).
func NewPGCounter(target string) (*PGCounter, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, fmt.Errorf("pg counter: %w", err)
	}
	p := &PGCounter{ln: ln, target: target, open: map[net.Conn]bool{}}
	p.wg.Add(1)
	go p.serve()
	return p, nil
}

// Addr is the proxy's host:port.
func (p *PGCounter) Addr() string { return p.ln.Addr().String() }

// RoundTrips is the number of round trips since the start.
func (p *PGCounter) RoundTrips() int64 { return p.trips.Load() }

// Connections is the number of connections clients have opened.
func (p *PGCounter) Connections() int64 { return p.conns.Load() }

// Close stops listening and closes every connection.
func (p *PGCounter) Close() error {
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

func (p *PGCounter) track(c net.Conn) bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.closed {
		c.Close()
		return false
	}
	p.open[c] = true
	return true
}

func (p *PGCounter) serve() {
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
		p.conns.Add(1)
		p.wg.Add(2)
		go func() {
			defer p.wg.Done()
			_, _ = io.Copy(client, server)
			client.Close()
		}()
		go func() {
			defer p.wg.Done()
			_ = p.forward(server, client)
			server.Close()
		}()
	}
}

// Protocol codes of the untyped messages that precede StartupMessage.
const (
	sslRequest    = 80877103
	gssEncRequest = 80877104
	cancelRequest = 80877102
)

// forward copies the client's messages to the server, counting round trips.
func (p *PGCounter) forward(server io.Writer, client io.Reader) error {
	r := bufio.NewReader(client)
	// Untyped messages: length, code, body, until the StartupMessage.
	for {
		var hdr [8]byte
		if _, err := io.ReadFull(r, hdr[:]); err != nil {
			return err
		}
		n := int64(binary.BigEndian.Uint32(hdr[:4]))
		if n < 8 {
			return errors.New("pg counter: bad startup message")
		}
		if _, err := server.Write(hdr[:]); err != nil {
			return err
		}
		if _, err := io.CopyN(server, r, n-8); err != nil {
			return err
		}
		code := binary.BigEndian.Uint32(hdr[4:])
		if code != sslRequest && code != gssEncRequest && code != cancelRequest {
			break
		}
	}
	// Typed messages: type, length (itself included), body.
	for {
		var hdr [5]byte
		if _, err := io.ReadFull(r, hdr[:]); err != nil {
			return err
		}
		n := int64(binary.BigEndian.Uint32(hdr[1:]))
		if n < 4 {
			return errors.New("pg counter: bad message length")
		}
		if hdr[0] == 'Q' || hdr[0] == 'S' {
			p.trips.Add(1)
		}
		if _, err := server.Write(hdr[:]); err != nil {
			return err
		}
		if _, err := io.CopyN(server, r, n-4); err != nil {
			return err
		}
	}
}
