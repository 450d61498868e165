package bench

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"maps"
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
	*proxy
	total  atomic.Int64
	mu     sync.Mutex
	byName map[string]int64
}

// NewRedisCounter listens on a free loopback port and forwards to target (host:port).
func NewRedisCounter(target string) (*RedisCounter, error) {
	p := &RedisCounter{byName: map[string]int64{}}
	forward := func(server io.Writer, client io.Reader) error { return CountRESP(server, client, p.count) }
	px, err := startProxy("redis counter", target, forward, nil)
	if err != nil {
		return nil, err
	}
	p.proxy = px
	return p, nil
}

// Commands is the number of commands since the start.
func (p *RedisCounter) Commands() int64 { return p.total.Load() }

// ByName is the number of commands of each name (upper case) since the start.
func (p *RedisCounter) ByName() map[string]int64 {
	p.mu.Lock()
	defer p.mu.Unlock()
	return maps.Clone(p.byName)
}

func (p *RedisCounter) count(name string) {
	p.total.Add(1)
	p.mu.Lock()
	p.byName[strings.ToUpper(name)]++
	p.mu.Unlock()
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
