package reports

import (
	"bytes"
	"io"
	"sync"
	"sync/atomic"

	"github.com/klauspost/compress/flate"

	"github.com/civitas-lv/surveyd/internal/lru"
)

// XLSXCache keeps, between the workbooks written with it
// (XLSXOptions.Cache), what one can hand the next: the deflated bytes of
// the parts whose bytes come out the same — the summary's charts, the
// codebook, the styles and the theme depend on the questionnaire, the
// language and the layout, not on each answer — and the compressors
// (flate.Writer, some 1 MB each to make and clear). Deflating was about
// half of the CPU of a workbook of 43 responses (a profile), most of it
// in some 45 small parts that are the same from one build to the next.
//
// A part is given from the cache only when its bytes are the same as
// those deflated (compared whole), so the file is the same byte for byte
// as without it. The caller owns it (the Manager keeps one); it is safe
// for concurrent use and ready at its zero value.
type XLSXCache struct {
	parts   lru.Cache[partKey, *deflatedPart]
	mu      sync.Mutex
	writers []*flate.Writer // idle compressors at BestSpeed
	given   atomic.Uint64   // parts given from the cache (the tests read it)
}

// Parts kept: at most partCacheEntries, their bytes and deflated bytes at
// most partCacheBytes in all (a workbook of the regional questionnaire
// keeps some 330 KB); a part is kept only up to partCacheMax bytes (the
// codebook's 35 KB fits; the data sheets, which change with every
// response, are left out).
const (
	partCacheEntries = 1024
	partCacheBytes   = 8 << 20
	partCacheMax     = 64 << 10
	idleWriters      = 4
)

// partKey names a part's bytes: its name, checksum and size.
type partKey struct {
	name string
	crc  uint32
	size int
}

// deflatedPart is a part's bytes and its deflated stream at BestSpeed.
type deflatedPart struct {
	raw, deflated []byte
}

// Len is how many parts the cache keeps.
func (c *XLSXCache) Len() int { return c.parts.Len() }

// deflated returns the part kept of name and bytes b (checksum crc), if
// one is.
func (c *XLSXCache) deflated(name string, crc uint32, b []byte) (*deflatedPart, bool) {
	e, ok := c.parts.Get(partKey{name, crc, len(b)}, nil)
	if !ok || !bytes.Equal(e.raw, b) {
		return nil, false
	}
	c.given.Add(1)
	return e, true
}

// keep keeps the deflated stream of a part (raw and deflated are the
// cache's from then on, never changed).
func (c *XLSXCache) keep(name string, crc uint32, raw, deflated []byte) {
	c.parts.Put(partKey{name, crc, len(raw)}, &deflatedPart{raw: raw, deflated: deflated}, len(raw)+len(deflated),
		partCacheEntries, partCacheBytes)
}

// writer is an idle compressor, or nil.
func (c *XLSXCache) writer() *flate.Writer {
	c.mu.Lock()
	defer c.mu.Unlock()
	n := len(c.writers)
	if n == 0 {
		return nil
	}
	fw := c.writers[n-1]
	c.writers = c.writers[:n-1]
	return fw
}

// idle takes back a compressor no longer used (reset to write nowhere, so
// that it keeps nothing it wrote to).
func (c *XLSXCache) idle(fw *flate.Writer) {
	fw.Reset(io.Discard)
	c.mu.Lock()
	defer c.mu.Unlock()
	if len(c.writers) < idleWriters {
		c.writers = append(c.writers, fw)
	}
}
