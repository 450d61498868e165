package faultproxy

import (
	"bufio"
	"fmt"
	"net"
	"strings"
	"testing"
	"time"
)

// echo is a line echo server.
func echo(t *testing.T) string {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ln.Close() })
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			go func() {
				defer c.Close()
				sc := bufio.NewScanner(c)
				for sc.Scan() {
					c.Write([]byte(sc.Text() + "\n"))
				}
			}()
		}
	}()
	return ln.Addr().String()
}

// roundTrip sends a line and waits up to d for it back.
func roundTrip(c net.Conn, d time.Duration) error {
	c.SetDeadline(time.Now().Add(d))
	if _, err := c.Write([]byte("ping\n")); err != nil {
		return err
	}
	line, err := bufio.NewReader(c).ReadString('\n')
	if err == nil && strings.TrimSpace(line) != "ping" {
		return fmt.Errorf("answer %q", line)
	}
	return err
}

func TestModes(t *testing.T) {
	p, err := Start(echo(t))
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	c, err := net.Dial("tcp", p.Addr())
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if err := roundTrip(c, time.Second); err != nil {
		t.Fatalf("passing: %v", err)
	}

	p.Set(Hang)
	if err := roundTrip(c, 200*time.Millisecond); err == nil {
		t.Error("hung: an open connection got its answer")
	}
	c2, err := net.Dial("tcp", p.Addr())
	if err != nil {
		t.Fatalf("hung: a new connection was refused: %v", err)
	}
	if err := roundTrip(c2, 200*time.Millisecond); err == nil {
		t.Error("hung: a new connection got an answer")
	}
	c2.Close()

	p.Set(Down)
	if _, err := net.DialTimeout("tcp", p.Addr(), time.Second); err == nil {
		t.Error("down: a connection was accepted")
	}
	p.Set(Pass)
	c3, err := net.Dial("tcp", p.Addr())
	if err != nil {
		t.Fatalf("up again: %v", err)
	}
	defer c3.Close()
	if err := roundTrip(c3, time.Second); err != nil {
		t.Fatalf("up again: %v", err)
	}
	p.Reset()
	if err := roundTrip(c3, time.Second); err == nil {
		t.Error("after Reset the old connection still answers")
	}

	p.SetAcceptDelay(300 * time.Millisecond)
	start := time.Now()
	c4, err := net.Dial("tcp", p.Addr())
	if err != nil {
		t.Fatal(err)
	}
	defer c4.Close()
	if err := roundTrip(c4, 2*time.Second); err != nil || time.Since(start) < 300*time.Millisecond {
		t.Errorf("slow accept: %v after %v", err, time.Since(start))
	}
}
