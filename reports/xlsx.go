package reports

import (
	"bytes"
	"context"
	"errors"
	"io"
	"os"
	"strings"
	"sync"
	"time"

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
	// Earlier are the rounds before this one in its series, oldest first,
	// each with its definition and rows (read once). When there is at
	// least one, the workbook has the sheet "Dinamika" (xlsx_trends.go):
	// the trends across them and this round, under the filter's regions
	// and kind, submitted responses only.
	Earlier []TrendRound
	// Slug names this round on that sheet (default the definition's).
	Slug string
	// Cache, when not nil, keeps between workbooks what one can hand the
	// next (XLSXCache); the file is the same with it as without.
	Cache *XLSXCache
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
// charts, the responses wide and long, the codebook and the tracker, and
// the trends across rounds when opt.Earlier has any. It reads the rows
// twice — once to aggregate, once to stream the data sheets; a third time
// for the trends — but calls src only once while the rows of the first
// pass fit in about 32 MB (memoBudget: some 9,000 responses of the
// regional questionnaire decoded, some 20,000 as their answers documents
// when the rows carry them, Row.Raw): they are kept and given again
// (rowMemo). Past that it keeps no rows and calls src for each pass:
// memory then grows with the aggregates (the numbers behind the
// quartiles), not with the responses. Each pass reads its rows ahead on a
// goroutine of its own (readAhead), the long sheet is written on another
// (longAside) and the streamed sheets are deflated on others (parZip): src
// is never called while a pass of it runs, and none of them is left
// running when WriteXLSX returns. The data sheets are written with
// excelize's StreamWriter, which moves to a temporary file past 16 MB, and
// continue on numbered sheets past Excel's row limit (pagedSheet); the
// finished file is assembled in memory up to 16 MB and in a temporary file
// past that (not wholly in memory, as excelize's File.Write does), and then
// copied to w.
func WriteXLSX(w io.Writer, def *survey.Definition, src Source, opt XLSXOptions) error {
	return WriteXLSXContext(context.Background(), w, def, src, opt)
}

// WriteXLSXContext is WriteXLSX that stops when ctx is done: it looks at
// ctx between rows, between the questions of the summary and the codebook,
// between runs of column widths, between sheets and between the parts of
// the file as it is assembled, and then returns ctx's error. Nothing
// reaches w after that: the file is assembled before its first byte goes
// out.
func WriteXLSXContext(ctx context.Context, w io.Writer, def *survey.Definition, src Source, opt XLSXOptions) error {
	return writeXLSX(ctx, w, def, src, opt, excelize.TotalRows, memoBudget)
}

// writeXLSX is WriteXLSXContext with sheets of rowLimit rows (tests make
// it small to see the data sheets continue) and rows kept for later
// passes up to memo bytes (rowMemo).
func writeXLSX(ctx context.Context, w io.Writer, def *survey.Definition, src Source, opt XLSXOptions, rowLimit, memo int) error {
	return writeXLSXWith(ctx, w, def, src, opt, rowLimit, memo, false)
}

// writeXLSXWith is writeXLSX with the summary's charts made by excelize's
// AddChart when chartsByExcelize (the tests compare the parts written
// from a template with those, xlsx_chartparts.go).
func writeXLSXWith(ctx context.Context, w io.Writer, def *survey.Definition, src Source, opt XLSXOptions, rowLimit, memo int, chartsByExcelize bool) error {
	return writeXLSXWays(ctx, w, def, src, opt, rowLimit, memo, buildWays{chartsByExcelize: chartsByExcelize})
}

// buildWays are the tests' yardsticks: the summary's charts made by
// excelize's AddChart (chartsByExcelize), the long sheet written on the
// same goroutine as the wide one (longInline; writeData).
type buildWays struct {
	chartsByExcelize, longInline bool
}

// writeXLSXWays is writeXLSXWith in the ways given.
func writeXLSXWays(ctx context.Context, w io.Writer, def *survey.Definition, src Source, opt XLSXOptions, rowLimit, memo int, ways buildWays) error {
	x, err := newWorkbookOf(def, opt)
	if err != nil {
		return err
	}
	// excelize's new file, which parses its templates (some 0.8 ms at 43
	// responses, a profile), is made on a goroutine of its own while pass
	// 1 reads the rows, which need no file: build takes it after pass 1.
	files := make(chan *excelize.File, 1)
	go func() { files <- excelize.NewFile() }()
	x.files = files
	defer func() { x.takeFile().Close() }()
	x.ctx, x.rowLimit, x.chartsByExcelize, x.longInline = ctx, rowLimit, ways.chartsByExcelize, ways.longInline
	x.memo = newRowMemo(src, memo)
	if err := x.build(x.memo.Source()); err != nil {
		return err
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	return x.writeTo(w)
}

// writeTo assembles the file and then copies it to w: in memory while it
// is small, in a temporary file past spillSize (spillWriter). excelize's
// File.Write would assemble it in a bytes.Buffer whatever its size: at
// 100,000 responses a hundred megabytes, twice over while the buffer
// grows. The zip writer given to excelize ignores the buffer excelize
// hands it and writes to the spillWriter instead.
func (x *workbook) writeTo(w io.Writer) error {
	out := &spillWriter{limit: spillSize}
	defer out.close()
	x.f.SetZipWriter(func(io.Writer) excelize.ZipWriter {
		z := newParZip(x.ctx, out)
		z.cache = x.opt.Cache
		return z
	})
	if _, err := x.f.WriteToBuffer(); err != nil {
		return err
	}
	if err := x.ctx.Err(); err != nil {
		return err
	}
	// Complete: sent whole, whatever ctx says now (w fails if the reader
	// went away).
	return out.copyTo(w)
}

// spillSize is how much of the file is assembled in memory before it
// moves to a temporary file (as excelize's StreamWriter does with a
// sheet's rows).
const spillSize = 16 << 20

// spillWriter keeps what is written in memory up to limit bytes, then in
// a temporary file.
type spillWriter struct {
	limit int
	buf   bytes.Buffer
	file  *os.File
}

func (s *spillWriter) Write(p []byte) (int, error) {
	if s.file == nil && s.buf.Len()+len(p) > s.limit {
		f, err := os.CreateTemp("", "surveyd-xlsx-*")
		if err != nil {
			return 0, err
		}
		s.file = f
		if _, err := s.buf.WriteTo(f); err != nil {
			return 0, err
		}
		s.buf = bytes.Buffer{}
	}
	if s.file != nil {
		return s.file.Write(p)
	}
	return s.buf.Write(p)
}

// copyTo copies everything written to w.
func (s *spillWriter) copyTo(w io.Writer) error {
	if s.file == nil {
		_, err := s.buf.WriteTo(w)
		return err
	}
	if _, err := s.file.Seek(0, io.SeekStart); err != nil {
		return err
	}
	_, err := io.Copy(w, s.file)
	return err
}

// close removes the temporary file, if any.
func (s *spillWriter) close() {
	if s.file != nil {
		s.file.Close()
		os.Remove(s.file.Name())
	}
}

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
	files     <-chan *excelize.File // f, made on a goroutine (takeFile)
	def       *survey.Definition
	opt       XLSXOptions
	lang      string
	tz        *time.Location
	questions []*survey.Question // in the export: personal ones only when Personal
	wide      []wideColumn
	styles    map[string]int
	nums      map[string]int    // styles by number format (num)
	words     map[string]string // wording without arguments by key (t), under wordsMu
	wordsMu   sync.Mutex
	// textWidth is the longest text seen per wide column (pass 1).
	textWidth []int
	// kept and longRows count the responses and the answer values of the
	// data sheets (pass 1), so each sheet can declare its used range
	// before its rows stream out.
	kept, longRows int
	// summaryCols and summaryRows are the extent of the summary's cells.
	summaryCols, summaryRows int
	// summary holds the summary's cells by row, each row's by column
	// (index col-1), until streamSummary writes them.
	summary map[int][]any
	// trend is the trends across rounds (pass 1, without the long form's
	// values: writeTrends streams them); nil without earlier rounds.
	trend *Trend
	// The pages each data sheet takes (pagedSheet), from pass 1.
	widePages, longPages, trendPages int
	// rowLimit is the rows a sheet holds: excelize.TotalRows, Excel's
	// limit (less in tests, to see sheets continue).
	rowLimit int
	// rowHeights are the summary's rows of their own height (setRowHeight).
	rowHeights map[int]float64
	// charts is the summary's drawing once its first chart is in
	// (xlsx_chartparts.go); chartsByExcelize makes every chart with
	// AddChart instead (the tests' yardstick for those parts).
	charts           *chartDrawing
	chartsByExcelize bool
	// longInline writes the long sheet beside the wide one on one
	// goroutine, never on its own (writeData; the tests' yardstick).
	longInline bool
	// memo keeps the rows of the first pass (rowMemo); early writes the
	// long sheet from them (startLongEarly), nil when writeData writes it.
	memo  *rowMemo
	early *longEarly
	err   error
}

func newWorkbook(def *survey.Definition, opt XLSXOptions) (*workbook, error) {
	x, err := newWorkbookOf(def, opt)
	if err == nil {
		x.f = excelize.NewFile()
	}
	return x, err
}

// newWorkbookOf is newWorkbook without its file: the caller sets x.f, or
// x.files for takeFile.
func newWorkbookOf(def *survey.Definition, opt XLSXOptions) (*workbook, error) {
	if def == nil {
		return nil, errors.New("reports: no definition")
	}
	x := &workbook{ctx: context.Background(), def: def, opt: opt, lang: "lv", tz: opt.TimeZone,
		styles: map[string]int{}, rowLimit: excelize.TotalRows}
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

// takeFile is x.f, waiting for it to be made (x.files) the first time.
func (x *workbook) takeFile() *excelize.File {
	if x.f == nil {
		x.f = <-x.files
	}
	return x.f
}

func (x *workbook) build(src Source) error {
	if x.stopped() {
		return x.err
	}
	// Pass 1: the aggregates (and the widths of text columns, and how many
	// rows each data sheet will have); the trends' too.
	// The rows are read (and prepared for Aggregate) ahead, on a goroutine
	// of their own (readAhead), in this pass and the next.
	sum, err := Aggregate(x.def, x.observe(readAhead(src(), x.prepare)), x.opt.Filter)
	if err != nil {
		return err
	}
	if len(x.opt.Earlier) > 0 {
		if x.stopped() {
			return x.err
		}
		if x.trend, err = trends(x.trendRounds(src), countValues); err != nil {
			return err
		}
		if x.stopped() {
			return x.err
		}
		x.trendPages = x.pages(x.trend.values, trendHeadRows, 1)
	}
	// The sheets, now that pass 1 has said how many pages each data sheet
	// takes (pagedSheet). Pass 1 used no file: it is taken now.
	f := x.takeFile()
	if err := f.SetSheetName("Sheet1", SheetSummary); err != nil {
		return err
	}
	x.widePages, x.longPages = x.pages(x.kept, 2, 2), x.pages(x.longRows, 1, 1)
	var sheets []string
	if x.trend != nil {
		sheets = append(sheets, pageNames(SheetTrend, x.trendPages)...)
	}
	sheets = append(sheets, pageNames(SheetWide, x.widePages)...)
	sheets = append(sheets, pageNames(SheetLong, x.longPages)...)
	sheets = append(sheets, SheetCodebook, SheetStatus)
	for _, name := range sheets {
		if _, err := f.NewSheet(name); err != nil {
			return err
		}
	}
	// Now, while every sheet is empty: SetActiveSheet reads every
	// worksheet, and for a streamed one that means decoding all its rows.
	f.SetActiveSheet(0)
	x.writeSummary(sum)
	x.startLongEarly()
	defer x.stopLong()
	x.finishCharts()
	x.streamSummary()
	if x.err != nil {
		return x.err
	}
	// Pass 2: both data sheets from one pass.
	if x.stopped() {
		return x.err
	}
	if err := x.writeData(readAhead(src(), nil)); err != nil {
		return err
	}
	if !x.stopped() {
		x.writeCodebook()
	}
	if !x.stopped() {
		x.writeStatus()
	}
	if x.trend != nil && !x.stopped() {
		x.writeTrends(src)
	}
	if x.stopped() {
		return x.err
	}
	return f.SetDocProps(&excelize.DocProperties{Title: x.opt.Title, Creator: "surveyd", Language: x.lang,
		Created: x.opt.Generated.UTC().Format(time.RFC3339), Description: x.opt.Round})
}

// prepare prepares a row the filter keeps for Aggregate (Prepare), unless
// it comes prepared: readAhead calls it beside pass 1's aggregating.
func (x *workbook) prepare(r *Row) {
	if x.opt.Filter.Keep(*r) && (r.Prepared == nil || r.Prepared.def != x.def) {
		r.Prepared = Prepare(x.def, r.Answers)
	}
}

// observe passes the rows on to Aggregate and notes what the data sheets
// need before their first row: the column widths and how many rows they
// will have.
func (x *workbook) observe(rows Rows) Rows {
	return func(yield func(Row, error) bool) {
		for r, err := range rows {
			if err == nil {
				err = x.ctx.Err()
			}
			if err == nil && x.opt.Filter.Keep(r) {
				x.kept++
				x.longRows += x.longCount(&r)
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
	if len(args) == 0 {
		// Without arguments, once per key: the data sheets ask for the
		// same few (kinds, statuses, yes and no) on every row.
		// Locked: the long sheet is written on a goroutine of its own
		// (writeData) beside the wide sheet, and both ask.
		x.wordsMu.Lock()
		defer x.wordsMu.Unlock()
		if w, ok := x.words[key]; ok {
			return w
		}
		w := x.t1(key)
		if x.words == nil {
			x.words = map[string]string{}
		}
		x.words[key] = w
		return w
	}
	return x.t1(key, args...)
}

func (x *workbook) t1(key string, args ...any) string {
	if !wording.Default().Has("workbook." + key) {
		if _, rest, found := strings.Cut(key, "."); found {
			return rest
		}
		return key
	}
	return word(x.lang, "workbook."+key, args...)
}

// colWidth is the width of the columns from..to (1-based).
type colWidth struct {
	from, to int
	width    float64
}

// setColWidths sets a streamed sheet's column widths, given left to right:
// several runs at once (setColsFlat) as excelize's calls would leave them,
// else by calling excelize right to left: it puts each call's columns
// before those set already and writes them in that order, and the file
// format wants a sheet's <col> elements in ascending order.
func setColWidths(sw *excelize.StreamWriter, cols []colWidth) error {
	if len(cols) > 1 && setColsFlat(sw, cols) {
		return nil
	}
	return setColWidthsByCalls(sw, cols)
}

// setColWidthsByCalls is setColWidths by excelize's SetColWidth alone.
func setColWidthsByCalls(sw *excelize.StreamWriter, cols []colWidth) error {
	for i := len(cols) - 1; i >= 0; i-- {
		if err := sw.SetColWidth(cols[i].from, cols[i].to, cols[i].width); err != nil {
			return err
		}
	}
	return nil
}

// eachColumn is one colWidth per width, column by column from the first.
func eachColumn(widths ...float64) []colWidth {
	cols := make([]colWidth, len(widths))
	for i, w := range widths {
		cols[i] = colWidth{i + 1, i + 1, w}
	}
	return cols
}
