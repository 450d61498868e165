package bench

import (
	"fmt"
	"io"
	"net"
	"sync"
)

// proxy is the TCP proxy the counters share: it listens on a free loopback
// port, dials target for each client, copies the server's bytes back as
// they are, and passes the client's bytes through forward, which counts
// what it sees on the way.
type proxy struct {
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
			_ = p.forward(server, client)
			server.Close()
		}()
	}
}
