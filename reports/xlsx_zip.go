package reports

import (
	"archive/zip"
	"bytes"
	"context"
	"hash"
	"hash/crc32"
	"io"
	"io/fs"
	"unicode/utf8"

	"github.com/klauspost/compress/flate"
)

// The file's parts are deflated at flate.BestSpeed, each on its own: at the
// default level deflating was a third of the CPU of writing a workbook of
// 10,000 responses (a profile); at BestSpeed the file is 15–25 % larger.
// The compressor is klauspost/compress's flate (already in the module
// graph, through the metrics' client), not the standard library's: at
// BestSpeed it deflated every part of a workbook of 43 responses in 2.2 ms
// against 4.1 ms, into 1 % fewer bytes, and a workbook of 43 responses
// took 10.3–11.3 ms against 12.3–12.6 ms, of 10,000 1.11–1.20 s against
// 1.23–1.39 s (BenchmarkWorkbook, three runs each). What it writes is
// standard deflate, read by any zip reader.
// The big parts — the streamed sheets, which excelize copies from their
// temporary files (io.Copy, so ReadFrom) — are deflated on goroutines of
// their own, up to zipWorkers at once, while excelize goes on to the next
// part; every part's deflated bytes wait (in memory up to zipPartMemory,
// then in a temporary file) until the ones before it are in the file. The
// file holds the same bytes as from zip.Writer.Create and a compressor
// deflating each part at BestSpeed: the same headers (zipHeader), the
// same deflated stream (a part's stream depends on its bytes alone, not on
// how they were handed over), the parts in the order excelize made them.
//
// With an XLSXCache (XLSXOptions.Cache) a part of at most partCacheMax
// bytes, handed over in one Write, whose bytes are those of a part
// deflated before under its name is given the deflated bytes kept then
// instead of being deflated again; one that is not is kept there once
// deflated. The compressors are taken from there and given back.

// zipWorkers is how many parts are deflated on goroutines at once.
const zipWorkers = 2

// zipPartMemory is how much of a part's deflated bytes waits in memory
// before the rest waits in a temporary file.
const zipPartMemory = 2 << 20

// parZip is the zip writer given to excelize (writeTo): it fails once ctx
// is done (excelize then stops), and deflates the parts as said above.
type parZip struct {
	ctx    context.Context
	cache  *XLSXCache // nil: none
	zw     *zip.Writer
	parts  []*zipPart
	fw     *flate.Writer // for the parts deflated on the caller's goroutine
	slots  chan struct{} // one per part being deflated on a goroutine
	asides int           // parts deflated on a goroutine so far
}

func newParZip(ctx context.Context, w io.Writer) *parZip {
	return &parZip{ctx: ctx, zw: zip.NewWriter(w), slots: make(chan struct{}, zipWorkers)}
}

// zipAsyncMin is the least a part handed over in one Write must hold to
// be deflated on a goroutine (a copy of it: Write may not keep its bytes).
const zipAsyncMin = 256 << 10

// zipPart is one part: its deflated bytes, their checksum and sizes.
// Deflating may run on a goroutine (busy, closed when it is done); the
// part's compressor is closed once no more is written to it (endLast for
// a part deflated on the caller's goroutine, flush for one deflated on
// its own).
type zipPart struct {
	z          *parZip
	name       string
	out        spillWriter
	crc        hash.Hash32
	size, comp uint64
	fw         *flate.Writer
	own        bool          // fw is the part's own, not the shared one
	busy       chan struct{} // while deflating on a goroutine
	bgErr      error         // the goroutine's, read after busy is closed
	ended      bool          // fw closed
	err        error
	// direct: the part is deflated straight into the file (fh, dst):
	// every part before it was in the file when it was created.
	direct bool
	fh     *zip.FileHeader
	dst    io.Writer
	// hit is the part's deflated bytes as the cache gave them (its bytes
	// were handed over in one Write); raw (checksum rawCRC) is a copy of
	// its bytes while it may be kept in the cache once deflated, and kept
	// its deflated bytes so far.
	hit       *deflatedPart
	raw, kept []byte
	rawCRC    uint32
}

// Create starts the next part.
func (z *parZip) Create(name string) (io.Writer, error) {
	if err := z.ctx.Err(); err != nil {
		return nil, err
	}
	if err := z.endLast(); err != nil {
		return nil, err
	}
	if err := z.putReady(); err != nil {
		return nil, err
	}
	p := &zipPart{z: z, name: name, out: spillWriter{limit: zipPartMemory}, crc: crc32.NewIEEE()}
	if len(z.parts) == 0 {
		p.direct, p.fh = true, zipHeader(name)
		w, err := z.zw.CreateRaw(p.fh)
		if err != nil {
			return nil, err
		}
		p.dst = w
	}
	z.parts = append(z.parts, p)
	return p, nil
}

// putReady puts in the file the parts at the head of the line that are
// deflated, without waiting for any.
func (z *parZip) putReady() error {
	for len(z.parts) > 0 {
		p := z.parts[0]
		if p.busy != nil {
			select {
			case <-p.busy:
			default:
				return nil
			}
		}
		if err := z.putHead(); err != nil {
			return err
		}
	}
	return nil
}

// putHead ends the part at the head of the line (waiting for it) and puts
// it in the file.
func (z *parZip) putHead() error {
	p := z.parts[0]
	err := p.end()
	if cerr := z.ctx.Err(); cerr != nil { // the reason a part failed, most likely
		return cerr
	}
	if err != nil {
		return err
	}
	if p.direct {
		p.sized()
	} else if err := z.put(p); err != nil {
		return err
	}
	p.out.close()
	z.parts = z.parts[1:]
	return nil
}

// endLast ends the last part if it is deflated on the caller's goroutine
// (so the next part can take the shared compressor).
func (z *parZip) endLast() error {
	if len(z.parts) == 0 {
		return nil
	}
	if p := z.parts[len(z.parts)-1]; !p.own {
		return p.end()
	}
	return nil
}

// cached looks the part's first bytes b up in the cache: when they are a
// part deflated before, the part takes its deflated bytes (and reports
// true); else it keeps a copy of b to put in the cache once deflated.
func (p *zipPart) cached(b []byte) bool {
	crc := crc32.ChecksumIEEE(b)
	if e, ok := p.z.cache.deflated(p.name, crc, b); ok {
		p.hit = e
		p.crc.Write(b)
		p.size = uint64(len(b))
		return true
	}
	p.raw, p.rawCRC = bytes.Clone(b), crc
	p.kept = make([]byte, 0, len(b)/3+64)
	return false
}

// uncached is called before bytes after the first are written: the part
// is then neither given from the cache (what it gave is deflated now)
// nor kept in it.
func (p *zipPart) uncached() error {
	if e := p.hit; e != nil {
		p.hit, p.size = nil, 0
		p.crc.Reset()
		_, err := p.write(e.raw)
		return err
	}
	if p.size > 0 {
		p.raw, p.kept = nil, nil
	}
	return nil
}

// end waits for the part's goroutine, if any, and closes its compressor.
func (p *zipPart) end() error {
	if err := p.wait(); err != nil {
		return err
	}
	if !p.ended {
		p.ended = true
		if p.hit != nil {
			p.comp = uint64(len(p.hit.deflated))
			if p.direct {
				_, p.err = p.dst.Write(p.hit.deflated)
			}
			return p.err
		}
		if p.err = p.deflater().Close(); p.err != nil {
			return p.err
		}
		if p.raw != nil {
			p.z.cache.keep(p.name, p.rawCRC, p.raw, p.kept)
			p.raw, p.kept = nil, nil
		}
		if p.own && p.z.cache != nil {
			p.z.cache.idle(p.fw)
		}
	}
	return p.err
}

// wait waits for the part's goroutine, if it runs, and returns its error.
func (p *zipPart) wait() error {
	if p.busy != nil {
		<-p.busy
		p.busy = nil
		if p.bgErr != nil && p.err == nil {
			p.err = p.bgErr
		}
	}
	return p.err
}

// deflater is the part's compressor, made at its first byte: the parts
// deflated on the caller's goroutine share one.
func (p *zipPart) deflater() *flate.Writer {
	if p.fw != nil {
		return p.fw
	}
	var to io.Writer = &p.out
	if p.direct {
		to = p.dst
	}
	counted := partSink{p: p, w: to}
	if !p.own && p.z.fw != nil {
		p.z.fw.Reset(counted)
		p.fw = p.z.fw
		return p.fw
	}
	var fw *flate.Writer
	if p.z.cache != nil {
		fw = p.z.cache.writer()
	}
	if fw != nil {
		fw.Reset(counted)
	} else {
		fw, _ = flate.NewWriter(counted, flate.BestSpeed) // BestSpeed is a valid level
	}
	if !p.own {
		p.z.fw = fw
	}
	p.fw = fw
	return fw
}

// fresh reports whether nothing was written to the part yet.
func (p *zipPart) fresh() bool { return p.size == 0 && p.fw == nil && p.busy == nil }

// aside starts deflate on a goroutine of the part's own when a slot is
// free, and reports whether it did.
func (p *zipPart) aside(deflate func() error) bool {
	select {
	case p.z.slots <- struct{}{}:
	default:
		return false
	}
	p.own = true
	p.z.asides++
	p.busy = make(chan struct{})
	go func() {
		defer close(p.busy)
		defer func() { <-p.z.slots }()
		p.bgErr = deflate()
	}()
	return true
}

// Write deflates b: a first Write the cache has deflated already not at
// all (cached); a big first Write (a copy of it) on a goroutine of the
// part's own when a slot is free, else on the caller's goroutine.
func (p *zipPart) Write(b []byte) (int, error) {
	if err := p.z.ctx.Err(); err != nil {
		return 0, err
	}
	if p.fresh() {
		if p.z.cache != nil && len(b) > 0 && len(b) <= partCacheMax && p.cached(b) {
			return len(b), nil
		}
		if len(b) >= zipAsyncMin {
			c := bytes.Clone(b)
			if p.aside(func() error { _, err := p.write(c); return err }) {
				return len(b), nil
			}
		}
	}
	if err := p.wait(); err != nil {
		return 0, err
	}
	if err := p.uncached(); err != nil {
		return 0, err
	}
	return p.write(b)
}

func (p *zipPart) write(b []byte) (int, error) {
	n, err := p.deflater().Write(b)
	p.crc.Write(b[:n])
	p.size += uint64(n)
	return n, err
}

// ReadFrom deflates r on a goroutine of the part's own when r is a file
// of known size (excelize's temporary file of a streamed sheet, which
// stays as it is and is read by nobody else until the workbook is
// closed), a slot is free and nothing was written to the part yet: it
// returns r's size at once. Else it deflates r on the caller's goroutine.
func (p *zipPart) ReadFrom(r io.Reader) (int64, error) {
	if size, known := fileSize(r); known && p.fresh() {
		if p.aside(func() error {
			_, err := io.Copy(ctxWriter{p.z.ctx, writerOnly{p}}, r)
			return err
		}) {
			return size, nil
		}
	}
	if err := p.wait(); err != nil {
		return 0, err
	}
	if err := p.uncached(); err != nil {
		return 0, err
	}
	p.raw, p.kept = nil, nil
	return io.Copy(ctxWriter{p.z.ctx, writerOnly{p}}, r)
}

// fileSize is the bytes left in r when r is a regular file: an *os.File,
// or what os.File.WriteTo hands io.Copy (the file without its WriteTo).
func fileSize(r io.Reader) (int64, bool) {
	f, ok := r.(interface {
		Stat() (fs.FileInfo, error)
		Seek(int64, int) (int64, error)
	})
	if !ok {
		return 0, false
	}
	fi, err := f.Stat()
	if err != nil || !fi.Mode().IsRegular() {
		return 0, false
	}
	at, err := f.Seek(0, io.SeekCurrent)
	if err != nil {
		return 0, false
	}
	return fi.Size() - at, true
}

// writerOnly hides ReadFrom, so io.Copy writes to the part.
type writerOnly struct{ p *zipPart }

func (w writerOnly) Write(b []byte) (int, error) { return w.p.write(b) }

// partSink is where a part's compressor writes: it counts the deflated
// bytes and keeps them while the part is to be kept in the cache.
type partSink struct {
	p *zipPart
	w io.Writer
}

func (s partSink) Write(b []byte) (int, error) {
	n, err := s.w.Write(b)
	s.p.comp += uint64(n)
	if s.p.raw != nil {
		s.p.kept = append(s.p.kept, b[:n]...)
	}
	return n, err
}

// AddFS adds the files of fsys after the parts so far.
func (z *parZip) AddFS(fsys fs.FS) error {
	if err := z.flush(); err != nil {
		return err
	}
	return z.zw.AddFS(fsys)
}

// Close puts the parts in the file, in order, each once it is deflated,
// and ends the file. After an error it waits for the parts still being
// deflated and removes their temporary files.
func (z *parZip) Close() error {
	err := z.flush()
	if err == nil {
		err = z.zw.Close()
	}
	z.drop()
	if z.cache != nil && z.fw != nil {
		z.cache.idle(z.fw)
		z.fw = nil
	}
	return err
}

// flush puts the parts deflated so far in the file.
func (z *parZip) flush() error {
	for len(z.parts) > 0 {
		if err := z.putHead(); err != nil {
			return err
		}
	}
	return nil
}

// drop waits for the parts still being deflated and removes their
// temporary files.
func (z *parZip) drop() {
	for _, p := range z.parts {
		_ = p.wait()
		p.out.close()
	}
	z.parts = nil
}

// put writes a deflated part with the headers zip.Writer.Create would
// give it.
func (z *parZip) put(p *zipPart) error {
	p.fh = zipHeader(p.name)
	w, err := z.zw.CreateRaw(p.fh)
	if err != nil {
		return err
	}
	if p.hit != nil {
		_, err = w.Write(p.hit.deflated)
	} else {
		err = p.out.copyTo(w)
	}
	if err != nil {
		return err
	}
	p.sized()
	return nil
}

// sized sets the part's checksum and sizes in its header: read when the
// part is closed (its data descriptor) and in the central directory, as
// zip.Writer sets them for a part it deflates.
func (p *zipPart) sized() {
	fh := p.fh
	fh.CRC32 = p.crc.Sum32()
	fh.CompressedSize64, fh.UncompressedSize64 = p.comp, p.size
	const uint32max = 1<<32 - 1
	if fh.CompressedSize64 >= uint32max || fh.UncompressedSize64 >= uint32max {
		fh.CompressedSize, fh.UncompressedSize = uint32max, uint32max
		fh.ReaderVersion = 45
	} else {
		fh.CompressedSize, fh.UncompressedSize = uint32(fh.CompressedSize64), uint32(fh.UncompressedSize64)
	}
}

// zipHeader is the header zip.Writer.CreateHeader makes of
// &FileHeader{Name: name, Method: zip.Deflate} (what Create passes it):
// version 2.0, a data descriptor after the data, the UTF-8 flag when the
// name needs it.
func zipHeader(name string) *zip.FileHeader {
	fh := &zip.FileHeader{Name: name, Method: zip.Deflate, CreatorVersion: 20, ReaderVersion: 20, Flags: 0x8}
	if valid, require := detectUTF8(name); valid && require {
		fh.Flags |= 0x800
	}
	return fh
}

// detectUTF8 is archive/zip's: whether s is valid UTF-8, and whether it
// needs the UTF-8 flag (not compatible with CP-437 and the encodings
// readers commonly assume).
func detectUTF8(s string) (valid, require bool) {
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		i += size
		if r < 0x20 || r > 0x7d || r == 0x5c {
			if !utf8.ValidRune(r) || (r == utf8.RuneError && size == 1) {
				return false, false
			}
			require = true
		}
	}
	return true, require
}
