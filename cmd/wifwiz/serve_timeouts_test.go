package main

import (
	"errors"
	"io"
	"net"
	"net/url"
	"path/filepath"
	"testing"
	"time"
)

// TestServeDropsSlowClients: serve's HTTP server closes a connection whose headers never end,
// one whose body stops coming, and an idle kept-alive one — the timeouts are shortened for the
// test, the wiring is serve's own.
func TestServeDropsSlowClients(t *testing.T) {
	short := serverTimeouts{readHeader: 300 * time.Millisecond, read: 600 * time.Millisecond, write: 5 * time.Second, idle: 300 * time.Millisecond}
	db := filepath.Join(t.TempDir(), "wifwiz.db")
	s, addr := startServeWith(t, func(e *env) { e.serverTimeouts = short }, servingURL, "--addr", "127.0.0.1:0", "--db", db)
	u, err := url.Parse(addr)
	if err != nil {
		t.Fatal(err)
	}
	for name, sent := range map[string]string{
		"headers never end": "GET / HTTP/1.1\r\nHost: " + u.Host + "\r\nX-Slow: ",
		"body stops coming": "POST /connections HTTP/1.1\r\nHost: " + u.Host + "\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: 1000\r\n\r\nname=",
	} {
		conn, err := net.Dial("tcp", u.Host)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := io.WriteString(conn, sent); err != nil {
			t.Fatal(err)
		}
		if !closedByServer(t, conn) {
			t.Errorf("%s: the server kept the connection open past its timeout", name)
		}
		conn.Close()
	}
	// A kept-alive connection after a complete request is closed once idle.
	conn, err := net.Dial("tcp", u.Host)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	if _, err := io.WriteString(conn, "GET /healthz HTTP/1.1\r\nHost: "+u.Host+"\r\n\r\n"); err != nil {
		t.Fatal(err)
	}
	if !closedByServer(t, conn) {
		t.Error("idle: the server kept an idle connection open past its idle timeout")
	}
	s.stop(t)
}

// closedByServer reads until the server closes conn (true) or 10 s pass (false); whatever the
// server answered before closing is ignored.
func closedByServer(t *testing.T, conn net.Conn) bool {
	t.Helper()
	if err := conn.SetReadDeadline(time.Now().Add(10 * time.Second)); err != nil {
		t.Fatal(err)
	}
	_, err := io.Copy(io.Discard, conn)
	var ne net.Error
	if errors.As(err, &ne) && ne.Timeout() {
		return false
	}
	return true
}
