package reports

import (
	"archive/zip"
	"compress/flate"
	"context"
	"hash"
	"hash/crc32"
	"io"
	"io/fs"
	"os"
	"unicode/utf8"
)

// The file's parts are deflated at flate.BestSpeed, each on its own: at the
// default level deflating was a third of the CPU of writing a workbook of
// 10,000 responses (a profile); at BestSpeed the file is 15–25 % larger.
// The big parts — the streamed sheets, which excelize copies from their
// temporary files (io.Copy, so ReadFrom) — are deflated on goroutines of
// their own, up to zipWorkers at once, while excelize goes on to the next
// part; every part's deflated bytes wait (in memory up to zipPartMemory,
// then in a temporary file) until the ones before it are in the file. The
// file holds the same bytes as from zip.Writer.Create and a compressor
// deflating each part at BestSpeed: the same headers (zipHeader), the
// same deflated stream (a part's stream depends on its bytes alone, not on
// how they were handed over), the parts in the order excelize made them.

// zipWorkers is how many parts are deflated on goroutines at once.
const zipWorkers = 2

// zipPartMemory is how much of a part's deflated bytes waits in memory
// before the rest waits in a temporary file.
const zipPartMemory = 2 << 20

// parZip is the zip writer given to excelize (writeTo): it fails once ctx
// is done (excelize then stops), and deflates the parts as said above.
type parZip struct {
	ctx   context.Context
	zw    *zip.Writer
	parts []*zipPart
	fw    *flate.Writer // for the parts deflated on the caller's goroutine
	slots chan struct{} // one per part being deflated on a goroutine
}

func newParZip(ctx context.Context, w io.Writer) *parZip {
	return &parZip{ctx: ctx, zw: zip.NewWriter(w), slots: make(chan struct{}, zipWorkers)}
}

// zipPart is one part: its deflated bytes, their checksum and sizes, once
// done is closed (a part deflated on the caller's goroutine is done when
// the next part starts).
type zipPart struct {
	z          *parZip
	name       string
	out        spillWriter
	crc        hash.Hash32
	size, comp uint64
	fw         *flate.Writer
	async      bool
	done       chan struct{}
	err        error
}

// Create starts the next part.
func (z *parZip) Create(name string) (io.Writer, error) {
	if err := z.ctx.Err(); err != nil {
		return nil, err
	}
	if err := z.endLast(); err != nil {
		return nil, err
	}
	p := &zipPart{z: z, name: name, out: spillWriter{limit: zipPartMemory}, crc: crc32.NewIEEE(), done: make(chan struct{})}
	z.parts = append(z.parts, p)
	return p, nil
}

// endLast finishes the last part if it was written on the caller's
// goroutine.
func (z *parZip) endLast() error {
	if len(z.parts) == 0 {
		return nil
	}
	p := z.parts[len(z.parts)-1]
	if p.async {
		return nil
	}
	select {
	case <-p.done:
		return p.err
	default:
	}
	p.finish(p.deflater().Close())
	return p.err
}

// deflater is the part's compressor, made at its first byte: the parts
// written on the caller's goroutine share one.
func (p *zipPart) deflater() *flate.Writer {
	if p.fw != nil {
		return p.fw
	}
	counted := countingWriter{w: &p.out, n: &p.comp}
	if !p.async && p.z.fw != nil {
		p.z.fw.Reset(counted)
		p.fw = p.z.fw
		return p.fw
	}
	fw, _ := flate.NewWriter(counted, flate.BestSpeed) // BestSpeed is a valid level
	if !p.async {
		p.z.fw = fw
	}
	p.fw = fw
	return fw
}

// Write deflates b on the caller's goroutine.
func (p *zipPart) Write(b []byte) (int, error) {
	if err := p.z.ctx.Err(); err != nil {
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

// ReadFrom deflates r on a goroutine of its own when r is a whole file or
// buffer of known size that stays as it is (excelize's temporary file or
// buffer of a streamed sheet, read by nobody else until the workbook is
// closed), a slot is free and nothing was written to the part yet; else on
// the caller's. It returns r's size at once.
func (p *zipPart) ReadFrom(r io.Reader) (int64, error) {
	size, known := sizeOf(r)
	if known && p.size == 0 && p.fw == nil {
		select {
		case p.z.slots <- struct{}{}:
			p.async = true
			go func() {
				defer func() { <-p.z.slots }()
				_, err := io.Copy(ctxWriter{p.z.ctx, writerOnly{p}}, r)
				if err == nil {
					err = p.deflater().Close()
				}
				p.finish(err)
			}()
			return size, nil
		default:
		}
	}
	return io.Copy(ctxWriter{p.z.ctx, writerOnly{p}}, r)
}

// sizeOf is the bytes left in r when r says so: a file (from its offset)
// or a bytes.Reader.
func sizeOf(r io.Reader) (int64, bool) {
	switch r := r.(type) {
	case *os.File:
		fi, err := r.Stat()
		if err != nil || !fi.Mode().IsRegular() {
			return 0, false
		}
		at, err := r.Seek(0, io.SeekCurrent)
		if err != nil {
			return 0, false
		}
		return fi.Size() - at, true
	case interface{ Len() int }:
		return int64(r.Len()), true
	}
	return 0, false
}

// writerOnly hides ReadFrom, so io.Copy writes to the part.
type writerOnly struct{ p *zipPart }

func (w writerOnly) Write(b []byte) (int, error) { return w.p.write(b) }

// finish records the part's end.
func (p *zipPart) finish(err error) {
	p.err = err
	close(p.done)
}

// countingWriter counts what it writes.
type countingWriter struct {
	w io.Writer
	n *uint64
}

func (c countingWriter) Write(b []byte) (int, error) {
	n, err := c.w.Write(b)
	*c.n += uint64(n)
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
	return err
}

// flush puts the parts deflated so far in the file.
func (z *parZip) flush() error {
	if err := z.endLast(); err != nil {
		return err
	}
	for len(z.parts) > 0 {
		p := z.parts[0]
		<-p.done
		if p.err != nil {
			return p.err
		}
		if err := z.ctx.Err(); err != nil {
			return err
		}
		if err := z.put(p); err != nil {
			return err
		}
		p.out.close()
		z.parts = z.parts[1:]
	}
	return nil
}

// drop waits for the parts still being deflated and removes their
// temporary files.
func (z *parZip) drop() {
	for _, p := range z.parts {
		if p.async {
			<-p.done
		}
		p.out.close()
	}
	z.parts = nil
}

// put writes a deflated part with the headers zip.Writer.Create would
// give it.
func (z *parZip) put(p *zipPart) error {
	fh := zipHeader(p.name)
	w, err := z.zw.CreateRaw(fh)
	if err != nil {
		return err
	}
	if err := p.out.copyTo(w); err != nil {
		return err
	}
	// Read when the part is closed (its data descriptor) and in the
	// central directory, as zip.Writer sets them for a part it deflates.
	fh.CRC32 = p.crc.Sum32()
	fh.CompressedSize64, fh.UncompressedSize64 = p.comp, p.size
	const uint32max = 1<<32 - 1
	if fh.CompressedSize64 >= uint32max || fh.UncompressedSize64 >= uint32max {
		fh.CompressedSize, fh.UncompressedSize = uint32max, uint32max
		fh.ReaderVersion = 45
	} else {
		fh.CompressedSize, fh.UncompressedSize = uint32(fh.CompressedSize64), uint32(fh.UncompressedSize64)
	}
	return nil
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
