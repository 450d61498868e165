package bench

import (
	"bufio"
	"fmt"
	"io"
	"net"
	"testing"
	"time"
)

// TestDelayLine: through a delayed proxy every round trip to an echo server
// costs at least the delay, and what the client sends arrives whole and in
// order; at delay 0 it costs far less.
func TestDelayLine(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			go func() { defer c.Close(); _, _ = io.Copy(c, c) }()
		}
	}()
	p, err := startProxy("delay", ln.Addr().String(), func(server io.Writer, client io.Reader) error {
		_, err := io.Copy(server, client)
		return err
	}, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	c, err := net.Dial("tcp", p.Addr())
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	r := bufio.NewReader(c)
	roundTrip := func(i int) time.Duration {
		t.Helper()
		start := time.Now()
		for j := range 3 { // three chunks, one line
			if _, err := fmt.Fprintf(c, "%d.%d ", i, j); err != nil {
				t.Fatal(err)
			}
		}
		if _, err := fmt.Fprintf(c, "end %d\n", i); err != nil {
			t.Fatal(err)
		}
		line, err := r.ReadString('\n')
		if err != nil {
			t.Fatal(err)
		}
		if want := fmt.Sprintf("%d.0 %d.1 %d.2 end %d\n", i, i, i, i); line != want {
			t.Fatalf("echo %q, want %q", line, want)
		}
		return time.Since(start)
	}
	const delay = 100 * time.Millisecond
	p.SetDelay(delay)
	for i := range 3 {
		if d := roundTrip(i); d < delay {
			t.Errorf("round trip %d took %s through a %s delay line", i, d, delay)
		}
	}
	p.SetDelay(0)
	roundTrip(3) // what was on the line has arrived
	if d := roundTrip(4); d >= delay {
		t.Errorf("round trip without delay took %s", d)
	}
}
