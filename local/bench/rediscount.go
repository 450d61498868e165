package bench

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"maps"
	"net"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
)

// RedisCounter is a TCP proxy in front of Redis that counts the commands its
// clients send, by name: what a per-command tariff (Upstash's) bills. A
// pipeline counts each of its commands; a script (EVALSHA) counts once,
// whatever it runs inside. Clients must not use TLS (redis://).
type RedisCounter struct {
	ln     net.Listener
	target string
	total  atomic.Int64
	wg     sync.WaitGroup
	mu     sync.Mutex
	byName map[string]int64
	open   map[net.Conn]bool
	closed bool
}

// NewRedisCounter listens on a free loopback port and forwards to target (host:port).
func NewRedisCounter(target string) (*RedisCounter, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, fmt.Errorf("redis counter: %w", err)
	}
	p := &RedisCounter{ln: ln, target: target, byName: map[string]int64{}, open: map[net.Conn]bool{}}
	p.wg.Add(1)
	go p.serve()
	return p, nil
}

// Addr is the proxy's host:port.
func (p *RedisCounter) Addr() string { return p.ln.Addr().String() }

// Commands is the number of commands since the start.
func (p *RedisCounter) Commands() int64 { return p.total.Load() }

// ByName is the number of commands of each name (upper case) since the start.
func (p *RedisCounter) ByName() map[string]int64 {
	p.mu.Lock()
	defer p.mu.Unlock()
	return maps.Clone(p.byName)
}

// Close stops listening and closes every connection.
func (p *RedisCounter) Close() error {
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

func (p *RedisCounter) track(c net.Conn) bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.closed {
		c.Close()
		return false
	}
	p.open[c] = true
	return true
}

func (p *RedisCounter) count(name string) {
	p.total.Add(1)
	p.mu.Lock()
	p.byName[strings.ToUpper(name)]++
	p.mu.Unlock()
}

func (p *RedisCounter) serve() {
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
		p.wg.Add(2)
		go func() {
			defer p.wg.Done()
			_, _ = io.Copy(client, server)
			client.Close()
		}()
		go func() {
			defer p.wg.Done()
			_ = CountRESP(server, client, p.count)
			server.Close()
		}()
	}
}

// maxBulk bounds one argument: Redis's own proto-max-bulk-len default.
const maxBulk = 512 << 20

// CountRESP copies client's commands to server, calling count with each
// command's name: RESP arrays of bulk strings (what clients send), or
// inline commands (a line of words).
func CountRESP(server io.Writer, client io.Reader, count func(name string)) error {
	r := bufio.NewReader(client)
	w := bufio.NewWriter(server)
	for {
		line, err := readLine(r)
		if err != nil {
			return err
		}
		if _, err := w.Write(line); err != nil {
			return err
		}
		if line[0] != '*' {
			// An inline command.
			if f := bytes.Fields(line); len(f) > 0 {
				count(string(f[0]))
			}
		} else {
			n, err := strconv.Atoi(string(bytes.TrimRight(line[1:], "\r\n")))
			if err != nil {
				return fmt.Errorf("redis counter: bad array header %q", line)
			}
			name := ""
			for i := range n {
				hdr, err := readLine(r)
				if err != nil {
					return err
				}
				if hdr[0] != '$' {
					return fmt.Errorf("redis counter: bad bulk header %q", hdr)
				}
				size, err := strconv.Atoi(string(bytes.TrimRight(hdr[1:], "\r\n")))
				if err != nil || size < 0 || size > maxBulk {
					return fmt.Errorf("redis counter: bad bulk length %q", hdr)
				}
				if _, err := w.Write(hdr); err != nil {
					return err
				}
				if i == 0 {
					b := make([]byte, size+2)
					if _, err := io.ReadFull(r, b); err != nil {
						return err
					}
					name = string(b[:size])
					if _, err := w.Write(b); err != nil {
						return err
					}
				} else if _, err := io.CopyN(w, r, int64(size)+2); err != nil {
					return err
				}
			}
			if n > 0 {
				count(name)
			}
		}
		// Flush when the client has nothing more buffered: a pipeline goes
		// out whole, a lone command at once.
		if r.Buffered() == 0 {
			if err := w.Flush(); err != nil {
				return err
			}
		}
	}
}

func readLine(r *bufio.Reader) ([]byte, error) {
	line, err := r.ReadSlice('\n')
	if errors.Is(err, bufio.ErrBufferFull) {
		return nil, errors.New("redis counter: line too long")
	}
	if err != nil {
		return nil, err
	}
	if len(line) < 3 {
		return nil, fmt.Errorf("redis counter: bad line %q", line)
	}
	return bytes.Clone(line), nil
}
