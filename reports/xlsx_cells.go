package reports

import (
	"encoding/json"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/civitas-lv/surveyd/internal/domain"
	"github.com/civitas-lv/surveyd/survey"
	"github.com/xuri/excelize/v2"
)

// ---------------------------------------------------------------------
// Cells

func cellName(col, row int) string {
	s, _ := excelize.CoordinatesToCellName(col, row)
	return s
}

func colName(col int) string {
	s, _ := excelize.ColumnNumberToName(col)
	return s
}

// quoteSheet quotes a sheet name for a formula: 'Līdzdalības budžets'.
func quoteSheet(name string) string { return "'" + strings.ReplaceAll(name, "'", "''") + "'" }

// columnRange is an absolute reference to rows r1..r2 of one column of a
// sheet, as chart series use: 'Kopsavilkums'!$B$5:$B$8.
func columnRange(sheet string, col, r1, r2 int) string {
	c := colName(col)
	return fmt.Sprintf("%s!$%s$%d:$%s$%d", quoteSheet(sheet), c, r1, c, r2)
}

// declareRange sets a sheet's declared used range (its <dimension>) to
// A1 through the last column and row. excelize declares A1 for every new
// sheet and a StreamWriter writes the declaration before the rows, so it
// is set from what pass 1 counted: readers that trust it (openpyxl's
// read-only mode, BI importers) then see every cell.
func (x *workbook) declareRange(sheet string, cols, rows int) error {
	return x.f.SetSheetDimension(sheet, "A1:"+cellName(cols, rows))
}

// put writes one cell of the summary; strings are always stored as text,
// never as formulas. The cells are kept until the summary is complete
// and then streamed (streamSummary): a worksheet excelize holds as a
// model costs, for the summary's thousand cells, a struct per cell to set
// and xml.Marshal's reflection over each to write — a tenth of a
// workbook's CPU at 43 responses (a profile) — where a StreamWriter writes
// the cells straight out.
func (x *workbook) put(col, row int, v any, style int) {
	if x.err != nil || (v == nil && style == 0) {
		return
	}
	x.summaryCols, x.summaryRows = max(x.summaryCols, col), max(x.summaryRows, row)
	if x.summary == nil {
		x.summary = map[int][]any{}
	}
	cells := x.summary[row]
	if len(cells) < col {
		cells = append(cells, make([]any, col-len(cells))...)
	}
	if style != 0 {
		cells[col-1] = excelize.Cell{StyleID: style, Value: v}
	} else {
		cells[col-1] = v
	}
	x.summary[row] = cells
}

// streamSummary declares the summary's range and writes its rows, in
// order, with the heights setRowHeight gave them, through a StreamWriter
// (a string is written there as an inline string, never as a formula).
func (x *workbook) streamSummary() {
	if x.err != nil {
		return
	}
	if x.err = x.declareRange(SheetSummary, max(x.summaryCols, 1), max(x.summaryRows, 1)); x.err != nil {
		return
	}
	sw, err := x.f.NewStreamWriter(SheetSummary)
	if err != nil {
		x.err = err
		return
	}
	rows := make([]int, 0, len(x.summary)+len(x.rowHeights))
	for r := range x.summary {
		rows = append(rows, r)
	}
	for r := range x.rowHeights {
		if _, ok := x.summary[r]; !ok {
			rows = append(rows, r)
		}
	}
	slices.Sort(rows)
	for _, r := range rows {
		var opts []excelize.RowOpts
		if h, ok := x.rowHeights[r]; ok {
			opts = append(opts, excelize.RowOpts{Height: h})
		}
		if x.err = sw.SetRow(cellName(1, r), x.summary[r], opts...); x.err != nil {
			return
		}
	}
	x.err = sw.Flush()
}

// wallClock converts a time to the export's zone (spreadsheets keep no
// zone); nil stays empty.
func (x *workbook) wallClock(t *time.Time) any {
	if t == nil || t.IsZero() {
		return nil
	}
	return t.In(x.tz)
}

// numberValue turns a JSON number into a cell value: whole numbers of whole
// types as integers, others as float64.
func numberValue(q *survey.Question, n json.Number) any {
	if q != nil && (q.Type == survey.Int || q.Type == survey.Year) {
		if i, err := strconv.ParseInt(n.String(), 10, 64); err == nil {
			return i
		}
	}
	f, err := strconv.ParseFloat(n.String(), 64)
	if err != nil {
		return n.String()
	}
	return f
}

// textOf renders an answer of an unexpected type as text.
func textOf(v any) string {
	switch x := v.(type) {
	case string:
		return x
	case []string:
		return strings.Join(x, "; ")
	}
	return survey.FormatInput(v, "en")
}

// optionLabel names an option as counted: "Cits" for the other option.
func (x *workbook) optionLabel(q *survey.Question, code string) string {
	return q.CategoryLabel(code).In(x.lang)
}

// muniName is the municipality's name in the export's language, or in
// Latvian when it has no English one.
func (x *workbook) muniName(m *domain.Municipality) string {
	if n := m.Name(x.lang); n != "" {
		return n
	}
	return m.NameLV
}

func (x *workbook) yesNo(b bool) string {
	if b {
		return x.t("yes")
	}
	return x.t("no")
}
