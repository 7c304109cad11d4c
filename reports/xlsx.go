package reports

import (
	"archive/zip"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"math"
	"math/big"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/civitas-lv/surveyd/internal/domain"
	"github.com/civitas-lv/surveyd/internal/wording"
	"github.com/civitas-lv/surveyd/survey"
	"github.com/xuri/excelize/v2"
)

// XLSXContentType is the media type of the workbook.
const XLSXContentType = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

// The workbook's sheets, in order. Their names are Latvian whatever the
// language of the content.
const (
	SheetSummary  = "Kopsavilkums"
	SheetWide     = "Atbildes"
	SheetLong     = "Atbildes (garā forma)"
	SheetCodebook = "Kodu grāmata"
	SheetStatus   = "Statuss"
)

// XLSXOptions says what goes into the workbook.
type XLSXOptions struct {
	// Lang is the language of the content: "lv" (default) or "en".
	Lang string
	// Personal includes personal data: the answers to personal questions
	// and the contacts (a coordinator's export). A viewer's export never
	// has them, whatever the Source yields.
	Personal bool
	// Filter selects the responses.
	Filter Filter
	// Status is the response tracker for the status sheet (every
	// municipality of the round); the filter's regions and kind apply.
	Status []StatusRow
	// Title heads the summary; default the definition's title in Lang.
	Title string
	// Round describes the round under the title (e.g. its slug and dates).
	Round string
	// Generated is when the workbook was made (default now), shown on the
	// summary and in the document properties.
	Generated time.Time
	// TimeZone of the dates written (default UTC): spreadsheet dates have
	// none, so they are written as wall-clock time there.
	TimeZone *time.Location
}

// StatusRow is one municipality's standing in the round for the status
// sheet (the response tracker).
type StatusRow struct {
	Municipality domain.Municipality
	// Status is the tracker's: no_link, link_created, invited, opened,
	// draft, returned or submitted.
	Status string
	// Percent is the share of shown questions answered, 0–100.
	Percent       int
	LastActivity  *time.Time
	RemindersSent int
	// Contacts are personal data: written only when Personal.
	Contacts []string
}

// WriteXLSX writes the round's Excel workbook: a summary with native
// charts, the responses wide and long, the codebook and the tracker. It
// calls src twice — once to aggregate, once to stream the data sheets — and
// keeps no rows: memory grows with the aggregates (the numbers behind the
// quartiles), not with the responses. The data sheets are written with
// excelize's StreamWriter, which moves to a temporary file past 16 MB; the
// finished file is assembled in memory by excelize before it reaches w.
func WriteXLSX(w io.Writer, def *survey.Definition, src Source, opt XLSXOptions) error {
	return WriteXLSXContext(context.Background(), w, def, src, opt)
}

// WriteXLSXContext is WriteXLSX that stops when ctx is done: it looks at
// ctx between rows, between the questions of the summary and the codebook,
// between runs of column widths, between sheets and between the parts of
// the file as it is assembled, and then returns ctx's error. Nothing
// reaches w after that: the file is assembled in memory before its first
// byte goes out.
func WriteXLSXContext(ctx context.Context, w io.Writer, def *survey.Definition, src Source, opt XLSXOptions) error {
	x, err := newWorkbook(def, opt)
	if err != nil {
		return err
	}
	defer x.f.Close()
	x.ctx = ctx
	if err := x.build(src); err != nil {
		return err
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	x.f.SetZipWriter(func(w io.Writer) excelize.ZipWriter { return &ctxZip{ctx: ctx, zw: zip.NewWriter(w)} })
	return x.f.Write(w)
}

// ctxZip assembles the file, failing once ctx is done (excelize then stops).
type ctxZip struct {
	ctx context.Context
	zw  *zip.Writer
}

func (z *ctxZip) Create(name string) (io.Writer, error) {
	if err := z.ctx.Err(); err != nil {
		return nil, err
	}
	w, err := z.zw.Create(name)
	if err != nil {
		return nil, err
	}
	return ctxWriter{z.ctx, w}, nil
}

func (z *ctxZip) AddFS(fsys fs.FS) error { return z.zw.AddFS(fsys) }
func (z *ctxZip) Close() error           { return z.zw.Close() }

// ctxWriter writes until ctx is done.
type ctxWriter struct {
	ctx context.Context
	w   io.Writer
}

func (c ctxWriter) Write(p []byte) (int, error) {
	if err := c.ctx.Err(); err != nil {
		return 0, err
	}
	return c.w.Write(p)
}

// stopped records ctx's error, once it is done, as the workbook's error.
func (x *workbook) stopped() bool {
	if x.err == nil {
		x.err = x.ctx.Err()
	}
	return x.err != nil
}

// workbook is one workbook being written. Methods record the first error
// in err and do nothing after it, so the writing code reads straight.
type workbook struct {
	ctx       context.Context // looked at between rows, questions and sheets
	f         *excelize.File
	def       *survey.Definition
	opt       XLSXOptions
	lang      string
	tz        *time.Location
	questions []*survey.Question // in the export: personal ones only when Personal
	wide      []wideColumn
	styles    map[string]int
	// textWidth is the longest text seen per wide column (pass 1).
	textWidth []int
	// kept and longRows count the responses and the answer values of the
	// data sheets (pass 1), so each sheet can declare its used range
	// before its rows stream out.
	kept, longRows int
	// summaryCols and summaryRows are the extent of the summary's cells.
	summaryCols, summaryRows int
	err                      error
}

func newWorkbook(def *survey.Definition, opt XLSXOptions) (*workbook, error) {
	if def == nil {
		return nil, errors.New("reports: no definition")
	}
	x := &workbook{ctx: context.Background(), f: excelize.NewFile(), def: def, opt: opt, lang: "lv", tz: opt.TimeZone,
		styles: map[string]int{}}
	if opt.Lang == "en" {
		x.lang = "en"
	}
	if x.tz == nil {
		x.tz = time.UTC
	}
	if x.opt.Generated.IsZero() {
		x.opt.Generated = time.Now()
	}
	if x.opt.Title == "" {
		x.opt.Title = def.Title.In(x.lang)
	}
	for _, q := range def.Questions() {
		if !q.Personal || opt.Personal {
			x.questions = append(x.questions, q)
		}
	}
	x.buildWideColumns()
	x.textWidth = make([]int, len(x.wide))
	return x, nil
}

func (x *workbook) build(src Source) error {
	f := x.f
	if err := f.SetSheetName("Sheet1", SheetSummary); err != nil {
		return err
	}
	for _, name := range []string{SheetWide, SheetLong, SheetCodebook, SheetStatus} {
		if _, err := f.NewSheet(name); err != nil {
			return err
		}
	}
	// Now, while every sheet is empty: SetActiveSheet reads every
	// worksheet, and for a streamed one that means decoding all its rows.
	f.SetActiveSheet(0)
	if x.stopped() {
		return x.err
	}
	// Pass 1: the aggregates (and the widths of text columns).
	sum, err := Aggregate(x.def, x.observe(src()), x.opt.Filter)
	if err != nil {
		return err
	}
	x.writeSummary(sum)
	if x.err == nil {
		x.err = x.declareRange(SheetSummary, max(x.summaryCols, 1), max(x.summaryRows, 1))
	}
	if x.err != nil {
		return x.err
	}
	// Pass 2: both data sheets from one pass.
	if x.stopped() {
		return x.err
	}
	if err := x.writeData(src()); err != nil {
		return err
	}
	if !x.stopped() {
		x.writeCodebook()
	}
	if !x.stopped() {
		x.writeStatus()
	}
	if x.stopped() {
		return x.err
	}
	return f.SetDocProps(&excelize.DocProperties{Title: x.opt.Title, Creator: "surveyd", Language: x.lang,
		Created: x.opt.Generated.UTC().Format(time.RFC3339), Description: x.opt.Round})
}

// observe passes the rows on to Aggregate and notes what the data sheets
// need before their first row: the column widths and how many rows they
// will have.
func (x *workbook) observe(rows Rows) Rows {
	count := func(string, string, any, string) error { x.longRows++; return nil }
	return func(yield func(Row, error) bool) {
		for r, err := range rows {
			if err == nil {
				err = x.ctx.Err()
			}
			if err == nil && x.opt.Filter.Keep(r) {
				x.kept++
				_ = x.longValues(&r, count)
				for i := range x.wide {
					if n := x.wide[i].textLen(x, &r); n > x.textWidth[i] {
						x.textWidth[i] = n
					}
				}
			}
			if !yield(r, err) {
				return
			}
		}
	}
}

// ---------------------------------------------------------------------
// Wording

// t returns the wording in the workbook's language (the catalog's
// "workbook." keys, see argNames); an unknown key is returned as it is
// after its prefix (a status or kind code nobody named).
func (x *workbook) t(key string, args ...any) string {
	if !wording.Default().Has("workbook." + key) {
		if _, rest, found := strings.Cut(key, "."); found {
			return rest
		}
		return key
	}
	return word(x.lang, "workbook."+key, args...)
}

// ---------------------------------------------------------------------
// Styles and number formats

// Number formats. Percentages are written as entered — 12.5 means 12.5 % —
// with a literal percent sign, so the cell holds the same number as the
// form, the API and the aggregates (not 0.125 with Excel's % scaling).
// Amounts and percentages follow the pages' style (survey.FormatMoney,
// survey.FormatPercent): euros always with two decimals and " EUR" after a
// no-break space; "12,5 %" with a no-break space in Latvian, "12.5%" in
// English. The group and decimal marks are the reader's: Excel shows
// "120 000,50 EUR" with Latvian regional settings.
func decimalsOf(places int) string {
	if places <= 0 {
		return ""
	}
	return "." + strings.Repeat("0", places)
}

// literal quotes text for a number format.
func literal(s string) string { return `"` + s + `"` }

func (x *workbook) fmtMoney() string {
	return "#,##0" + decimalsOf(survey.MoneyPlaces) + literal(survey.MoneySuffix(x.lang))
}

func (x *workbook) fmtPercent(places int) string {
	return "0" + decimalsOf(places) + literal(survey.PercentSuffix(x.lang))
}

func fmtDecimal(places int) string { return "#,##0" + decimalsOf(places) }

const (
	fmtInt      = "#,##0"
	fmtYear     = "0"
	fmtDateTime = "yyyy-mm-dd hh:mm"
)

// numberFormat is the format of a question's answers.
func (x *workbook) numberFormat(q *survey.Question) string {
	switch q.Type {
	case survey.Money:
		return x.fmtMoney()
	case survey.Percent:
		return x.fmtPercent(q.Places())
	case survey.Year:
		return fmtYear
	case survey.Int:
		return fmtInt
	}
	return fmtDecimal(q.Places())
}

// statFormat is the format of a statistic of a question's answers: means
// and quartiles get at least one decimal place.
func (x *workbook) statFormat(q *survey.Question) string {
	p := max(q.Places(), 1)
	switch q.Type {
	case survey.Money:
		return x.fmtMoney()
	case survey.Percent:
		return x.fmtPercent(p)
	case survey.Year:
		return "0.0"
	}
	return fmtDecimal(p)
}

// indicatorFormat follows the indicator's unit and decimals (euros always
// two).
func (x *workbook) indicatorFormat(in *survey.Indicator) string {
	switch in.Unit {
	case "EUR":
		return x.fmtMoney()
	case "%":
		return x.fmtPercent(in.Decimals)
	}
	return fmtDecimal(in.Decimals)
}

// style returns a style by kind: "header", "code", "title", "heading",
// "bold", "wrap", "note", or "num:<format>", "boldnum:<format>".
func (x *workbook) style(kind string) int {
	if id, ok := x.styles[kind]; ok {
		return id
	}
	var s excelize.Style
	name, format, _ := strings.Cut(kind, ":")
	switch name {
	case "header":
		s = excelize.Style{Font: &excelize.Font{Bold: true}, Alignment: &excelize.Alignment{WrapText: true, Vertical: "top"},
			Fill: excelize.Fill{Type: "pattern", Pattern: 1, Color: []string{"DDE6F0"}}}
	case "code":
		s = excelize.Style{Font: &excelize.Font{Color: "555555", Italic: true}, Fill: excelize.Fill{Type: "pattern", Pattern: 1, Color: []string{"EEF2F6"}}}
	case "title":
		s = excelize.Style{Font: &excelize.Font{Bold: true, Size: 14}}
	case "heading":
		s = excelize.Style{Font: &excelize.Font{Bold: true, Size: 12, Color: "1F4E79"}}
	case "bold":
		s = excelize.Style{Font: &excelize.Font{Bold: true}}
	case "wrap":
		s = excelize.Style{Alignment: &excelize.Alignment{WrapText: true, Vertical: "top"}}
	case "note":
		s = excelize.Style{Font: &excelize.Font{Italic: true, Color: "555555"}}
	case "num":
		s = excelize.Style{CustomNumFmt: &format}
	case "boldnum":
		s = excelize.Style{CustomNumFmt: &format, Font: &excelize.Font{Bold: true}}
	}
	id, err := x.f.NewStyle(&s)
	if err != nil && x.err == nil {
		x.err = err
	}
	x.styles[kind] = id
	return id
}

func (x *workbook) num(format string) int { return x.style("num:" + format) }

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

// ---------------------------------------------------------------------
// Summary

// Rows of the summary's blocks. A chart is chartRows tall; blocks are at
// least that far apart so charts never overlap.
const (
	chartWidth  = 560
	chartHeight = 300
	chartRows   = 18 // 300 px is about 16 rows as excelize anchors it; and a gap
	chartCol    = 8  // H
)

func (x *workbook) writeSummary(s *Summary) {
	const sh = SheetSummary
	f := x.f
	for _, c := range []struct {
		from, to string
		width    float64
	}{{"A", "A", 22}, {"B", "B", 50}, {"C", "J", 13}} {
		if x.err == nil {
			x.err = f.SetColWidth(sh, c.from, c.to, c.width)
		}
	}
	// Printed: A4 landscape, tables and charts one page wide.
	a4, landscape, wide, tall := 9, "landscape", 1, 0
	fit := true
	if x.err == nil {
		x.err = f.SetPageLayout(sh, &excelize.PageLayoutOptions{Size: &a4, Orientation: &landscape, FitToWidth: &wide, FitToHeight: &tall})
	}
	if x.err == nil {
		x.err = f.SetSheetProps(sh, &excelize.SheetPropsOptions{FitToPage: &fit})
	}
	x.put(sh, 1, 1, x.opt.Title, x.style("title"))
	round := x.t("sum.reference", x.def.ReferenceYear)
	if x.opt.Round != "" {
		round = x.opt.Round + " · " + round
	}
	x.put(sh, 1, 2, round, 0)
	x.put(sh, 1, 3, x.t("sum.generated"), x.style("bold"))
	x.put(sh, 2, 3, x.opt.Generated.In(x.tz), x.num(fmtDateTime))
	x.put(sh, 1, 4, x.t("sum.selection"), x.style("bold"))
	x.put(sh, 2, 4, x.filterText(), 0)
	x.put(sh, 1, 5, x.t("sum.responses"), x.style("bold"))
	x.put(sh, 2, 5, s.Responses, x.style("num:"+fmtInt))
	x.put(sh, 1, 6, x.t("sum.note"), x.style("note"))
	row := 8

	if len(s.Indicators) > 0 {
		row = x.summaryIndicators(s, row)
	}
	var section *survey.Section
	for _, qs := range s.Questions {
		if x.stopped() {
			return
		}
		q := qs.Question
		if q.Personal && !x.opt.Personal {
			continue
		}
		if !(q.Type.IsChoice() || q.Type == survey.YesNo || q.Type.IsNumber()) {
			continue
		}
		if q.Section() != section {
			section = q.Section()
			x.put(sh, 1, row, section.Title.In(x.lang), x.style("heading"))
			row += 2
		}
		if q.Type.IsNumber() {
			row = x.summaryNumbers(qs, row)
		} else {
			row = x.summaryChoice(qs, row)
		}
		if x.err != nil {
			return
		}
	}
}

// filterText describes the filter in words.
func (x *workbook) filterText() string {
	f := x.opt.Filter
	var parts []string
	if f.PlanningRegion != "" {
		parts = append(parts, x.t("col.planning_region")+": "+f.PlanningRegion)
	}
	if f.StatisticalRegion != "" {
		parts = append(parts, x.t("col.statistical_region")+": "+f.StatisticalRegion)
	}
	if f.Kind != "" {
		parts = append(parts, x.t("col.kind")+": "+x.t("kind."+f.Kind))
	}
	if len(f.Statuses) == 0 && len(parts) == 0 {
		return x.t("sum.all_submitted")
	}
	st := f.Statuses
	if len(st) == 0 {
		st = []string{domain.StatusSubmitted}
	}
	names := make([]string, len(st))
	for i, s := range st {
		names[i] = x.t("status." + s)
	}
	parts = append(parts, x.t("col.status")+": "+strings.Join(names, ", "))
	return strings.Join(parts, "; ")
}

// summaryIndicators writes the indicators and their means per planning
// region; it returns the next free row.
func (x *workbook) summaryIndicators(s *Summary, row int) int {
	const sh = SheetSummary
	x.put(sh, 1, row, x.t("sum.indicators"), x.style("heading"))
	row++
	hdr := x.style("header")
	for i, h := range []string{x.t("sum.code"), x.t("sum.indicator"), x.t("sum.unit"), "n", x.t("sum.mean"),
		x.t("sum.median"), x.t("sum.q1"), x.t("sum.q3"), x.t("sum.min"), x.t("sum.max")} {
		x.put(sh, i+1, row, h, hdr)
	}
	row++
	for _, is := range s.Indicators {
		in := is.Indicator
		x.put(sh, 1, row, in.Code, 0)
		x.put(sh, 2, row, in.Text.In(x.lang), 0)
		x.put(sh, 3, row, in.Unit, 0)
		x.put(sh, 4, row, is.N, x.num(fmtInt))
		if is.N > 0 {
			nf := x.num(x.indicatorFormat(in))
			for i, v := range []float64{is.Mean, is.Median, is.Q1, is.Q3, is.Min, is.Max} {
				x.put(sh, 5+i, row, v, nf)
			}
		}
		row++
	}
	row++
	if len(s.Regions) == 0 {
		return row
	}
	x.put(sh, 1, row, x.t("sum.regions"), x.style("heading"))
	row++
	x.put(sh, 1, row, x.t("sum.region"), hdr)
	x.put(sh, 2, row, x.t("sum.responses"), hdr)
	for i, in := range x.def.Indicators {
		x.put(sh, 3+i, row, in.Text.In(x.lang), hdr)
	}
	if x.err == nil {
		x.err = x.f.SetRowHeight(sh, row, 60)
	}
	row++
	for _, g := range s.Regions {
		x.put(sh, 1, row, g.Name, 0)
		x.put(sh, 2, row, g.Responses, x.num(fmtInt))
		for i, is := range g.Indicators {
			if is.N > 0 {
				x.put(sh, 3+i, row, is.Mean, x.num(x.indicatorFormat(is.Indicator)))
			}
		}
		row++
	}
	return row + 1
}

// summaryHead writes a question's title and its n answered / not
// applicable / missing; it returns the next row.
func (x *workbook) summaryHead(qs *QuestionSummary, row int) int {
	const sh = SheetSummary
	q := qs.Question
	x.put(sh, 1, row, q.Code, x.style("bold"))
	x.put(sh, 2, row, q.Text.In(x.lang), x.style("bold"))
	nf := x.num(fmtInt)
	for i, c := range []struct {
		key string
		n   int
	}{{"sum.answered", qs.Answered}, {"sum.not_shown", qs.NotApplicable}, {"sum.missing", qs.Missing}} {
		x.put(sh, 2, row+1+i, x.t(c.key), 0)
		x.put(sh, 3, row+1+i, c.n, nf)
	}
	return row + 4
}

// summaryChoice writes a closed question's counts and its chart: a bar
// chart for single choice, a column chart for yes/no, a stacked bar chart
// (chose / did not choose) for multiple choice.
func (x *workbook) summaryChoice(qs *QuestionSummary, top int) int {
	const sh = SheetSummary
	q := qs.Question
	row := x.summaryHead(qs, top)
	hdr := x.style("header")
	multi := q.Type == survey.Multi
	heads := []string{x.t("sum.code"), x.t("sum.answer"), x.t("sum.count"), x.t("sum.pct")}
	if multi {
		heads = []string{x.t("sum.code"), x.t("sum.answer"), x.t("sum.chosen"), x.t("sum.not_chosen"), x.t("sum.pct")}
	}
	for i, h := range heads {
		x.put(sh, i+1, row, h, hdr)
	}
	if x.err == nil {
		x.err = x.f.SetRowHeight(sh, row, 30) // "% no atbildējušajiem" takes two lines
	}
	headRow := row
	first := row + 1
	nf, pf := x.num(fmtInt), x.num(x.fmtPercent(1))
	for _, o := range qs.Options {
		row++
		label := o.Label.In(x.lang)
		x.put(sh, 1, row, o.Code, 0)
		x.put(sh, 2, row, label, 0)
		x.put(sh, 3, row, o.Count, nf)
		if multi {
			x.put(sh, 4, row, qs.Answered-o.Count, nf)
			x.put(sh, 5, row, o.Percent, pf)
		} else {
			x.put(sh, 4, row, o.Percent, pf)
		}
	}
	last := row
	if last < first {
		return top + chartRows
	}
	cats := columnRange(sh, 2, first, last)
	ch := &excelize.Chart{Type: excelize.Bar,
		Series: []excelize.ChartSeries{{Name: fmt.Sprintf("%s!$C$%d", quoteSheet(sh), headRow), Categories: cats,
			Values: columnRange(sh, 3, first, last)}}}
	switch {
	case multi:
		ch.Type = excelize.BarStacked
		ch.Series = append(ch.Series, excelize.ChartSeries{Name: fmt.Sprintf("%s!$D$%d", quoteSheet(sh), headRow),
			Categories: cats, Values: columnRange(sh, 4, first, last)})
	case q.Type == survey.YesNo:
		ch.Type = excelize.Col
	}
	x.addChart(top, q.Text.In(x.lang), ch)
	return max(row+2, top+chartRows)
}

// summaryNumbers writes a numeric question's statistics, its distribution
// in intervals and a column chart of that.
func (x *workbook) summaryNumbers(qs *QuestionSummary, top int) int {
	const sh = SheetSummary
	q := qs.Question
	st := qs.Numbers
	row := x.summaryHead(qs, top)
	hdr := x.style("header")
	x.put(sh, 2, row, x.t("sum.stat"), hdr)
	x.put(sh, 3, row, x.t("sum.value"), hdr)
	row++
	x.put(sh, 2, row, x.t("sum.n"), 0)
	x.put(sh, 3, row, st.N, x.num(fmtInt))
	row++
	if st.N > 0 {
		vf, sf := x.num(x.numberFormat(q)), x.num(x.statFormat(q))
		for _, s := range []struct {
			key   string
			v     float64
			style int
		}{{"sum.sum", st.Sum, vf}, {"sum.mean", st.Mean, sf}, {"sum.min", st.Min, vf}, {"sum.q1", st.Q1, sf},
			{"sum.median", st.Median, sf}, {"sum.q3", st.Q3, sf}, {"sum.max", st.Max, vf}} {
			if s.key == "sum.sum" && q.Type == survey.Year {
				continue // a sum of years means nothing
			}
			x.put(sh, 2, row, x.t(s.key), 0)
			x.put(sh, 3, row, s.v, s.style)
			row++
		}
	}
	bins := histogram(st.Values(), q.Type == survey.Int || q.Type == survey.Year)
	if len(bins) == 0 {
		return max(row+1, top+5)
	}
	row++
	x.put(sh, 1, row, x.t("sum.from"), hdr)
	x.put(sh, 2, row, x.t("sum.interval"), hdr)
	x.put(sh, 3, row, x.t("sum.count"), hdr)
	headRow := row
	first := row + 1
	for _, b := range bins {
		row++
		x.put(sh, 1, row, b.lo, x.num(x.numberFormat(q)))
		x.put(sh, 2, row, b.label(x.lang), 0)
		x.put(sh, 3, row, b.count, x.num(fmtInt))
	}
	ch := &excelize.Chart{Type: excelize.Col, Series: []excelize.ChartSeries{{
		Name:       fmt.Sprintf("%s!$C$%d", quoteSheet(sh), headRow),
		Categories: columnRange(sh, 2, first, row), Values: columnRange(sh, 3, first, row)}}}
	x.addChart(top, q.Text.In(x.lang)+" — "+x.t("sum.distribution"), ch)
	return max(row+2, top+chartRows)
}

// addChart puts a chart beside the table that starts at row top.
func (x *workbook) addChart(top int, title string, ch *excelize.Chart) {
	if x.err != nil {
		return
	}
	styleChart(ch, title, chartWidth, chartHeight)
	x.err = x.f.AddChart(SheetSummary, cellName(chartCol, top), ch)
}

// styleChart gives a chart the workbooks' look: a small bold title (also its
// alternative text), values shown, a legend only for several series, the
// value axis from zero, bar categories top-down in the table's order.
func styleChart(ch *excelize.Chart, title string, width, height uint) {
	no := false
	ch.VaryColors = &no
	ch.Dimension = excelize.ChartDimension{Width: width, Height: height}
	ch.Title = excelize.ChartTitle{Paragraph: []excelize.RichTextRun{{Text: title, Font: &excelize.Font{Size: 10, Bold: true}}}}
	ch.PlotArea = excelize.ChartPlotArea{ShowVal: true}
	ch.Legend = excelize.ChartLegend{Position: "none"}
	if len(ch.Series) > 1 {
		ch.Legend.Position = "bottom"
	}
	zero := 0.0
	ch.YAxis.Minimum = &zero // counts start at zero, whatever the reader's autoscaling
	if ch.Type == excelize.Bar || ch.Type == excelize.BarStacked {
		ch.XAxis.ReverseOrder = true // categories top-down, in the table's order
	}
	ch.Format = excelize.GraphicOptions{AltText: title, OffsetX: 4}
}

// bin is one interval of a distribution: [lo, hi), the last one closed.
type bin struct {
	lo, hi float64
	whole  bool
	count  int
}

func (b bin) label(lang string) string {
	if b.whole {
		hi := b.hi - 1
		if hi <= b.lo {
			return formatNumber(b.lo, lang)
		}
		return formatNumber(b.lo, lang) + "–" + formatNumber(hi, lang)
	}
	if b.hi == b.lo {
		return formatNumber(b.lo, lang)
	}
	return formatNumber(b.lo, lang) + "–" + formatNumber(b.hi, lang)
}

func formatNumber(v float64, lang string) string {
	r := new(big.Rat)
	if r.SetFloat64(v) == nil {
		return strconv.FormatFloat(v, 'g', -1, 64)
	}
	return survey.FormatNumber(r, lang, true)
}

// histogram splits sorted values into at most about ten intervals of a
// round width (1, 2 or 5 times a power of ten); whole numbers get whole
// intervals.
func histogram(sorted []float64, whole bool) []bin {
	n := len(sorted)
	if n == 0 {
		return nil
	}
	lo, hi := sorted[0], sorted[n-1]
	if lo == hi {
		b := bin{lo: lo, hi: hi, count: n}
		if whole {
			b.whole, b.hi = true, lo+1
		}
		return []bin{b}
	}
	k := min(max(int(math.Ceil(math.Sqrt(float64(n)))), 2), 10)
	step := niceStep((hi - lo) / float64(k))
	if whole && step < 1 {
		step = 1
	}
	start := math.Floor(lo/step) * step
	count := int(math.Floor((hi-start)/step)) + 1
	out := make([]bin, count)
	for i := range out {
		out[i] = bin{lo: roundTo(start+float64(i)*step, step), hi: roundTo(start+float64(i+1)*step, step), whole: whole}
	}
	for _, v := range sorted {
		i := min(int(math.Floor((v-start)/step)), count-1)
		out[max(i, 0)].count++
	}
	return out
}

// niceStep rounds a width up to 1, 2 or 5 times a power of ten.
func niceStep(w float64) float64 {
	p := math.Pow(10, math.Floor(math.Log10(w)))
	for _, m := range []float64{1, 2, 5, 10} {
		if m*p >= w {
			return m * p
		}
	}
	return 10 * p
}

// roundTo removes the float noise of adding steps (0.30000000000000004).
func roundTo(v, step float64) float64 {
	places := max(0, -int(math.Floor(math.Log10(step))))
	p := math.Pow(10, float64(places))
	return math.Round(v*p) / p
}

// ---------------------------------------------------------------------
// Responses, wide and long

type colKind int

const (
	colMunicipality colKind = iota
	colMuniName
	colKindOf
	colPlanningRegion
	colStatisticalRegion
	colStatus
	colSubmittedAt
	colContacts
	colSingle
	colMultiLabels
	colMultiOption
	colOtherText
	colYesNo
	colNumber
	colText
	colIndicator
)

// wideColumn is one column of the wide sheet: row 1 its header in the
// export's language, row 2 its code.
type wideColumn struct {
	kind   colKind
	code   string
	header string
	q      *survey.Question
	option string
	ind    *survey.Indicator
	format string // number format, if any
	width  float64
}

func (x *workbook) buildWideColumns() {
	add := func(c wideColumn) { x.wide = append(x.wide, c) }
	add(wideColumn{kind: colMunicipality, code: "municipality", header: x.t("col.municipality"), width: 14})
	add(wideColumn{kind: colMuniName, code: "municipality_name", header: x.t("col.name"), width: 16})
	add(wideColumn{kind: colKindOf, code: "kind", header: x.t("col.kind"), width: 14})
	add(wideColumn{kind: colPlanningRegion, code: "planning_region", header: x.t("col.planning_region"), width: 14})
	add(wideColumn{kind: colStatisticalRegion, code: "statistical_region", header: x.t("col.statistical_region"), width: 14})
	add(wideColumn{kind: colStatus, code: "status", header: x.t("col.status"), width: 14})
	add(wideColumn{kind: colSubmittedAt, code: "submitted_at", header: x.t("col.submitted_at"), format: fmtDateTime, width: 17})
	if x.opt.Personal {
		add(wideColumn{kind: colContacts, code: "contacts", header: x.t("col.contacts"), width: 20})
	}
	for _, q := range x.questions {
		text := q.Text.In(x.lang)
		switch {
		case q.Type == survey.Single:
			w := 12
			for _, o := range q.AllOptions() {
				w = max(w, utf8.RuneCountInString(x.optionLabel(q, o.Code))+2)
			}
			add(wideColumn{kind: colSingle, code: q.Code, header: text, q: q, width: float64(min(w, 40))})
		case q.Type == survey.Multi:
			add(wideColumn{kind: colMultiLabels, code: q.Code, header: text, q: q, width: 40})
			for _, o := range q.AllOptions() {
				add(wideColumn{kind: colMultiOption, code: q.Code + ":" + o.Code, header: x.optionLabel(q, o.Code), q: q,
					option: o.Code, format: "0", width: 11})
			}
		case q.Type == survey.YesNo:
			add(wideColumn{kind: colYesNo, code: q.Code, header: text, q: q, width: 10})
		case q.Type.IsNumber():
			add(wideColumn{kind: colNumber, code: q.Code, header: text, q: q, format: x.numberFormat(q), width: 15})
		default:
			add(wideColumn{kind: colText, code: q.Code, header: text, q: q, width: 12})
		}
		if q.Other {
			add(wideColumn{kind: colOtherText, code: q.OtherKey(), header: x.t("col.other_text"), q: q, width: 12})
		}
	}
	for _, in := range x.def.Indicators {
		add(wideColumn{kind: colIndicator, code: in.Code, header: in.Text.In(x.lang), ind: in,
			format: x.indicatorFormat(in), width: 14})
	}
}

// textLen is the length of free text in the column for r (0 for other
// columns): pass 1 measures it so text columns get sensible widths.
func (c *wideColumn) textLen(x *workbook, r *Row) int {
	switch c.kind {
	case colMunicipality:
		return utf8.RuneCountInString(r.Municipality.Code)
	case colMuniName:
		return utf8.RuneCountInString(x.muniName(&r.Municipality))
	case colContacts:
		n := 0
		for _, ct := range r.Contacts {
			n += utf8.RuneCountInString(ct) + 2
		}
		return n
	case colText:
		s, _ := r.Answers[c.q.Code].(string)
		return utf8.RuneCountInString(s)
	case colOtherText:
		s, _ := r.Answers[c.q.OtherKey()].(string)
		return utf8.RuneCountInString(s)
	}
	return 0
}

// value is the cell of column c for r (nil: empty).
func (c *wideColumn) value(x *workbook, r *Row) any {
	m := &r.Municipality
	switch c.kind {
	case colMunicipality:
		return m.Code
	case colMuniName:
		return x.muniName(m)
	case colKindOf:
		return x.t("kind." + m.Kind)
	case colPlanningRegion:
		return m.PlanningRegion
	case colStatisticalRegion:
		return m.StatisticalRegion
	case colStatus:
		return x.t("status." + r.Status)
	case colSubmittedAt:
		return x.wallClock(r.SubmittedAt)
	case colContacts:
		if len(r.Contacts) == 0 {
			return nil
		}
		return strings.Join(r.Contacts, "; ")
	case colIndicator:
		if v, ok := c.ind.Compute(r.Answers); ok && !math.IsInf(v, 0) && !math.IsNaN(v) {
			return v
		}
		return nil
	}
	q := c.q
	if c.kind == colOtherText {
		if s, ok := r.Answers[q.OtherKey()].(string); ok && s != "" {
			return s
		}
		return nil
	}
	v, ok := r.Answers[q.Code]
	if !ok || v == nil {
		return nil
	}
	switch c.kind {
	case colSingle:
		if s, ok := v.(string); ok {
			return x.optionLabel(q, s)
		}
	case colMultiLabels:
		if list, ok := v.([]string); ok {
			labels := make([]string, len(list))
			for i, code := range list {
				labels[i] = x.optionLabel(q, code)
			}
			return strings.Join(labels, "; ")
		}
	case colMultiOption:
		if list, ok := v.([]string); ok {
			if slices.Contains(list, c.option) {
				return 1
			}
			return 0
		}
		return nil
	case colYesNo:
		if b, ok := v.(bool); ok {
			return x.yesNo(b)
		}
	case colNumber:
		if n, ok := v.(json.Number); ok {
			return numberValue(q, n)
		}
	}
	return textOf(v)
}

// writeData streams both response sheets from one pass over the rows.
func (x *workbook) writeData(rows Rows) error {
	f := x.f
	if err := x.declareRange(SheetWide, len(x.wide), 2+x.kept); err != nil {
		return err
	}
	if err := x.declareRange(SheetLong, 4, 1+x.longRows); err != nil {
		return err
	}
	wide, err := f.NewStreamWriter(SheetWide)
	if err != nil {
		return err
	}
	long, err := f.NewStreamWriter(SheetLong)
	if err != nil {
		return err
	}
	// Wide: widths, panes, the two header rows.
	cells := make([]excelize.Cell, len(x.wide))
	vals := make([]any, len(x.wide))
	widths := make([]float64, len(x.wide))
	for i := range x.wide {
		c := &x.wide[i]
		widths[i] = c.width
		if n := x.textWidth[i]; n > 0 {
			widths[i] = max(c.width, float64(min(n+2, 60)))
		}
		if c.format != "" {
			cells[i].StyleID = x.num(c.format)
		}
	}
	// One <col> per run of equal widths: excelize looks a cell's column up
	// among them for every cell written.
	for i := 0; i < len(widths); {
		if err := x.ctx.Err(); err != nil {
			return err
		}
		j := i
		for j+1 < len(widths) && widths[j+1] == widths[i] {
			j++
		}
		if err := wide.SetColWidth(i+1, j+1, widths[i]); err != nil {
			return err
		}
		i = j + 1
	}
	if err := wide.SetPanes(&excelize.Panes{Freeze: true, XSplit: 2, YSplit: 2, TopLeftCell: "C3", ActivePane: "bottomRight",
		Selection: []excelize.Selection{{SQRef: "C3", ActiveCell: "C3", Pane: "bottomRight"}}}); err != nil {
		return err
	}
	head, code := make([]any, len(x.wide)), make([]any, len(x.wide))
	hs, cs := x.style("header"), x.style("code")
	for i, c := range x.wide {
		head[i] = excelize.Cell{StyleID: hs, Value: c.header}
		code[i] = excelize.Cell{StyleID: cs, Value: c.code}
	}
	if x.err != nil {
		return x.err
	}
	if err := wide.SetRow("A1", head, excelize.RowOpts{Height: 75}); err != nil {
		return err
	}
	if err := wide.SetRow("A2", code); err != nil {
		return err
	}
	// Long: municipality, question, option, value.
	for i, w := range []float64{16, 24, 22, 40} {
		if err := long.SetColWidth(i+1, i+1, w); err != nil {
			return err
		}
	}
	if err := long.SetPanes(&excelize.Panes{Freeze: true, YSplit: 1, TopLeftCell: "A2", ActivePane: "bottomLeft",
		Selection: []excelize.Selection{{SQRef: "A2", ActiveCell: "A2", Pane: "bottomLeft"}}}); err != nil {
		return err
	}
	if err := long.SetRow("A1", []any{excelize.Cell{StyleID: hs, Value: x.t("col.municipality")},
		excelize.Cell{StyleID: hs, Value: x.t("col.question")}, excelize.Cell{StyleID: hs, Value: x.t("col.option")},
		excelize.Cell{StyleID: hs, Value: x.t("col.value")}}); err != nil {
		return err
	}
	lw := &longWriter{x: x, sw: long, row: 1, vals: make([]any, 4)}
	lw.vals[3] = &lw.val

	wrow := 2
	for r, err := range rows {
		if err == nil {
			err = x.ctx.Err()
		}
		if err != nil {
			return err
		}
		if !x.opt.Filter.Keep(r) {
			continue
		}
		if !x.opt.Personal {
			r.Contacts = nil
		}
		wrow++
		if wrow > excelize.TotalRows {
			return errors.New("reports: too many responses for one sheet")
		}
		for i := range x.wide {
			if v := x.wide[i].value(x, &r); v != nil {
				cells[i].Value, vals[i] = v, &cells[i]
			} else {
				vals[i] = nil
			}
		}
		if err := wide.SetRow(cellName(1, wrow), vals); err != nil {
			return err
		}
		if err := lw.response(&r); err != nil {
			return err
		}
	}
	if wrow-2 != x.kept || lw.row-1 != x.longRows {
		return errors.New("reports: the rows differ between the two passes (read them from one snapshot)")
	}
	last := colName(len(x.wide))
	if err := f.AutoFilter(SheetWide, fmt.Sprintf("A2:%s%d", last, max(wrow, 3)), nil); err != nil {
		return err
	}
	if err := f.AutoFilter(SheetLong, fmt.Sprintf("A1:D%d", max(lw.row, 2)), nil); err != nil {
		return err
	}
	if err := wide.Flush(); err != nil {
		return err
	}
	return long.Flush()
}

// longWriter writes the long sheet: one row per answer value.
type longWriter struct {
	x    *workbook
	sw   *excelize.StreamWriter
	row  int
	vals []any
	val  excelize.Cell
}

func (lw *longWriter) add(muni, code, option string, v any, format string) error {
	lw.row++
	if lw.row > excelize.TotalRows {
		return errors.New("reports: too many answers for the long sheet")
	}
	lw.vals[0], lw.vals[1] = muni, code
	lw.vals[2] = nil
	if option != "" {
		lw.vals[2] = option
	}
	lw.val.Value, lw.val.StyleID = v, 0
	if format != "" {
		lw.val.StyleID = lw.x.num(format)
	}
	return lw.sw.SetRow("A"+strconv.Itoa(lw.row), lw.vals)
}

func (lw *longWriter) response(r *Row) error {
	muni := r.Municipality.Code
	return lw.x.longValues(r, func(code, option string, v any, format string) error {
		return lw.add(muni, code, option, v, format)
	})
}

// longValues calls emit for each row of the long sheet a response gives:
// the question (or "other" text) code, the option code, the value and its
// number format.
func (x *workbook) longValues(r *Row, emit func(code, option string, v any, format string) error) error {
	for _, q := range x.questions {
		v, ok := r.Answers[q.Code]
		if ok && v != nil {
			var err error
			switch q.Type {
			case survey.Single:
				s, isStr := v.(string)
				if !isStr {
					err = emit(q.Code, "", textOf(v), "")
				} else {
					err = emit(q.Code, s, x.optionLabel(q, s), "")
				}
			case survey.Multi:
				list, isList := v.([]string)
				if !isList {
					err = emit(q.Code, "", textOf(v), "")
				}
				for _, c := range list {
					if err = emit(q.Code, c, x.optionLabel(q, c), ""); err != nil {
						break
					}
				}
			case survey.YesNo:
				if b, isBool := v.(bool); isBool {
					err = emit(q.Code, strconv.FormatBool(b), x.yesNo(b), "")
				} else {
					err = emit(q.Code, "", textOf(v), "")
				}
			default:
				if n, isNum := v.(json.Number); isNum && q.Type.IsNumber() {
					err = emit(q.Code, "", numberValue(q, n), x.numberFormat(q))
				} else {
					err = emit(q.Code, "", textOf(v), "")
				}
			}
			if err != nil {
				return err
			}
		}
		if q.Other {
			if s, ok := r.Answers[q.OtherKey()].(string); ok && s != "" {
				if err := emit(q.OtherKey(), "", s, ""); err != nil {
					return err
				}
			}
		}
	}
	return nil
}

// ---------------------------------------------------------------------
// Codebook and status

func (x *workbook) writeCodebook() {
	if x.err != nil {
		return
	}
	if x.err = x.declareRange(SheetCodebook, 9, 1+len(x.def.Questions())+len(x.def.Indicators)); x.err != nil {
		return
	}
	sw, err := x.f.NewStreamWriter(SheetCodebook)
	if err != nil {
		x.err = err
		return
	}
	hs, wrap := x.style("header"), x.style("wrap")
	widths := []float64{22, 10, 50, 50, 10, 45, 34, 34, 10}
	for i, w := range widths {
		if x.err == nil {
			x.err = sw.SetColWidth(i+1, i+1, w)
		}
	}
	if x.err == nil {
		x.err = sw.SetPanes(&excelize.Panes{Freeze: true, YSplit: 1, XSplit: 1, TopLeftCell: "B2", ActivePane: "bottomRight",
			Selection: []excelize.Selection{{SQRef: "B2", ActiveCell: "B2", Pane: "bottomRight"}}})
	}
	head := []any{}
	for _, k := range []string{"cb.code", "cb.section", "cb.text_lv", "cb.text_en", "cb.type", "cb.options", "cb.show_if", "cb.limits", "cb.personal"} {
		head = append(head, excelize.Cell{StyleID: hs, Value: x.t(k)})
	}
	if x.err == nil {
		x.err = sw.SetRow("A1", head)
	}
	row := 1
	cell := func(v string) any {
		if v == "" {
			return nil
		}
		return excelize.Cell{StyleID: wrap, Value: v}
	}
	for _, q := range x.def.Questions() {
		if x.stopped() {
			return
		}
		row++
		personal := ""
		if q.Personal {
			personal = x.t("cb.yes")
		}
		if x.err == nil {
			x.err = sw.SetRow(cellName(1, row), []any{q.Code, q.Section().Code, cell(q.Text.LV), cell(q.Text.EN),
				string(q.Type), cell(x.optionsText(q)), cell(q.ShowIf), cell(x.limitsText(q)), personal})
		}
	}
	for _, in := range x.def.Indicators {
		row++
		limits := x.t("cb.formula") + ": " + in.Formula
		if in.Unit != "" {
			limits += "; " + x.t("cb.unit") + ": " + in.Unit
		}
		limits += fmt.Sprintf("; %s: %d", x.t("cb.decimals"), in.Decimals)
		if x.err == nil {
			x.err = sw.SetRow(cellName(1, row), []any{in.Code, nil, cell(in.Text.LV), cell(in.Text.EN),
				x.t("cb.indicator"), nil, nil, cell(limits), nil})
		}
	}
	if x.err == nil {
		x.err = x.f.AutoFilter(SheetCodebook, fmt.Sprintf("A1:I%d", max(row, 2)), nil)
	}
	if x.err == nil {
		x.err = sw.Flush()
	}
}

// optionsText lists a choice question's options, one "code = label" a
// line, in Latvian.
func (x *workbook) optionsText(q *survey.Question) string {
	var lines []string
	switch {
	case q.Type.IsChoice():
		for _, o := range q.AllOptions() {
			line := o.Code + " = " + q.CategoryLabel(o.Code).LV
			if o.Exclusive {
				line += " (" + x.t("cb.exclusive") + ")"
			}
			if o.Code == survey.OtherCode && q.Other {
				line += " (" + x.t("cb.other_text", q.OtherKey()) + ")"
			}
			lines = append(lines, line)
		}
	case q.Type == survey.YesNo:
		lines = []string{"true = Jā", "false = Nē"}
	}
	return strings.Join(lines, "\n")
}

// limitsText describes what an answer must be.
func (x *workbook) limitsText(q *survey.Question) string {
	var parts []string
	if q.Required {
		parts = append(parts, x.t("cb.required"))
	}
	bound := func(b *survey.Bound) string {
		if b.ReferenceYear {
			return fmt.Sprintf("reference_year (%d)", x.def.ReferenceYear)
		}
		return b.Number
	}
	if q.Min != nil {
		parts = append(parts, "min "+bound(q.Min))
	}
	if q.Max != nil {
		parts = append(parts, "max "+bound(q.Max))
	}
	switch {
	case q.Type == survey.Decimal || q.Type == survey.Money || q.Type == survey.Percent:
		parts = append(parts, fmt.Sprintf("%s: %d", x.t("cb.decimals"), q.Places()))
	case q.Type.IsText():
		parts = append(parts, x.t("cb.max_length", q.Limit()))
		if q.Pattern != "" {
			parts = append(parts, x.t("cb.pattern")+": "+q.Pattern)
		}
	}
	return strings.Join(parts, "; ")
}

// writeStatus writes the response tracker, restricted to the filter's
// regions and kind (its status filter speaks of responses, not of the
// tracker, so it does not apply), the municipalities in alphabetical order
// of the export's language.
func (x *workbook) writeStatus() {
	if x.err != nil {
		return
	}
	flt := x.opt.Filter
	var list []StatusRow
	for _, s := range x.opt.Status {
		m := s.Municipality
		if (flt.PlanningRegion != "" && m.PlanningRegion != flt.PlanningRegion) ||
			(flt.StatisticalRegion != "" && m.StatisticalRegion != flt.StatisticalRegion) ||
			(flt.Kind != "" && m.Kind != flt.Kind) {
			continue
		}
		list = append(list, s)
	}
	survey.SortByName(list, x.lang, func(s StatusRow) string { return x.muniName(&s.Municipality) })
	keys := []string{"col.municipality", "col.name", "col.planning_region", "col.status", "col.percent", "col.last_activity", "col.reminders"}
	widths := []float64{14, 26, 16, 24, 12, 18, 12}
	if x.opt.Personal {
		keys = append(keys, "col.contacts")
		widths = append(widths, 40)
	}
	if x.err = x.declareRange(SheetStatus, len(keys), 1+len(list)); x.err != nil {
		return
	}
	sw, err := x.f.NewStreamWriter(SheetStatus)
	if err != nil {
		x.err = err
		return
	}
	hs := x.style("header")
	for i, w := range widths {
		if x.err == nil {
			x.err = sw.SetColWidth(i+1, i+1, w)
		}
	}
	if x.err == nil {
		x.err = sw.SetPanes(&excelize.Panes{Freeze: true, YSplit: 1, TopLeftCell: "A2", ActivePane: "bottomLeft",
			Selection: []excelize.Selection{{SQRef: "A2", ActiveCell: "A2", Pane: "bottomLeft"}}})
	}
	head := make([]any, len(keys))
	for i, k := range keys {
		head[i] = excelize.Cell{StyleID: hs, Value: x.t(k)}
	}
	if x.err == nil {
		x.err = sw.SetRow("A1", head)
	}
	row := 1
	pct, dt, in := x.num(x.fmtPercent(0)), x.num(fmtDateTime), x.num(fmtInt)
	for _, s := range list {
		m := s.Municipality
		row++
		vals := []any{m.Code, x.muniName(&m), m.PlanningRegion, x.t("track." + s.Status),
			excelize.Cell{StyleID: pct, Value: s.Percent}, nil, excelize.Cell{StyleID: in, Value: s.RemindersSent}}
		if t := x.wallClock(s.LastActivity); t != nil {
			vals[5] = excelize.Cell{StyleID: dt, Value: t}
		}
		if x.opt.Personal && len(s.Contacts) > 0 {
			vals = append(vals, strings.Join(s.Contacts, "; "))
		}
		if x.err == nil {
			x.err = sw.SetRow(cellName(1, row), vals)
		}
	}
	if x.err == nil {
		x.err = x.f.AutoFilter(SheetStatus, fmt.Sprintf("A1:%s%d", colName(len(keys)), max(row, 2)), nil)
	}
	if x.err == nil {
		x.err = sw.Flush()
	}
}
