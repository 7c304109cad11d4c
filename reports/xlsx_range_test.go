package reports

import (
	"archive/zip"
	"bytes"
	"context"
	"encoding/xml"
	"errors"
	"io"
	"slices"
	"strings"
	"testing"

	"github.com/civitas-lv/surveyd/internal/domain"
	"github.com/xuri/excelize/v2"
)

// sheetRanges reads every worksheet of a workbook as stored: the used
// range it declares (<dimension ref>) and the range its cells really
// span, by part name.
func sheetRanges(t *testing.T, data []byte) (declared, used map[string]string) {
	t.Helper()
	zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		t.Fatal(err)
	}
	declared, used = map[string]string{}, map[string]string{}
	for _, zf := range zr.File {
		if !strings.HasPrefix(zf.Name, "xl/worksheets/sheet") || !strings.HasSuffix(zf.Name, ".xml") {
			continue
		}
		rc, err := zf.Open()
		if err != nil {
			t.Fatal(err)
		}
		dec := xml.NewDecoder(rc)
		minCol, minRow, maxCol, maxRow := 0, 0, 0, 0
		for {
			tok, err := dec.Token()
			if errors.Is(err, io.EOF) {
				break
			}
			if err != nil {
				t.Fatalf("%s: %v", zf.Name, err)
			}
			el, ok := tok.(xml.StartElement)
			if !ok {
				continue
			}
			for _, a := range el.Attr {
				switch {
				case el.Name.Local == "dimension" && a.Name.Local == "ref":
					declared[zf.Name] = a.Value
				case el.Name.Local == "c" && a.Name.Local == "r":
					col, row, err := excelize.CellNameToCoordinates(a.Value)
					if err != nil {
						t.Fatalf("%s: cell %q: %v", zf.Name, a.Value, err)
					}
					if minCol == 0 || col < minCol {
						minCol = col
					}
					if minRow == 0 || row < minRow {
						minRow = row
					}
					maxCol, maxRow = max(maxCol, col), max(maxRow, row)
				}
			}
		}
		rc.Close()
		if maxCol > 0 {
			used[zf.Name] = cellName(minCol, minRow) + ":" + cellName(maxCol, maxRow)
		}
	}
	return declared, used
}

// TestWorkbookDeclaredRanges: every sheet declares the range its cells
// really span (readers such as openpyxl's read-only mode trust the
// declaration and would otherwise see one cell per sheet).
func TestWorkbookDeclaredRanges(t *testing.T) {
	t.Parallel()
	def, rows := xlsxRows(t)
	for name, opt := range map[string]XLSXOptions{
		"viewer":             {Status: xlsxStatus},
		"coordinator":        {Personal: true, Status: xlsxStatus},
		"english, all":       {Lang: "en", Status: xlsxStatus, Filter: Filter{Statuses: []string{domain.StatusSubmitted, domain.StatusDraft}}},
		"nothing in the set": {Status: xlsxStatus, Filter: Filter{Kind: "none"}},
	} {
		var buf bytes.Buffer
		if err := WriteXLSX(&buf, def, sliceSource(rows, nil), opt); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		declared, used := sheetRanges(t, buf.Bytes())
		if len(used) != 5 {
			t.Fatalf("%s: %d sheets with cells, want 5: %v", name, len(used), used)
		}
		for part, u := range used {
			if d := declared[part]; d != u {
				t.Errorf("%s: %s declares %q, its cells span %q", name, part, d, u)
			}
			if !strings.HasPrefix(u, "A1:") {
				t.Errorf("%s: %s starts at %s", name, part, u)
			}
		}
	}
	// Spot check: the wide sheet of the viewer's workbook runs to the
	// indicator's column and the third response.
	f, data := book(t, XLSXOptions{Status: xlsxStatus})
	declared, _ := sheetRanges(t, data)
	wideRows, _ := f.GetRows(SheetWide)
	want := "A1:" + cellName(len(wideRows[1]), 5)
	found := false
	for _, d := range declared {
		found = found || d == want
	}
	if !found {
		t.Errorf("no sheet declares the wide sheet's %s: %v", want, declared)
	}
}

// A source that yields different rows the second time (not one snapshot)
// is refused rather than written with wrong declared ranges.
func TestWorkbookPassesDiffer(t *testing.T) {
	t.Parallel()
	def, rows := xlsxRows(t)
	pass := 0
	src := func() Rows {
		pass++
		if pass == 2 {
			return sliceSource(rows[:2], nil)()
		}
		return sliceSource(rows, nil)()
	}
	// Rows kept from the first pass are not read again (rowMemo): memo 0
	// makes the second pass read the source, as past the budget.
	var buf bytes.Buffer
	if err := writeXLSX(context.Background(), &buf, def, src, XLSXOptions{}, excelize.TotalRows, 0); err == nil || buf.Len() != 0 {
		t.Fatalf("err %v, %d bytes", err, buf.Len())
	}
}

// TestWorkbookOrderAndFormats: the status sheet lists municipalities in
// the alphabet of the workbook's language whatever order they come in;
// amounts and percentages have the pages' style in each language.
func TestWorkbookOrderAndFormats(t *testing.T) {
	t.Parallel()
	status := []StatusRow{
		{Municipality: domain.Municipality{Code: "o", NameLV: "Ogres novads", NameEN: "Ogre Municipality"}, Status: "draft"},
		{Municipality: domain.Municipality{Code: "k", NameLV: "Ķekavas novads", NameEN: "Kekava Municipality"}, Status: "draft"},
		{Municipality: domain.Municipality{Code: "ad", NameLV: "Ādažu novads", NameEN: "Adazi Municipality"}, Status: "draft"},
		{Municipality: domain.Municipality{Code: "kr", NameLV: "Krāslavas novads", NameEN: "Kraslava Municipality"}, Status: "draft"},
		{Municipality: domain.Municipality{Code: "al", NameLV: "Alūksnes novads", NameEN: "Aluksne Municipality"}, Status: "draft"},
	}
	for _, c := range []struct {
		lang     string
		order    []string
		money    string
		percent  string
		statusPc string
	}{
		{"lv", []string{"al", "ad", "kr", "k", "o"}, "#,##0.00\"\u00a0EUR\"", "0.0\"\u00a0%\"", "0\u00a0%"},
		{"en", []string{"ad", "al", "k", "kr", "o"}, "#,##0.00\"\u00a0EUR\"", "0.0\"%\"", "0%"},
	} {
		f, _ := book(t, XLSXOptions{Lang: c.lang, Status: status})
		rows, err := f.GetRows(SheetStatus)
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, r := range rows[1:] {
			got = append(got, r[0])
		}
		if !slices.Equal(got, c.order) {
			t.Errorf("%s: status sheet order %v, want %v", c.lang, got, c.order)
		}
		if rows[1][4] != c.statusPc {
			t.Errorf("%s: percent complete shown as %q, want %q", c.lang, rows[1][4], c.statusPc)
		}
		w := wideTable(t, f)
		if got := w.numFmt("support", 3); got != c.money {
			t.Errorf("%s: money format %q, want %q", c.lang, got, c.money)
		}
		if got := w.numFmt("share", 3); got != c.percent {
			t.Errorf("%s: percent format %q, want %q", c.lang, got, c.percent)
		}
	}
}

// TestEveryWorkbookDeclaresItsRange: the trend sheet ("Dinamika") and the
// contact list's workbook declare the range their cells span, as the
// council's other sheets do. Readers that trust the declaration (openpyxl
// in read-only mode, which pandas and pyxform use) would otherwise read
// one cell of each sheet.
func TestEveryWorkbookDeclaresItsRange(t *testing.T) {
	t.Parallel()
	_, trend := trendBook(t, "lv")
	var list bytes.Buffer
	l := &ContactList{Lang: "lv", Columns: []ContactColumn{{Key: "email", Header: "E-pasts"}}, Entries: []ContactEntry{
		{Name: "Anna Ozola", Values: []string{"anna@riga.lv"}}, {Name: "Jānis Bērziņš", Values: []string{"janis@cesis.lv"}}}}
	if err := WriteContactListXLSX(&list, l); err != nil {
		t.Fatal(err)
	}
	for name, data := range map[string][]byte{"trend workbook": trend, "contact list": list.Bytes()} {
		declared, used := sheetRanges(t, data)
		if len(used) == 0 {
			t.Fatalf("%s: no sheet with cells", name)
		}
		for part, u := range used {
			if d := declared[part]; d != u {
				t.Errorf("%s: %s declares %q, its cells span %q", name, part, d, u)
			}
		}
	}
}
