package importer

import (
	"errors"
	"io"
)

var (
	errTooDeep  = errors.New("nested too deep")
	errTooLarge = errors.New("file too large")
)

// countingReader counts the bytes read, refuses more than max of them (0:
// no bound), and follows the JSON's nesting as the bytes pass (brackets
// outside strings), refusing a file nested deeper than maxDepth before the
// decoder ever sees it: encoding/json would otherwise build ten thousand
// levels of values first.
type countingReader struct {
	r        io.Reader
	n, max   int64
	maxDepth int

	depth    int
	inString bool
	escaped  bool
	// failed is the underlying reader's own failure (not the file's).
	failed error
}

func (c *countingReader) Read(b []byte) (int, error) {
	n, err := c.r.Read(b)
	if err != nil && err != io.EOF {
		c.failed = err
	}
	if c.max > 0 && c.n+int64(n) > c.max {
		return 0, errTooLarge
	}
	for _, ch := range b[:n] {
		switch {
		case c.inString:
			switch {
			case c.escaped:
				c.escaped = false
			case ch == '\\':
				c.escaped = true
			case ch == '"':
				c.inString = false
			}
		case ch == '"':
			c.inString = true
		case ch == '[' || ch == '{':
			c.depth++
			if c.depth > c.maxDepth {
				c.n += int64(n)
				return 0, errTooDeep
			}
		case ch == ']' || ch == '}':
			c.depth--
		}
	}
	c.n += int64(n)
	return n, err
}
