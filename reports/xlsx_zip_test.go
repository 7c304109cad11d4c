package reports

import (
	"archive/zip"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"path/filepath"
	"testing"

	"github.com/klauspost/compress/flate"
)

// zipInput is one part for the zip writers: its bytes, handed over by
// Write or copied from a file or a bytes.Reader (ReadFrom).
type zipInput struct {
	name string
	data []byte
	how  string // "write", "split" (two writes), "file", "reader"
}

// zipInputs are parts of several sizes, some past zipPartMemory deflated,
// more big ones than zipWorkers, one name needing the UTF-8 flag.
func zipInputs() []zipInput {
	rng := rand.New(rand.NewPCG(1, 2))
	text := func(n int) []byte {
		var b bytes.Buffer
		for b.Len() < n {
			fmt.Fprintf(&b, `<row r="%d"><c t="inlineStr"><is><t>%d</t></is></c></row>`, b.Len(), rng.IntN(1000))
		}
		return b.Bytes()[:n]
	}
	noise := make([]byte, 3*zipPartMemory)
	for i := range noise {
		noise[i] = byte(rng.IntN(256))
	}
	return []zipInput{
		{"xl/worksheets/sheet1.xml", text(90_000), "file"},
		{"xl/worksheets/sheet2.xml", text(6 << 20), "file"},
		{"xl/worksheets/sheet3.xml", noise, "file"},
		{"xl/worksheets/sheet4.xml", text(35_000), "reader"},
		{"xl/worksheets/sheet6.xml", text(1 << 20), "reader"},
		{"xl/worksheets/sheet5.xml", text(4 << 20), "file"},
		{"docProps/kodu grāmata.xml", text(500), "write"},
		{"xl/styles.xml", text(9000), "write"},
		{"xl/empty.xml", nil, "write"},
		{"[Content_Types].xml", text(2000), "write"},
	}
}

// writeZip writes the inputs through z as excelize does: Create, then
// Write or io.Copy from a file.
func writeZip(t *testing.T, z interface {
	Create(string) (io.Writer, error)
	Close() error
}, in []zipInput) error {
	t.Helper()
	dir := t.TempDir()
	var files []*os.File
	t.Cleanup(func() { // as excelize's: open until the workbook is closed
		for _, f := range files {
			f.Close()
		}
	})
	for i, p := range in {
		w, err := z.Create(p.name)
		if err != nil {
			return err
		}
		switch p.how {
		case "write":
			_, err = w.Write(p.data)
		case "split": // in two writes
			if _, err = w.Write(p.data[:len(p.data)/2]); err == nil {
				_, err = w.Write(p.data[len(p.data)/2:])
			}
		case "reader":
			_, err = io.Copy(w, bytes.NewReader(p.data))
		case "file":
			name := filepath.Join(dir, fmt.Sprint(i))
			if err := os.WriteFile(name, p.data, 0o600); err != nil {
				t.Fatal(err)
			}
			f, err := os.Open(name)
			if err != nil {
				t.Fatal(err)
			}
			files = append(files, f)
			_, err = io.Copy(w, f)
		}
		if err != nil {
			return err
		}
	}
	return z.Close()
}

// plainZip is a zip.Writer deflating every part at BestSpeed, as the
// workbook's file was written before parZip.
type plainZip struct{ zw *zip.Writer }

func (p plainZip) Create(name string) (io.Writer, error) { return p.zw.Create(name) }
func (p plainZip) Close() error                          { return p.zw.Close() }

// bestSpeedZip is what a zip.Writer deflating each part at BestSpeed
// writes of the parts in: what parZip must write.
func bestSpeedZip(t *testing.T, in []zipInput) *bytes.Buffer {
	t.Helper()
	var want bytes.Buffer
	zw := zip.NewWriter(&want)
	zw.RegisterCompressor(zip.Deflate, func(w io.Writer) (io.WriteCloser, error) { return flate.NewWriter(w, flate.BestSpeed) })
	if err := writeZip(t, plainZip{zw}, in); err != nil {
		t.Fatal(err)
	}
	return &want
}

// TestParZipSameBytes: parZip writes exactly the bytes of a zip.Writer
// deflating each part at BestSpeed, whatever the parts' sizes and how they
// are handed over.
func TestParZipSameBytes(t *testing.T) {
	in := zipInputs()
	want := bestSpeedZip(t, in)
	var got bytes.Buffer
	z := newParZip(context.Background(), &got)
	if err := writeZip(t, z, in); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got.Bytes(), want.Bytes()) {
		t.Fatalf("%d bytes, want %d, or not the same", got.Len(), want.Len())
	}
	// Parts went aside (the first file at least: no slot was taken then;
	// how many more depends on how fast those deflate).
	if z.asides == 0 {
		t.Errorf("%d parts deflated on goroutines of their own", z.asides)
	}
	u := unzipPackage(t, got.Bytes())
	for i, name := range u.names {
		if name != in[i].name || !bytes.Equal(u.files[name], in[i].data) {
			t.Fatalf("part %d: %s", i, name)
		}
	}
}

// A parZip stops once its context is done: Create fails, Close returns
// the context's error, and no temporary file of its parts is left.
func TestParZipCancelled(t *testing.T) {
	in := zipInputs()
	tmp := t.TempDir()
	t.Setenv("TMPDIR", tmp)
	ctx, cancel := context.WithCancel(context.Background())
	z := newParZip(ctx, io.Discard)
	n := 0
	err := writeZip(t, &cancelAfter{z: z, n: 4, cancel: cancel, created: &n}, in)
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("error %v", err)
	}
	if err := z.Close(); !errors.Is(err, context.Canceled) {
		t.Fatalf("Close: %v", err)
	}
	left, _ := filepath.Glob(filepath.Join(tmp, "surveyd-xlsx-*"))
	if len(left) != 0 {
		t.Fatalf("left in the temporary directory: %v", left)
	}
}

// cancelAfter cancels its context when its n-th part is created.
type cancelAfter struct {
	z       *parZip
	n       int
	cancel  func()
	created *int
}

func (c *cancelAfter) Create(name string) (io.Writer, error) {
	if *c.created++; *c.created == c.n {
		c.cancel()
	}
	return c.z.Create(name)
}
func (c *cancelAfter) Close() error { return c.z.Close() }
