// Package archive is the file format of a round archive (`surveyd archive
// export` and `import`): a zip file of JSON Lines parts, one per table, and
// a manifest naming the format and its version, the schema version of the
// binary that wrote it, when, and each part's SHA-256 and row count. Pure
// Go: it knows nothing of the tables' columns; it writes and reads rows
// (JSON objects) and refuses a file that is damaged, was changed after it
// was written, or is of a format version it does not know.
package archive

import (
	"archive/zip"
	"bufio"
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"hash"
	"io"
	"path"
	"slices"
	"time"
)

// Format is the manifest's format name.
const Format = "surveyd-round-archive"

// Version is the format version this package writes and reads.
const Version = 1

// ManifestName is the manifest's name in the zip file.
const ManifestName = "manifest.json"

// Why an archive is refused (errors.Is).
var (
	// ErrDamaged: not a zip file, truncated, a part missing or unreadable,
	// a manifest that does not parse.
	ErrDamaged = errors.New("the archive is damaged")
	// ErrTampered: a part's content is not what the manifest says
	// (checksum or row count), or a file is in the archive that the
	// manifest does not list.
	ErrTampered = errors.New("the archive was changed after it was written")
	// ErrVersion: another format, or a format version this binary does not
	// read.
	ErrVersion = errors.New("the archive's format version is not supported")
)

// Part is one part of the archive as the manifest lists it.
type Part struct {
	Name   string `json:"name"`
	SHA256 string `json:"sha256"`
	Rows   int    `json:"rows"`
	Bytes  int64  `json:"bytes"`
}

// Manifest describes an archive.
type Manifest struct {
	Format  string `json:"format"`
	Version int    `json:"format_version"`
	// SchemaVersion is the database schema version (the latest migration)
	// of the binary that wrote the archive.
	SchemaVersion uint      `json:"schema_version"`
	CreatedAt     time.Time `json:"created_at"`
	// Survey is the round's slug; PreviousSurvey the slug of the round it
	// was made from, if any.
	Survey         string `json:"survey"`
	PreviousSurvey string `json:"previous_survey,omitempty"`
	Parts          []Part `json:"parts"`
}

// Part returns the manifest's entry for the part name.
func (m *Manifest) Part(name string) (Part, bool) {
	i := slices.IndexFunc(m.Parts, func(p Part) bool { return p.Name == name })
	if i < 0 {
		return Part{}, false
	}
	return m.Parts[i], true
}

// Writer writes an archive: parts one after another, each a row at a time,
// then the manifest on Close.
type Writer struct {
	zw   *zip.Writer
	m    Manifest
	cur  io.Writer
	sum  hash.Hash
	part *Part
}

// NewWriter starts an archive on w. The manifest's Format, Version and
// Parts are filled in by the Writer.
func NewWriter(w io.Writer, m Manifest) *Writer {
	m.Format, m.Version, m.Parts = Format, Version, nil
	return &Writer{zw: zip.NewWriter(w), m: m}
}

// Manifest gives access to the manifest to be written (to set fields known
// only after the parts, such as PreviousSurvey).
func (w *Writer) Manifest() *Manifest { return &w.m }

// Part starts the part name (a file name such as "responses.jsonl");
// the rows written next go into it.
func (w *Writer) Part(name string) error {
	if name == ManifestName || path.Base(name) != name || name == "" {
		return fmt.Errorf("archive: bad part name %q", name)
	}
	if _, ok := w.m.Part(name); ok {
		return fmt.Errorf("archive: part %q written twice", name)
	}
	w.finish()
	f, err := w.zw.CreateHeader(&zip.FileHeader{Name: name, Method: zip.Deflate, Modified: w.m.CreatedAt})
	if err != nil {
		return err
	}
	w.sum = sha256.New()
	w.cur = io.MultiWriter(f, w.sum)
	w.m.Parts = append(w.m.Parts, Part{Name: name})
	w.part = &w.m.Parts[len(w.m.Parts)-1]
	return nil
}

// Row writes a row (a JSON object, on one line) to the current part.
func (w *Writer) Row(row json.RawMessage) error {
	if w.cur == nil {
		return errors.New("archive: a row before any part")
	}
	var buf bytes.Buffer
	if err := json.Compact(&buf, row); err != nil {
		return fmt.Errorf("archive: part %s: %w", w.part.Name, err)
	}
	if buf.Len() == 0 || buf.Bytes()[0] != '{' {
		return fmt.Errorf("archive: part %s: a row is not a JSON object", w.part.Name)
	}
	buf.WriteByte('\n')
	n, err := w.cur.Write(buf.Bytes())
	w.part.Rows++
	w.part.Bytes += int64(n)
	return err
}

func (w *Writer) finish() {
	if w.part != nil {
		w.part.SHA256 = hex.EncodeToString(w.sum.Sum(nil))
	}
	w.cur, w.sum, w.part = nil, nil, nil
}

// Close writes the manifest and the zip's directory. It does not close the
// underlying writer.
func (w *Writer) Close() error {
	w.finish()
	data, err := json.MarshalIndent(w.m, "", "  ")
	if err != nil {
		return err
	}
	f, err := w.zw.CreateHeader(&zip.FileHeader{Name: ManifestName, Method: zip.Deflate, Modified: w.m.CreatedAt})
	if err != nil {
		return err
	}
	if _, err := f.Write(append(data, '\n')); err != nil {
		return err
	}
	return w.zw.Close()
}

// Reader reads an archive whose every part was checked against the
// manifest.
type Reader struct {
	m     Manifest
	files map[string]*zip.File
}

// Open reads the archive in r (size bytes): the manifest, and every part,
// checked against it (its SHA-256 and rows), before anything is restored.
// Errors wrap ErrDamaged, ErrTampered or ErrVersion.
func Open(r io.ReaderAt, size int64) (*Reader, error) {
	zr, err := zip.NewReader(r, size)
	if err != nil {
		return nil, fmt.Errorf("%w: not a zip file or cut short (%v)", ErrDamaged, err)
	}
	files := map[string]*zip.File{}
	for _, f := range zr.File {
		if _, dup := files[f.Name]; dup {
			return nil, fmt.Errorf("%w: %s appears twice", ErrTampered, f.Name)
		}
		files[f.Name] = f
	}
	mf := files[ManifestName]
	if mf == nil {
		return nil, fmt.Errorf("%w: it has no %s", ErrDamaged, ManifestName)
	}
	data, err := readAll(mf)
	if err != nil {
		return nil, fmt.Errorf("%w: %s: %v", ErrDamaged, ManifestName, err)
	}
	var m Manifest
	if err := json.Unmarshal(data, &m); err != nil {
		return nil, fmt.Errorf("%w: %s does not parse: %v", ErrDamaged, ManifestName, err)
	}
	if m.Format != Format {
		return nil, fmt.Errorf("%w: format %q, want %q", ErrVersion, m.Format, Format)
	}
	if m.Version != Version {
		return nil, fmt.Errorf("%w: format version %d; this surveyd reads version %d", ErrVersion, m.Version, Version)
	}
	rd := &Reader{m: m, files: files}
	listed := map[string]bool{ManifestName: true}
	for _, p := range m.Parts {
		if listed[p.Name] {
			return nil, fmt.Errorf("%w: %s listed twice", ErrTampered, p.Name)
		}
		listed[p.Name] = true
		if err := rd.each(p.Name, func(json.RawMessage) error { return nil }); err != nil {
			return nil, err
		}
	}
	for name := range files {
		if !listed[name] {
			return nil, fmt.Errorf("%w: %s is not in the manifest", ErrTampered, name)
		}
	}
	return rd, nil
}

// Manifest returns the archive's manifest.
func (r *Reader) Manifest() Manifest { return r.m }

// Rows calls fn with each row of the part name, in order; a part the
// manifest does not list has no rows. The part is checked against the
// manifest again as it is read: a row of a part that turns out not to
// match has been passed to fn, so callers restore in a transaction.
func (r *Reader) Rows(name string, fn func(row json.RawMessage) error) error {
	if _, ok := r.m.Part(name); !ok {
		return nil
	}
	return r.each(name, fn)
}

func (r *Reader) each(name string, fn func(json.RawMessage) error) error {
	want, _ := r.m.Part(name)
	f := r.files[name]
	if f == nil {
		return fmt.Errorf("%w: part %s is missing", ErrDamaged, name)
	}
	rc, err := f.Open()
	if err != nil {
		return fmt.Errorf("%w: part %s: %v", ErrDamaged, name, err)
	}
	defer rc.Close()
	sum := sha256.New()
	br := bufio.NewReaderSize(io.TeeReader(rc, sum), 64<<10)
	rows := 0
	var n int64
	for {
		line, err := br.ReadBytes('\n')
		n += int64(len(line))
		if len(line) > 0 {
			if line[len(line)-1] != '\n' {
				return fmt.Errorf("%w: part %s: the last row is cut short", ErrTampered, name)
			}
			rows++
			row := json.RawMessage(bytes.TrimSpace(line))
			if !json.Valid(row) || len(row) == 0 || row[0] != '{' {
				return fmt.Errorf("%w: part %s: row %d is not a JSON object", ErrTampered, name, rows)
			}
			if err := fn(row); err != nil {
				return err
			}
		}
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return fmt.Errorf("%w: part %s: %v", ErrDamaged, name, err)
		}
	}
	if got := hex.EncodeToString(sum.Sum(nil)); got != want.SHA256 {
		return fmt.Errorf("%w: part %s: SHA-256 %s, the manifest says %s", ErrTampered, name, got, want.SHA256)
	}
	if rows != want.Rows || n != want.Bytes {
		return fmt.Errorf("%w: part %s: %d rows in %d bytes, the manifest says %d in %d", ErrTampered, name, rows, n, want.Rows, want.Bytes)
	}
	return nil
}

// readAll reads a small file of the archive (the manifest).
func readAll(f *zip.File) ([]byte, error) {
	rc, err := f.Open()
	if err != nil {
		return nil, err
	}
	defer rc.Close()
	return io.ReadAll(io.LimitReader(rc, 1<<20))
}
