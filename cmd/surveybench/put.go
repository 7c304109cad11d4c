package main

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"net"
	"strconv"
	"strings"
	"time"
)

// putConn is one client's keep-alive HTTP/1.1 connection for its saves:
// the request is written as prepared bytes and the reply read in the
// client's own goroutine, with none of net/http's per-connection
// goroutines and hand-overs (the load tool shares the CPU with the server
// and PostgreSQL, as pgbench's client does).
type putConn struct {
	host string
	c    net.Conn
	r    *bufio.Reader
	head []byte // the request head being built (reused)
	body []byte // the reply's body (reused)
}

// dialPut connects to base (http://host:port).
func dialPut(base string) (*putConn, error) {
	host, ok := strings.CutPrefix(base, "http://")
	if !ok {
		return nil, fmt.Errorf("%s: only http:// is supported", base)
	}
	host = strings.TrimRight(host, "/")
	c, err := net.DialTimeout("tcp", host, 10*time.Second)
	if err != nil {
		return nil, err
	}
	return &putConn{host: host, c: c, r: bufio.NewReaderSize(c, 8<<10)}, nil
}

func (p *putConn) close() { p.c.Close() }

// put sends PUT path with a JSON body and returns the reply's status and
// body (valid until the next put).
func (p *putConn) put(path string, body []byte) (int, []byte, error) {
	p.c.SetDeadline(time.Now().Add(60 * time.Second))
	h := append(p.head[:0], "PUT "...)
	h = append(h, path...)
	h = append(h, " HTTP/1.1\r\nHost: "...)
	h = append(h, p.host...)
	h = append(h, "\r\nContent-Type: application/json\r\nAccept: application/json\r\nContent-Length: "...)
	h = strconv.AppendInt(h, int64(len(body)), 10)
	h = append(h, "\r\n\r\n"...)
	h = append(h, body...)
	p.head = h
	if _, err := p.c.Write(h); err != nil {
		return 0, nil, err
	}
	return p.reply()
}

// reply reads a response: the status line, the headers it needs
// (Content-Length, Transfer-Encoding: chunked, Connection: close), the body.
func (p *putConn) reply() (int, []byte, error) {
	line, err := p.r.ReadSlice('\n')
	if err != nil {
		return 0, nil, err
	}
	// HTTP/1.1 200 OK
	if len(line) < 12 || !bytes.HasPrefix(line, []byte("HTTP/1.")) {
		return 0, nil, fmt.Errorf("not an HTTP reply: %q", line)
	}
	status, err := strconv.Atoi(string(line[9:12]))
	if err != nil {
		return 0, nil, fmt.Errorf("not an HTTP reply: %q", line)
	}
	length, chunked, closing := -1, false, false
	for {
		line, err := p.r.ReadSlice('\n')
		if err != nil {
			return status, nil, err
		}
		line = bytes.TrimRight(line, "\r\n")
		if len(line) == 0 {
			break
		}
		name, value, ok := bytes.Cut(line, []byte(":"))
		if !ok {
			continue
		}
		value = bytes.TrimSpace(value)
		switch {
		case asciiEqualFold(name, "content-length"):
			if length, err = strconv.Atoi(string(value)); err != nil {
				return status, nil, fmt.Errorf("bad Content-Length %q", value)
			}
		case asciiEqualFold(name, "transfer-encoding"):
			chunked = asciiEqualFold(value, "chunked")
		case asciiEqualFold(name, "connection"):
			closing = asciiEqualFold(value, "close")
		}
	}
	p.body = p.body[:0]
	switch {
	case chunked:
		err = p.chunks()
	case length >= 0:
		p.body = grow(p.body, length)
		_, err = io.ReadFull(p.r, p.body)
	default:
		err = errors.New("a reply without Content-Length")
	}
	if err == nil && closing {
		err = errors.New("the server closed the connection")
	}
	return status, p.body, err
}

// chunks reads a chunked body.
func (p *putConn) chunks() error {
	for {
		line, err := p.r.ReadSlice('\n')
		if err != nil {
			return err
		}
		size, _, _ := bytes.Cut(bytes.TrimSpace(line), []byte(";"))
		n, err := strconv.ParseInt(string(size), 16, 32)
		if err != nil || n < 0 {
			return fmt.Errorf("bad chunk size %q", line)
		}
		if n == 0 {
			for { // trailers, then the empty line
				line, err := p.r.ReadSlice('\n')
				if err != nil {
					return err
				}
				if len(bytes.TrimRight(line, "\r\n")) == 0 {
					return nil
				}
			}
		}
		at := len(p.body)
		p.body = grow(p.body, at+int(n))
		if _, err := io.ReadFull(p.r, p.body[at:]); err != nil {
			return err
		}
		if _, err := p.r.Discard(2); err != nil { // CRLF
			return err
		}
	}
}

// grow is b resized to n bytes.
func grow(b []byte, n int) []byte {
	if cap(b) < n {
		nb := make([]byte, n, n+n/2)
		copy(nb, b)
		return nb
	}
	return b[:n]
}

func asciiEqualFold(b []byte, s string) bool {
	if len(b) != len(s) {
		return false
	}
	for i := range len(b) {
		c := b[i]
		if 'A' <= c && c <= 'Z' {
			c += 'a' - 'A'
		}
		if c != s[i] {
			return false
		}
	}
	return true
}
