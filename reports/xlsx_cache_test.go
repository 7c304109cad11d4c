package reports

import (
	"archive/zip"
	"bytes"
	"context"
	"io"
	"strings"
	"testing"

	"github.com/civitas-lv/surveyd/survey"
)

// rawParts reads every part of a file as stored: its deflated bytes and
// its header.
func rawParts(t *testing.T, data []byte) map[string]rawPart {
	t.Helper()
	zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]rawPart{}
	for _, f := range zr.File {
		r, err := f.OpenRaw()
		if err != nil {
			t.Fatal(err)
		}
		b, err := io.ReadAll(r)
		if err != nil {
			t.Fatal(err)
		}
		out[f.Name] = rawPart{deflated: b, head: f.FileHeader}
	}
	return out
}

type rawPart struct {
	deflated []byte
	head     zip.FileHeader
}

// sameWorkbook fails unless got has the parts of want, each with the same
// bytes; a part with the same bytes also the same deflated bytes and
// header. (excelize writes the content types' defaults in the order of a
// map: they are compared sorted.)
func sameWorkbook(t *testing.T, name string, got, want []byte) {
	t.Helper()
	gotNames, gotParts := zipParts(t, got)
	_, wantParts := zipParts(t, want)
	if len(gotNames) != len(wantParts) {
		t.Fatalf("%s: %d parts, want %d", name, len(gotNames), len(wantParts))
	}
	gotRaw, wantRaw := rawParts(t, got), rawParts(t, want)
	for _, n := range gotNames {
		g, w := gotParts[n], wantParts[n]
		if w == nil && len(g) > 0 {
			t.Fatalf("%s: part %s not in the file without the cache", name, n)
		}
		if bytes.Equal(g, w) {
			gr, wr := gotRaw[n], wantRaw[n]
			if !bytes.Equal(gr.deflated, wr.deflated) || gr.head.CRC32 != wr.head.CRC32 ||
				gr.head.CompressedSize64 != wr.head.CompressedSize64 ||
				gr.head.UncompressedSize64 != wr.head.UncompressedSize64 || gr.head.Flags != wr.head.Flags {
				t.Errorf("%s: %s stored otherwise than without the cache", name, n)
			}
			continue
		}
		if n == "[Content_Types].xml" && bytes.Equal(sortDefaults(g), sortDefaults(w)) {
			continue
		}
		t.Errorf("%s: %s differs from the file without the cache: %s", name, n, firstDiff(g, w))
	}
}

// TestXLSXCacheSameFile: a workbook written with an XLSXCache — the first
// (which fills it) and the next (given most parts from it) — has the very
// parts of one written without, deflated the same, in both languages; the
// second is given the summary's charts, the codebook and the styles from
// the cache.
func TestXLSXCacheSameFile(t *testing.T) {
	t.Parallel()
	in := benchData(t, 43)
	for _, opt := range []XLSXOptions{benchOptions, {Lang: "en", Generated: benchOptions.Generated}} {
		var plain bytes.Buffer
		if err := WriteXLSX(&plain, in.def, sliceSource(in.rows, nil), opt); err != nil {
			t.Fatal(err)
		}
		c := &XLSXCache{}
		opt.Cache = c
		for i, want := range []uint64{0, 40} {
			var got bytes.Buffer
			if err := WriteXLSX(&got, in.def, sliceSource(in.rows, nil), opt); err != nil {
				t.Fatal(err)
			}
			sameWorkbook(t, opt.Lang+" build "+string(rune('1'+i)), got.Bytes(), plain.Bytes())
			given := c.given.Swap(0)
			if (want == 0 && given != 0) || given < want {
				t.Errorf("%s build %d: %d parts given from the cache, want %d or more", opt.Lang, i+1, given, want)
			}
		}
	}
}

// TestXLSXCacheDefinitionChanged: after a workbook of one questionnaire,
// the same cache gives a changed questionnaire's workbook its own parts —
// the chart and the codebook with the changed wording — the same as
// written without the cache.
func TestXLSXCacheDefinitionChanged(t *testing.T) {
	t.Parallel()
	in := benchData(t, 43)
	const was, now = "Deklarēto iedzīvotāju skaits", "Reģistrēto iedzīvotāju skaits"
	changed := bytes.Replace(in.def.JSON(), []byte(was), []byte(now), 1)
	if bytes.Equal(changed, in.def.JSON()) {
		t.Fatalf("%q not in the questionnaire", was)
	}
	def, err := survey.Parse(changed, "changed")
	if err != nil {
		t.Fatal(err)
	}
	c := &XLSXCache{}
	opt := benchOptions
	opt.Cache = c
	for range 2 {
		if err := WriteXLSX(io.Discard, in.def, sliceSource(in.rows, nil), opt); err != nil {
			t.Fatal(err)
		}
	}
	var got, plain bytes.Buffer
	if err := WriteXLSX(&got, def, sliceSource(in.rows, nil), opt); err != nil {
		t.Fatal(err)
	}
	if c.given.Load() < 40 {
		t.Fatalf("%d parts given from the cache: it was not used", c.given.Load())
	}
	opt.Cache = nil
	if err := WriteXLSX(&plain, def, sliceSource(in.rows, nil), opt); err != nil {
		t.Fatal(err)
	}
	sameWorkbook(t, "changed", got.Bytes(), plain.Bytes())
	_, parts := zipParts(t, got.Bytes())
	for _, n := range []string{"xl/charts/chart1.xml", "xl/worksheets/sheet4.xml"} {
		if p := string(parts[n]); !strings.Contains(p, now) || strings.Contains(p, was) {
			t.Errorf("%s does not have the changed wording", n)
		}
	}
}

// TestParZipCacheSameBytes: parZip with a cache writes the bytes of a
// zip.Writer deflating each part at BestSpeed when it fills the cache,
// when it is given parts from it, and when a part kept there is handed
// over in several writes (deflated then).
func TestParZipCacheSameBytes(t *testing.T) {
	in := zipInputs()
	want := bestSpeedZip(t, in)
	c := &XLSXCache{}
	split := make([]zipInput, len(in))
	for i, p := range in {
		split[i] = p
		if p.how != "file" {
			split[i].how = "split"
		}
	}
	for i, parts := range [][]zipInput{in, in, split, in} {
		var got bytes.Buffer
		z := newParZip(context.Background(), &got)
		z.cache = c
		if err := writeZip(t, z, parts); err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(got.Bytes(), want.Bytes()) {
			t.Fatalf("run %d: %d bytes, want %d, or not the same", i+1, got.Len(), want.Len())
		}
		given := c.given.Swap(0)
		switch i {
		case 0, 2: // filled; handed over in two writes
			if given != 0 {
				t.Errorf("run %d: %d parts given from the cache", i+1, given)
			}
		default:
			if given < 3 {
				t.Errorf("run %d: %d parts given from the cache", i+1, given)
			}
		}
	}
}
