package bench

import (
	"bufio"
	"encoding/binary"
	"errors"
	"io"
	"sync/atomic"
)

// PGCounter is a TCP proxy in front of PostgreSQL that counts the round
// trips its clients make. In the wire protocol a client waits for the server
// after a simple Query ('Q') or after the Sync ('S') that ends an extended
// query (Parse/Bind/Execute…, or a whole pipelined batch), so each such
// message is one round trip. Connection set-up (startup, authentication)
// is counted apart, in Connections. Clients must not use TLS (sslmode=disable).
type PGCounter struct {
	*proxy
	trips atomic.Int64
	conns atomic.Int64
}

// NewPGCounter listens on a free loopback port and forwards to target (host:port).
func NewPGCounter(target string) (*PGCounter, error) {
	p := &PGCounter{}
	px, err := startProxy("pg counter", target, p.forward, func() { p.conns.Add(1) })
	if err != nil {
		return nil, err
	}
	p.proxy = px
	return p, nil
}

// RoundTrips is the number of round trips since the start.
func (p *PGCounter) RoundTrips() int64 { return p.trips.Load() }

// Connections is the number of connections clients have opened.
func (p *PGCounter) Connections() int64 { return p.conns.Load() }

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
		// Each message in one write: a pooler refuses a startup packet
		// that arrives in pieces.
		msg := make([]byte, n)
		copy(msg, hdr[:])
		if _, err := io.ReadFull(r, msg[8:]); err != nil {
			return err
		}
		if _, err := server.Write(msg); err != nil {
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
		msg := make([]byte, 1+n)
		copy(msg, hdr[:])
		if _, err := io.ReadFull(r, msg[5:]); err != nil {
			return err
		}
		if _, err := server.Write(msg); err != nil {
			return err
		}
	}
}
