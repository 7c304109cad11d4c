package reports

import (
	"encoding/json"
	"fmt"
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

// put writes one cell of the summary (the one normal, not streamed,
// sheet); strings are always stored as text, never as formulas.
func (x *workbook) put(sheet string, col, row int, v any, style int) {
	if x.err != nil {
		return
	}
	if v != nil || style != 0 {
		x.summaryCols, x.summaryRows = max(x.summaryCols, col), max(x.summaryRows, row)
	}
	ref := cellName(col, row)
	if v != nil {
		if s, ok := v.(string); ok {
			x.err = x.f.SetCellStr(sheet, ref, s)
		} else {
			x.err = x.f.SetCellValue(sheet, ref, v)
		}
	}
	if style != 0 && x.err == nil {
		x.err = x.f.SetCellStyle(sheet, ref, ref, style)
	}
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
