package store

import (
	"bytes"
	"io"
	"net"
	"sync/atomic"
	"testing"
)

// readsConn is a net.Conn whose Reads are counted, each giving at most
// what the socket would hold (all of it, here).
type readsConn struct {
	net.Conn
	data  *bytes.Reader
	reads int
}

func (c *readsConn) Read(p []byte) (int, error) {
	c.reads++
	return c.data.Read(p)
}

// TestCountingConnReadsInLargePieces: the driver's 4 KB reads of a 1 MB
// answer come from the connection's buffer, which takes readBuffer from
// the socket at a time; the bytes are the same, and the answer counts one
// round trip after a write.
func TestCountingConnReadsInLargePieces(t *testing.T) {
	t.Parallel()
	answer := make([]byte, 1<<20)
	for i := range answer {
		answer[i] = byte(i * 7)
	}
	raw := &readsConn{data: bytes.NewReader(answer)}
	var trips atomic.Uint64
	c := newCountingConn(raw, &trips)
	c.wrote.Store(true) // as after a query was sent
	var got bytes.Buffer
	buf := make([]byte, 4096)
	for {
		n, err := c.Read(buf)
		got.Write(buf[:n])
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
	}
	if !bytes.Equal(got.Bytes(), answer) {
		t.Fatal("the bytes read are not those sent")
	}
	if want := len(answer)/readBuffer + 2; raw.reads > want {
		t.Errorf("%d reads of the socket for %d bytes, want at most %d", raw.reads, len(answer), want)
	}
	if trips.Load() != 1 {
		t.Errorf("%d round trips counted, want 1", trips.Load())
	}
}
