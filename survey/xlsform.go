package survey

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"regexp"
	"strconv"
	"strings"

	"github.com/goccy/go-yaml"
	"github.com/xuri/excelize/v2"
)

// XLSForm in and out: the spreadsheet format of KoboToolbox, ODK, Ona and
// SurveyCTO (https://xlsform.org; the column and type names pyxform reads).
// README.md's "XLSForm" section documents the mapping.

// Limits of a workbook ImportXLSForm reads.
const (
	MaxXLSFormBytes = 4 << 20  // the .xlsx file
	maxXLSFormXML   = 32 << 20 // its unzipped parts
	maxXLSFormRows  = 5000     // rows of one sheet
	maxXLSFormCols  = 100      // columns of one sheet
)

// Sheet and column names.
const (
	xlsSurvey     = "survey"
	xlsChoices    = "choices"
	xlsSettings   = "settings"
	xlsRules      = "surveyd_rules"
	xlsIndicators = "surveyd_indicators"

	xlsLV      = "Latviešu (lv)"
	xlsEN      = "English (en)"
	yesNoList  = "surveyd_yesno"
	datePat    = `[0-9]{4}-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])`
	constraint = "_constraint" // suffix of the rule made from a constraint
)

var dateMessage = Text{LV: "Datums jāraksta formā GGGG-MM-DD, piemēram, 2026-03-31.",
	EN: "Write the date as YYYY-MM-DD, e.g. 2026-03-31."}

var defaultConstraintMessage = Text{LV: "Šī vērtība nav atļauta.", EN: "This value is not allowed."}

var yesNoOptions = []*Option{{Code: "yes", Text: Text{LV: "Jā", EN: "Yes"}}, {Code: "no", Text: Text{LV: "Nē", EN: "No"}}}

// xlsType maps a definition type to its XLSForm type and the surveyd_type
// that keeps the exact type ("" when the XLSForm type says it all).
func xlsType(q *Question) (typ, stype, appearance string) {
	or := ""
	if q.Other {
		or = " or_other"
	}
	switch q.Type {
	case Single:
		return "select_one " + q.Code + or, "", ""
	case Multi:
		return "select_multiple " + q.Code + or, "", ""
	case YesNo:
		return "select_one " + yesNoList, "yesno", ""
	case Int:
		return "integer", "", ""
	case Year:
		return "integer", "year", ""
	case Decimal:
		return "decimal", "", ""
	case Money, Percent:
		return "decimal", string(q.Type), ""
	case Long:
		return "text", "", "multiline"
	case Email, Phone:
		return "text", string(q.Type), ""
	}
	return "text", "", ""
}

func yes(b bool) string {
	if b {
		return "yes"
	}
	return ""
}

func boundText(b *Bound) string {
	switch {
	case b == nil:
		return ""
	case b.ReferenceYear:
		return refYearWord
	}
	return b.Number
}

// sheetRows is one sheet being written: a header and rows of named cells.
type sheetRows struct {
	name string
	head []string
	rows []map[string]string
}

func (s *sheetRows) add(r map[string]string) { s.rows = append(s.rows, r) }

// The survey sheet's columns, in order. Export writes those some row uses.
var surveyColumns = []string{"type", "name", "label::" + xlsLV, "label::" + xlsEN, "hint::" + xlsLV, "hint::" + xlsEN,
	"required", "relevant", "constraint", "constraint_message::" + xlsLV, "constraint_message::" + xlsEN, "appearance",
	"surveyd_type", "surveyd_min", "surveyd_max", "surveyd_decimals", "surveyd_max_length",
	"surveyd_pattern", "surveyd_pattern_message_lv", "surveyd_pattern_message_en",
	"surveyd_personal", "surveyd_publishable", "surveyd_show_if", "surveyd_constraint",
	"surveyd_carry_over", "surveyd_breaks_series", "surveyd_renamed_from"}

// ExportXLSForm writes d as an XLSForm workbook: the sheets survey, choices
// and settings, and surveyd_rules and surveyd_indicators when d has rules
// or indicators. ImportXLSForm reads it back to an equal definition.
func ExportXLSForm(d *Definition, w io.Writer) error {
	typeOf := func(code string) Type {
		if q := d.Question(code); q != nil {
			return q.Type
		}
		return ""
	}
	used := map[string]bool{}
	for _, q := range d.Questions() {
		used[q.Code] = true
	}
	for _, s := range d.Sections {
		used[s.Code] = true
	}
	unique := func(base string) string {
		name := base
		for i := 2; used[name]; i++ {
			name = fmt.Sprintf("%s_%d", base, i)
		}
		used[name] = true
		return name
	}
	text := func(r map[string]string, col string, t Text) {
		r[col+"::"+xlsLV], r[col+"::"+xlsEN] = t.LV, t.EN
	}

	// The rules made from XLSForm constraints go back to the constraint
	// column: the longest tail of the rules each named <field>_constraint,
	// one a question, in questionnaire order (import appends them in that
	// order after those of the surveyd_rules sheet). Other rules go to
	// that sheet.
	tail, next := len(d.Rules), len(d.Questions())
	for i := len(d.Rules) - 1; i >= 0; i-- {
		r := d.Rules[i]
		q := d.Question(r.Field)
		if q == nil || r.Code != r.Field+constraint || q.index >= next {
			break
		}
		tail, next = i, q.index
	}
	constraints := map[string]*Rule{}
	for _, r := range d.Rules[tail:] {
		constraints[r.Field] = r
	}
	toDef := func(c string) (Type, bool) { t := typeOf(c); return t, t != "" }

	sv := &sheetRows{name: xlsSurvey}
	ch := &sheetRows{name: xlsChoices, head: []string{"list_name", "name", "label::" + xlsLV, "label::" + xlsEN, "surveyd_exclusive"}}
	yesNo := false
	if !d.Intro.IsZero() {
		r := map[string]string{"type": "note", "name": unique("intro")}
		text(r, "label", d.Intro)
		sv.add(r)
	}
	for _, s := range d.Sections {
		r := map[string]string{"type": "begin_group", "name": s.Code, "appearance": "field-list"}
		text(r, "label", s.Title)
		sv.add(r)
		if !s.Help.IsZero() {
			r := map[string]string{"type": "note", "name": unique(s.Code + "_help")}
			text(r, "label", s.Help)
			sv.add(r)
		}
		for _, q := range s.Questions {
			typ, stype, app := xlsType(q)
			r := map[string]string{"type": typ, "name": q.Code, "required": yes(q.Required), "appearance": app,
				"surveyd_type": stype, "surveyd_min": boundText(q.Min), "surveyd_max": boundText(q.Max),
				"surveyd_pattern": q.Pattern, "surveyd_pattern_message_lv": q.PatternMessage.LV,
				"surveyd_pattern_message_en": q.PatternMessage.EN,
				"surveyd_personal":           yes(q.Personal), "surveyd_publishable": yes(q.Publishable)}
			text(r, "label", q.Text)
			text(r, "hint", q.Help)
			if q.Decimals != nil {
				r["surveyd_decimals"] = strconv.Itoa(*q.Decimals)
			}
			if q.MaxLength != 0 {
				r["surveyd_max_length"] = strconv.Itoa(q.MaxLength)
			}
			exportNewFields(q, r)
			if q.ShowIf != "" {
				x, err := xlsExprOf(q.ShowIf, typeOf, "")
				if err != nil {
					return fmt.Errorf("question %q: show_if: %w", q.Code, err)
				}
				r["relevant"] = x
				back, err := defExprOf(x, toDef, "")
				if err != nil || back != q.ShowIf {
					r["surveyd_show_if"] = q.ShowIf
				}
			}
			if rule := constraints[q.Code]; rule != nil {
				x, err := xlsExprOf(rule.Assert, typeOf, q.Code)
				if err != nil {
					return fmt.Errorf("rule %q: assert: %w", rule.Code, err)
				}
				r["constraint"] = x
				text(r, "constraint_message", rule.Message)
				if back, err := defExprOf(x, toDef, q.Code); err != nil || back != rule.Assert {
					r["surveyd_constraint"] = rule.Assert
				}
			}
			sv.add(r)
			switch q.Type {
			case Single, Multi:
				for _, o := range q.Options {
					r := map[string]string{"list_name": q.Code, "name": o.Code, "surveyd_exclusive": yes(o.Exclusive)}
					text(r, "label", o.Text)
					ch.add(r)
				}
				if q.Other {
					// pyxform labels or_other's choice with this row's
					// translations (without it: "Other" in one language).
					r := map[string]string{"list_name": q.Code, "name": OtherCode}
					text(r, "label", otherOption.Text)
					ch.add(r)
				}
			case YesNo:
				yesNo = true
			}
		}
		sv.add(map[string]string{"type": "end_group"})
	}
	if yesNo {
		for _, o := range yesNoOptions {
			r := map[string]string{"list_name": yesNoList, "name": o.Code}
			text(r, "label", o.Text)
			ch.add(r)
		}
	}
	for _, c := range surveyColumns {
		for _, r := range sv.rows {
			if r[c] != "" || c == "type" || c == "name" || strings.HasPrefix(c, "label::") {
				sv.head = append(sv.head, c)
				break
			}
		}
	}

	sum := sha256.Sum256(d.JSON())
	st := &sheetRows{name: xlsSettings, head: []string{"form_title", "form_id", "version", "default_language",
		"surveyd_title_en", "surveyd_reference_year"}}
	set := map[string]string{"form_title": d.Title.LV, "form_id": d.Slug, "version": hex.EncodeToString(sum[:4]),
		"default_language": xlsLV, "surveyd_title_en": d.Title.EN, "surveyd_reference_year": strconv.Itoa(d.ReferenceYear)}
	if d.ReceiptEmail != "" {
		st.head = append(st.head, "surveyd_receipt_email")
		set["surveyd_receipt_email"] = d.ReceiptEmail
	}
	if cl := d.ContactList; cl != nil {
		for _, f := range []struct{ key, code string }{{"consent", cl.Consent}, {"name", cl.Name},
			{"position", cl.Position}, {"email", cl.Email}, {"phone", cl.Phone}} {
			if f.code != "" {
				st.head = append(st.head, "surveyd_contact_"+f.key)
				set["surveyd_contact_"+f.key] = f.code
			}
		}
	}
	st.add(set)

	sheets := []*sheetRows{sv, ch, st}
	if tail > 0 {
		rs := &sheetRows{name: xlsRules, head: []string{"code", "assert", "field", "message::" + xlsLV, "message::" + xlsEN}}
		for _, r := range d.Rules[:tail] {
			row := map[string]string{"code": r.Code, "assert": r.Assert, "field": r.Field}
			text(row, "message", r.Message)
			rs.add(row)
		}
		sheets = append(sheets, rs)
	}
	if len(d.Indicators) > 0 {
		is := &sheetRows{name: xlsIndicators, head: []string{"code", "formula", "text::" + xlsLV, "text::" + xlsEN, "unit", "decimals"}}
		for _, ind := range d.Indicators {
			row := map[string]string{"code": ind.Code, "formula": ind.Formula, "unit": ind.Unit}
			if ind.Decimals != 0 {
				row["decimals"] = strconv.Itoa(ind.Decimals)
			}
			text(row, "text", ind.Text)
			is.add(row)
		}
		sheets = append(sheets, is)
	}
	return writeSheets(sheets, w)
}

func writeSheets(sheets []*sheetRows, w io.Writer) error {
	f := excelize.NewFile()
	defer f.Close()
	bold, err := f.NewStyle(&excelize.Style{Font: &excelize.Font{Bold: true}})
	if err != nil {
		return err
	}
	for i, s := range sheets {
		if i == 0 {
			if err := f.SetSheetName("Sheet1", s.name); err != nil {
				return err
			}
		} else if _, err := f.NewSheet(s.name); err != nil {
			return err
		}
		for c, h := range s.head {
			cell, _ := excelize.CoordinatesToCellName(c+1, 1)
			if err := f.SetCellStr(s.name, cell, h); err != nil {
				return err
			}
			col, _ := excelize.ColumnNumberToName(c + 1)
			width := 14.0
			if strings.HasPrefix(h, "label::") || strings.HasPrefix(h, "message::") || strings.HasPrefix(h, "text::") {
				width = 48
			} else if h == "type" || h == "relevant" || h == "assert" || h == "formula" {
				width = 28
			}
			if err := f.SetColWidth(s.name, col, col, width); err != nil {
				return err
			}
		}
		last, _ := excelize.CoordinatesToCellName(len(s.head), 1)
		if err := f.SetCellStyle(s.name, "A1", last, bold); err != nil {
			return err
		}
		for r, row := range s.rows {
			for c, h := range s.head {
				if v := row[h]; v != "" {
					cell, _ := excelize.CoordinatesToCellName(c+1, r+2)
					if err := f.SetCellStr(s.name, cell, v); err != nil {
						return err
					}
				}
			}
		}
		if err := f.SetPanes(s.name, &excelize.Panes{Freeze: true, YSplit: 1, TopLeftCell: "A2", ActivePane: "bottomLeft"}); err != nil {
			return err
		}
		// excelize leaves the sheet's declared range at A1; readers that
		// trust it (openpyxl in read-only mode, which pyxform, and so
		// KoboToolbox and ODK, use) would see only the first header cell.
		end, _ := excelize.CoordinatesToCellName(len(s.head), len(s.rows)+1)
		if err := f.SetSheetDimension(s.name, "A1:"+end); err != nil {
			return err
		}
	}
	return f.Write(w)
}

// ---- import ----

// sheet is a read sheet: its header (lower-cased, trimmed) and rows.
type sheet struct {
	name string
	head []string
	rows [][]string
	used map[int]bool // columns the importer understood
}

func (s *sheet) col(name string) int {
	for i, h := range s.head {
		if h == name {
			return i
		}
	}
	return -1
}

func (s *sheet) cell(row []string, name string) string {
	i := s.col(name)
	if i < 0 {
		return ""
	}
	s.used[i] = true
	if i < len(row) {
		return strings.TrimSpace(row[i])
	}
	return ""
}

// importer collects the problems, each with the sheet, row and column.
type importer struct {
	problems []string
	defLang  string // the language of a label column without one: lv or en
	// rows maps what the loader's problems start with (`question "q"`)
	// to where that is in the workbook.
	rows map[string]string
	// showIf holds the translated relevant of `question "q"`.
	showIf map[string]string
}

func (im *importer) place(what string, s *sheet, row int, col string) {
	where := fmt.Sprintf("sheet %q, row %d", s.name, row)
	if col != "" {
		where += ", column " + col
	}
	if _, dup := im.rows[what]; !dup {
		im.rows[what] = where
	}
}

// locate adds to each of the loader's problems where its subject is in
// the workbook: question "q": … (sheet "survey", row 7).
func (im *importer) locate(problems []string) {
	for i, p := range problems {
		head, _, ok := strings.Cut(p, ": ")
		if !ok {
			continue
		}
		// `question "q" option "o"` is at the question's row.
		for _, key := range []string{head, firstTwoWords(head)} {
			if where, ok := im.rows[key]; ok {
				// A column in an expression counts in the translation.
				if x, ok := im.showIf[key]; ok && strings.HasPrefix(p, head+": show_if: ") {
					where += ", column relevant, read as: " + x
				}
				problems[i] = p + " (" + where + ")"
				break
			}
		}
	}
}

// firstTwoWords returns `question "q"` of `question "q" option "o"`.
func firstTwoWords(s string) string {
	kind, rest, ok := strings.Cut(s, " ")
	if !ok || !strings.HasPrefix(rest, `"`) {
		return s
	}
	if end := strings.Index(rest[1:], `"`); end >= 0 {
		return kind + " " + rest[:end+2]
	}
	return s
}

func (im *importer) at(s *sheet, row int, col, format string, args ...any) {
	where := fmt.Sprintf("sheet %q", s.name)
	if row > 0 {
		where += fmt.Sprintf(", row %d", row)
	}
	if col != "" {
		if i := s.col(col); i >= 0 {
			letter, _ := excelize.ColumnNumberToName(i + 1)
			where += fmt.Sprintf(", column %s (%s)", letter, s.head[i])
		} else {
			where += fmt.Sprintf(", column %s", col)
		}
	}
	im.problems = append(im.problems, where+": "+fmt.Sprintf(format, args...))
}

// langOf names the language of a column: "label::Latviešu (lv)" → label, lv.
func (im *importer) langOf(h string) (base, lang string) {
	base, spec, ok := strings.Cut(h, "::")
	base = strings.TrimSpace(base)
	if !ok {
		return base, im.defLang
	}
	return base, languageCode(spec)
}

func languageCode(spec string) string {
	spec = strings.ToLower(strings.TrimSpace(spec))
	if i := strings.LastIndex(spec, "("); i >= 0 && strings.HasSuffix(spec, ")") {
		return strings.TrimSpace(spec[i+1 : len(spec)-1])
	}
	switch spec {
	case "latviešu", "latviesu", "latvian", "lv":
		return "lv"
	case "english", "angļu", "en":
		return "en"
	}
	return spec
}

// text reads a translatable column (label, hint …) of a row.
func (im *importer) text(s *sheet, row []string, base string) Text {
	var t Text
	for i, h := range s.head {
		b, lang := im.langOf(h)
		if b != base {
			continue
		}
		s.used[i] = true
		v := ""
		if i < len(row) {
			v = strings.TrimSpace(row[i])
		}
		switch {
		case v == "": // "label" and "label::Latviešu (lv)" may both be there
		case lang == "lv":
			t.LV = v
		case lang == "en":
			t.EN = v
		}
	}
	return t
}

// checkLanguages refuses translatable columns in languages other than
// Latvian and English (the definition has only those two).
func (im *importer) checkLanguages(s *sheet, bases ...string) {
	for i, h := range s.head {
		b, lang := im.langOf(h)
		for _, base := range bases {
			if b == base && lang != "lv" && lang != "en" {
				s.used[i] = true
				if s.hasValues(i) {
					im.at(s, 1, h, "language %q: a questionnaire has texts in Latvian (lv) and English (en) only", lang)
				}
			}
		}
	}
}

func (s *sheet) hasValues(col int) bool {
	for _, r := range s.rows {
		if col < len(r) && strings.TrimSpace(r[col]) != "" {
			return true
		}
	}
	return false
}

// unknownColumns refuses every column the importer did not read that has
// a value in some row (an empty column is harmless).
func (im *importer) unknownColumns(s *sheet, why map[string]string) {
	for i, h := range s.head {
		// KoboToolbox's own bookkeeping ($kuid, $autoname …) is no content.
		if s.used[i] || h == "" && !s.hasValues(i) || strings.HasPrefix(h, "$") {
			continue
		}
		for r, row := range s.rows {
			if i < len(row) && strings.TrimSpace(row[i]) != "" {
				reason := why[h]
				if reason == "" {
					reason = "this column is not supported; clear it or remove it"
				}
				if h == "" {
					im.at(s, r+2, "", "column %s has no name in row 1", colLetter(i))
				} else {
					im.at(s, r+2, h, "%s", reason)
				}
				break
			}
		}
	}
}

func colLetter(i int) string {
	l, _ := excelize.ColumnNumberToName(i + 1)
	return l
}

func parseYes(v string) (bool, bool) {
	switch v {
	case "":
		return false, true
	case "yes", "Yes", "YES", "true", "True", "TRUE", "true()", "1":
		return true, true
	case "no", "No", "NO", "false", "False", "FALSE", "false()", "0":
		return false, true
	}
	return false, false
}

func (im *importer) yes(s *sheet, rowNum int, row []string, col string) bool {
	v := s.cell(row, col)
	b, ok := parseYes(v)
	if !ok {
		im.at(s, rowNum, col, "%q: write yes or no (or leave it empty)", v)
	}
	return b
}

func (im *importer) integer(s *sheet, rowNum int, row []string, col string) (int, bool) {
	v := s.cell(row, col)
	if v == "" {
		return 0, false
	}
	n, err := strconv.Atoi(v)
	if err != nil {
		im.at(s, rowNum, col, "%q is not a whole number", v)
		return 0, false
	}
	return n, true
}

var jsonNumberRe = regexp.MustCompile(`^-?[0-9]+(\.[0-9]+)?([eE][+-]?[0-9]+)?$`)

func (im *importer) bound(s *sheet, rowNum int, row []string, col string) *Bound {
	v := s.cell(row, col)
	switch {
	case v == "":
		return nil
	case v == refYearWord:
		return &Bound{ReferenceYear: true}
	case len(v) <= MaxNumberLength && jsonNumberRe.MatchString(v):
		return &Bound{Number: v}
	}
	im.at(s, rowNum, col, "%q is neither a number nor %s", v, refYearWord)
	return nil
}

// readSheets reads every sheet of the workbook.
func readSheets(data []byte) (map[string]*sheet, []string, error) {
	if len(data) > MaxXLSFormBytes {
		return nil, nil, fmt.Errorf("the workbook has %d bytes; at most %d are read", len(data), MaxXLSFormBytes)
	}
	f, err := excelize.OpenReader(bytes.NewReader(data), excelize.Options{UnzipSizeLimit: maxXLSFormXML, UnzipXMLSizeLimit: maxXLSFormXML})
	if err != nil {
		return nil, nil, fmt.Errorf("not an .xlsx workbook (%v)", err)
	}
	defer f.Close()
	out := map[string]*sheet{}
	var names []string
	for _, name := range f.GetSheetList() {
		key := strings.ToLower(strings.TrimSpace(name))
		names = append(names, key)
		rows, err := f.GetRows(name, excelize.Options{RawCellValue: true})
		if err != nil {
			return nil, nil, fmt.Errorf("sheet %q: %v", name, err)
		}
		if len(rows) > maxXLSFormRows {
			return nil, nil, fmt.Errorf("sheet %q has %d rows; at most %d are read", name, len(rows), maxXLSFormRows)
		}
		s := &sheet{name: key, used: map[int]bool{}}
		if len(rows) > 0 {
			if len(rows[0]) > maxXLSFormCols {
				return nil, nil, fmt.Errorf("sheet %q has %d columns; at most %d are read", name, len(rows[0]), maxXLSFormCols)
			}
			for _, h := range rows[0] {
				s.head = append(s.head, strings.TrimSpace(h))
			}
			s.rows = rows[1:]
		}
		for i, h := range s.head {
			if b, spec, ok := strings.Cut(h, "::"); ok {
				s.head[i] = strings.ToLower(strings.TrimSpace(b)) + "::" + strings.TrimSpace(spec)
			} else {
				s.head[i] = strings.ToLower(h)
			}
		}
		out[key] = s
	}
	return out, names, nil
}

func blank(row []string) bool {
	for _, c := range row {
		if strings.TrimSpace(c) != "" {
			return false
		}
	}
	return true
}

// surveyWhy explains the XLSForm columns the definition has no place for.
var surveyWhy = map[string]string{
	"choice_filter":    "choice filters (choice_filter) are not supported",
	"calculation":      "calculations are not supported",
	"default":          "default answers are not supported",
	"read_only":        "read-only questions are not supported",
	"repeat_count":     "repeats are not supported",
	"required_message": "required_message is not supported: the form has its own message for a required answer",
	"trigger":          "triggers are not supported",
	"parameters":       "parameters are not supported",
	"image":            "media (image) are not supported",
	"audio":            "media (audio) are not supported",
	"video":            "media (video) are not supported",
	"media::image":     "media (image) are not supported",
	"guidance_hint":    "guidance_hint is not supported; use hint",
}

var unsupportedTypes = map[string]string{
	"begin_repeat": "repeats (begin_repeat) are not supported", "end_repeat": "repeats (begin_repeat) are not supported",
	"calculate": "calculations (calculate) are not supported",
	"geopoint":  "geo types (geopoint) are not supported", "geotrace": "geo types (geotrace) are not supported",
	"geoshape": "geo types (geoshape) are not supported", "start-geopoint": "geo types (start-geopoint) are not supported",
	"image": "media (image) are not supported", "photo": "media (image) are not supported",
	"audio": "media (audio) are not supported", "video": "media (video) are not supported",
	"file": "media (file) are not supported", "background-audio": "media (background-audio) are not supported",
	"select_one_from_file":      "choices from a file (select_one_from_file) are not supported",
	"select_multiple_from_file": "choices from a file (select_multiple_from_file) are not supported",
}

// ImportXLSForm reads an XLSForm workbook into a definition, checked by
// Parse. Everything the definition cannot hold is refused, each problem
// naming the sheet, row and column; nothing is dropped silently. name names
// the workbook in errors.
func ImportXLSForm(data []byte, name string) (*Definition, error) {
	sheets, names, err := readSheets(data)
	if err != nil {
		return nil, &DefinitionError{Source: name, Problems: []string{err.Error()}}
	}
	im := &importer{defLang: "lv", rows: map[string]string{}, showIf: map[string]string{}}
	d := &Definition{Format: FormatVersion}

	for _, n := range names {
		switch n {
		case "external_choices", "entities", "osm":
			im.problems = append(im.problems, fmt.Sprintf("sheet %q: %s are not supported", n, n))
		}
	}
	im.settings(sheets[xlsSettings], d)
	sv := sheets[xlsSurvey]
	if sv == nil {
		im.problems = append(im.problems, `sheet "survey" is missing`)
		return nil, &DefinitionError{Source: name, Problems: im.problems}
	}
	lists := im.choices(sheets[xlsChoices])
	im.survey(sv, d, lists)
	im.rules(sheets[xlsRules], d)
	im.indicators(sheets[xlsIndicators], d)
	if len(im.problems) > 0 {
		return nil, &DefinitionError{Source: name, Problems: im.problems}
	}
	js, err := json.Marshal(d)
	if err != nil {
		return nil, &DefinitionError{Source: name, Problems: []string{err.Error()}}
	}
	def, err := Parse(js, name)
	if err != nil {
		var de *DefinitionError
		if errors.As(err, &de) {
			de.Source = name
			im.locate(de.Problems)
		}
		return nil, err
	}
	return def, nil
}

func (im *importer) settings(s *sheet, d *Definition) {
	if s == nil || len(s.rows) == 0 {
		im.problems = append(im.problems, `sheet "settings" is missing or has no row of values: it needs form_title, form_id (the round's slug) and surveyd_reference_year`)
		return
	}
	row := s.rows[0]
	for r, more := range s.rows[1:] {
		if !blank(more) {
			im.at(s, r+3, "", "settings has one row of values (row 2)")
			break
		}
	}
	if l := s.cell(row, "default_language"); l != "" {
		switch code := languageCode(l); code {
		case "lv", "en":
			im.defLang = code
		default:
			im.at(s, 2, "default_language", "%q: the questionnaire's languages are Latvian (lv) and English (en)", l)
		}
	}
	title := s.cell(row, "form_title")
	if im.defLang == "en" {
		d.Title = Text{LV: s.cell(row, "surveyd_title_lv"), EN: title}
	} else {
		d.Title = Text{LV: title, EN: s.cell(row, "surveyd_title_en")}
	}
	s.cell(row, "surveyd_title_lv")
	s.cell(row, "surveyd_title_en")
	d.Slug = s.cell(row, "form_id")
	if d.Slug == "" {
		im.at(s, 2, "form_id", "form_id (the round's slug, e.g. regional-2026) is missing")
	}
	if y, ok := im.integer(s, 2, row, "surveyd_reference_year"); ok {
		d.ReferenceYear = y
	} else if s.col("surveyd_reference_year") < 0 || s.cell(row, "surveyd_reference_year") == "" {
		im.at(s, 2, "surveyd_reference_year", "the reference year is missing: add the column surveyd_reference_year with the year the answers refer to")
	}
	d.ReceiptEmail = s.cell(row, "surveyd_receipt_email")
	cl := &ContactList{Consent: s.cell(row, "surveyd_contact_consent"), Name: s.cell(row, "surveyd_contact_name"),
		Position: s.cell(row, "surveyd_contact_position"), Email: s.cell(row, "surveyd_contact_email"),
		Phone: s.cell(row, "surveyd_contact_phone")}
	if *cl != (ContactList{}) {
		d.ContactList = cl
	}
	// These configure the ODK/Kobo tool chain, not the questionnaire.
	for _, c := range []string{"version", "instance_name", "style", "submission_url", "public_key",
		"auto_send", "auto_delete", "namespaces", "clean_text_values", "name"} {
		s.cell(row, c)
	}
	im.unknownColumns(s, nil)
}

type choiceList struct {
	row     int // first row
	options []*Option
}

func (im *importer) choices(s *sheet) map[string]*choiceList {
	lists := map[string]*choiceList{}
	if s == nil {
		return lists
	}
	im.checkLanguages(s, "label")
	for r, row := range s.rows {
		if blank(row) {
			continue
		}
		n := r + 2
		list, code := s.cell(row, "list_name"), s.cell(row, "name")
		if list == "" {
			im.at(s, n, "list_name", "list_name is empty")
			continue
		}
		l := lists[list]
		if l == nil {
			l = &choiceList{row: n}
			lists[list] = l
		}
		o := &Option{Code: code, Text: im.text(s, row, "label"), Exclusive: im.yes(s, n, row, "surveyd_exclusive")}
		if code == "" {
			im.at(s, n, "name", "the choice has no name")
		}
		l.options = append(l.options, o)
	}
	im.unknownColumns(s, map[string]string{"image": "media (image) are not supported", "audio": "media (audio) are not supported",
		"video": "media (video) are not supported"})
	return lists
}

// xrow is a survey row kept for the second pass (expressions).
type xrow struct {
	n        int
	row      []string
	q        *Question
	relevant string
}

func (im *importer) survey(s *sheet, d *Definition, lists map[string]*choiceList) {
	im.checkLanguages(s, "label", "hint", "constraint_message")
	types := map[string]Type{}
	var pending []xrow
	var sec *Section
	var loose *Section // questions outside any group, when there is no group
	groups := 0
	for _, row := range s.rows {
		if !blank(row) && strings.HasPrefix(strings.ToLower(strings.Join(strings.Fields(s.cell(row, "type")), "_")), "begin_group") {
			groups++
		}
	}
	lastWasBegin := false
	seenQuestion := false
	for r, row := range s.rows {
		if blank(row) {
			continue
		}
		n := r + 2
		raw := s.cell(row, "type")
		fields := strings.Fields(raw)
		typ := ""
		if len(fields) > 0 {
			typ = strings.ToLower(fields[0])
		}
		// "begin group" and "begin_group" are the same (pyxform reads both).
		if (typ == "begin" || typ == "end") && len(fields) > 1 {
			typ += "_" + strings.ToLower(fields[1])
			fields = fields[1:]
		}
		name := s.cell(row, "name")
		begin := lastWasBegin
		lastWasBegin = false
		switch {
		case typ == "":
			im.at(s, n, "type", "the row has no type")
		case typ == "begin_group":
			if sec != nil {
				im.at(s, n, "type", "a group inside group %q: groups cannot be nested (each group is one section)", sec.Code)
				continue
			}
			if len(fields) > 1 {
				im.at(s, n, "type", "%q: write begin_group alone", raw)
			}
			sec = &Section{Code: name, Title: im.text(s, row, "label")}
			im.place(fmt.Sprintf("section %q", name), s, n, "")
			if name == "" {
				im.at(s, n, "name", "the group has no name (the section's code)")
			}
			if v := s.cell(row, "relevant"); v != "" {
				im.at(s, n, "relevant", "a group cannot have a condition (relevant): put the condition on its questions")
			}
			if v := s.cell(row, "appearance"); v != "" && v != "field-list" {
				im.at(s, n, "appearance", "%q is not supported on a group (each section is one page, as field-list)", v)
			}
			im.noQuestionColumns(s, n, row, "group")
			d.Sections = append(d.Sections, sec)
			lastWasBegin = true
		case typ == "end_group":
			if sec == nil {
				im.at(s, n, "type", "end_group without begin_group")
			}
			sec = nil
		case typ == "begin_repeat" || typ == "begin_loop" || typ == "end_repeat" || typ == "end_loop":
			im.at(s, n, "type", "repeats (%s) are not supported", raw)
		case typ == "note":
			t := im.text(s, row, "label")
			im.noQuestionColumns(s, n, row, "note")
			switch {
			case sec == nil && !seenQuestion && len(d.Sections) == 0 && d.Intro.IsZero():
				d.Intro = t
			case sec != nil && begin:
				sec.Help = t
			default:
				im.at(s, n, "type", "a note is supported only before the first group (the questionnaire's introduction) or as the first row of a group (the section's introduction)")
			}
		default:
			q := im.question(s, n, row, fields, lists)
			if q == nil {
				continue
			}
			seenQuestion = true
			target := sec
			if target == nil {
				if groups > 0 {
					im.at(s, n, "type", "question %q is outside any group: put it between begin_group and end_group (each group is one section)", name)
					continue
				}
				if loose == nil {
					loose = &Section{Code: "main", Title: d.Title}
					d.Sections = append(d.Sections, loose)
				}
				target = loose
			}
			target.Questions = append(target.Questions, q)
			im.place(fmt.Sprintf("question %q", q.Code), s, n, "")
			types[q.Code] = q.Type
			pending = append(pending, xrow{n: n, row: row, q: q})
		}
	}
	if sec != nil {
		im.at(s, 0, "type", "group %q has no end_group", sec.Code)
	}

	// Second pass: conditions and constraints, now that every question's
	// type is known.
	typeOf := func(c string) (Type, bool) { t, ok := types[c]; return t, ok }
	for _, p := range pending {
		q := p.q
		if v := s.cell(p.row, "relevant"); v != "" {
			x, err := defExprOf(v, typeOf, "")
			if err != nil {
				im.at(s, p.n, "relevant", "%v", err)
			} else {
				q.ShowIf = x
				im.showIf[fmt.Sprintf("question %q", q.Code)] = x
				// The exact spelling of the definition, kept by export,
				// wins while relevant still says the same.
				if orig := s.cell(p.row, "surveyd_show_if"); orig != "" {
					back, err := xlsExprOf(orig, func(c string) Type { return types[c] }, "")
					if err == nil && strings.Join(strings.Fields(back), " ") == strings.Join(strings.Fields(v), " ") {
						q.ShowIf = orig
					}
				}
			}
		}
		s.cell(p.row, "surveyd_show_if")
		orig := s.cell(p.row, "surveyd_constraint")
		if v := s.cell(p.row, "constraint"); v != "" {
			x, err := defExprOf(v, typeOf, q.Code)
			if err != nil {
				im.at(s, p.n, "constraint", "%v", err)
				continue
			}
			if orig != "" { // as with surveyd_show_if
				back, err := xlsExprOf(orig, func(c string) Type { return types[c] }, q.Code)
				if err == nil && strings.Join(strings.Fields(back), " ") == strings.Join(strings.Fields(v), " ") {
					x = orig
				}
			}
			msg := im.text(s, p.row, "constraint_message")
			if msg.LV == "" && msg.EN == "" {
				msg = defaultConstraintMessage
			}
			d.Rules = append(d.Rules, &Rule{Code: q.Code + constraint, Assert: x, Field: q.Code, Message: msg})
			im.place(fmt.Sprintf("rule %q", q.Code+constraint), s, p.n, "constraint, read as: "+x)
		} else if t := im.text(s, p.row, "constraint_message"); !t.IsZero() {
			im.at(s, p.n, "constraint_message::"+xlsLV, "a constraint message without a constraint")
		}
	}
	im.unknownColumns(s, surveyWhy)
}

// noQuestionColumns refuses question settings on a group or note row.
func (im *importer) noQuestionColumns(s *sheet, n int, row []string, what string) {
	for _, c := range []string{"required", "constraint", "surveyd_type", "surveyd_min", "surveyd_max", "surveyd_decimals",
		"surveyd_max_length", "surveyd_pattern", "surveyd_personal", "surveyd_publishable",
		"surveyd_carry_over", "surveyd_breaks_series", "surveyd_renamed_from"} {
		if v := s.cell(row, c); v != "" {
			im.at(s, n, c, "does not apply to a %s", what)
		}
	}
	if what == "note" {
		if v := s.cell(row, "relevant"); v != "" {
			im.at(s, n, "relevant", "a note cannot have a condition")
		}
	}
	if h := im.text(s, row, "hint"); !h.IsZero() {
		im.at(s, n, "hint::"+xlsLV, "a %s has no hint", what)
	}
}

func (im *importer) question(s *sheet, n int, row []string, fields []string, lists map[string]*choiceList) *Question {
	typ := strings.ToLower(fields[0])
	q := &Question{Code: s.cell(row, "name"), Text: im.text(s, row, "label"), Help: im.text(s, row, "hint")}
	if q.Code == "" {
		im.at(s, n, "name", "the question has no name (its code)")
	}
	q.Required = im.yesExpr(s, n, row)
	stype := s.cell(row, "surveyd_type")
	app := s.cell(row, "appearance")
	wantStype := func(allowed ...string) bool {
		for _, a := range allowed {
			if stype == a {
				return true
			}
		}
		if len(allowed) == 1 {
			im.at(s, n, "surveyd_type", "%q does not go with type %s (leave it empty)", stype, typ)
		} else {
			im.at(s, n, "surveyd_type", "%q does not go with type %s (allowed: %s)", stype, typ, strings.Join(allowed[1:], ", "))
		}
		return false
	}
	switch typ {
	case "select_one", "select_multiple", "select1", "select_all_that_apply":
		if len(fields) < 2 {
			im.at(s, n, "type", "%s needs the name of its choice list", typ)
			return nil
		}
		listName := fields[1]
		if len(fields) > 2 {
			rest := strings.ToLower(strings.Join(fields[2:], " "))
			if rest == "or_other" || rest == "or other" || rest == "or specify other" {
				q.Other = true
			} else {
				im.at(s, n, "type", "%q: only or_other may follow the list name", strings.Join(fields, " "))
			}
		}
		one := typ == "select_one" || typ == "select1"
		q.Type = Multi
		if one {
			q.Type = Single
		}
		l := lists[listName]
		if l == nil {
			im.at(s, n, "type", "the choice list %q is not on the choices sheet", listName)
		} else {
			for _, o := range l.options {
				// With or_other, the list's own "other" choice only labels
				// the automatic one (its text is the form's own).
				if !(q.Other && o.Code == OtherCode) {
					q.Options = append(q.Options, o)
				}
			}
		}
		if stype == "yesno" && one {
			q.Type, q.Options = YesNo, nil
			if q.Other {
				im.at(s, n, "type", "a yes/no question has no or_other")
			}
			if l != nil && (len(l.options) != 2 || l.options[0].Code != "yes" || l.options[1].Code != "no") {
				im.at(s, n, "type", "a yes/no question's list must be the choices yes and no")
			}
		} else if stype != "" && one {
			wantStype("", "yesno")
		} else if stype != "" {
			wantStype("")
		}
	case "integer", "int":
		q.Type = Int
		if wantStype("", "int", "year") && stype == "year" {
			q.Type = Year
		}
	case "decimal":
		q.Type = Decimal
		if wantStype("", "decimal", "money", "percent") && stype != "" {
			q.Type = Type(stype)
		}
	case "text", "string":
		q.Type = Short
		if app == "multiline" {
			q.Type = Long
		}
		if wantStype("", "text", "longtext", "email", "phone") && stype != "" {
			q.Type = Type(stype)
		}
	case "date":
		q.Type, q.Pattern, q.PatternMessage = Short, datePat, dateMessage
		if s.cell(row, "surveyd_pattern") != "" {
			im.at(s, n, "surveyd_pattern", "a date question has its own pattern")
		}
		if stype != "" {
			im.at(s, n, "surveyd_type", "does not apply to a date question")
		}
	default:
		if why := unsupportedTypes[typ]; why != "" {
			im.at(s, n, "type", "%s", why)
		} else {
			im.at(s, n, "type", "type %q is not supported (supported: text, integer, decimal, date, select_one, select_multiple, note, begin_group, end_group)", strings.Join(fields, " "))
		}
		return nil
	}
	if app != "" && !(app == "multiline" && (q.Type == Short || q.Type == Long)) {
		im.at(s, n, "appearance", "%q is not supported (the form decides how questions look); only multiline on text", app)
	}
	q.Min = im.bound(s, n, row, "surveyd_min")
	q.Max = im.bound(s, n, row, "surveyd_max")
	if v, ok := im.integer(s, n, row, "surveyd_decimals"); ok {
		q.Decimals = &v
	}
	if v, ok := im.integer(s, n, row, "surveyd_max_length"); ok {
		q.MaxLength = v
	}
	if p := s.cell(row, "surveyd_pattern"); p != "" {
		q.Pattern = p
	}
	if t := (Text{LV: s.cell(row, "surveyd_pattern_message_lv"), EN: s.cell(row, "surveyd_pattern_message_en")}); !t.IsZero() {
		q.PatternMessage = t
	}
	q.Personal = im.yes(s, n, row, "surveyd_personal")
	q.Publishable = im.yes(s, n, row, "surveyd_publishable")
	importNewFields(im, s, n, row, q)
	return q
}

// yesExpr reads required: yes or no; a condition is not supported.
func (im *importer) yesExpr(s *sheet, n int, row []string) bool {
	v := s.cell(row, "required")
	b, ok := parseYes(v)
	if !ok {
		im.at(s, n, "required", "%q: write yes or no (a required condition is not supported)", v)
	}
	return b
}

// exportNewFields and importNewFields carry the question fields of rounds
// in a series (carry_over, breaks_series, renamed_from) in the columns
// surveyd_carry_over, surveyd_breaks_series and surveyd_renamed_from.
func exportNewFields(q *Question, r map[string]string) {
	r["surveyd_carry_over"] = yes(q.CarryOver)
	r["surveyd_breaks_series"] = yes(q.BreaksSeries)
	r["surveyd_renamed_from"] = q.RenamedFrom
}

func importNewFields(im *importer, s *sheet, n int, row []string, q *Question) {
	q.CarryOver = im.yes(s, n, row, "surveyd_carry_over")
	q.BreaksSeries = im.yes(s, n, row, "surveyd_breaks_series")
	q.RenamedFrom = strings.TrimSpace(s.cell(row, "surveyd_renamed_from"))
}

// expression reads a surveyd sheet's expression: the definition's own
// language, or XLSForm's when it names questions as ${name}.
func (im *importer) expression(s *sheet, n int, col, v string, d *Definition) string {
	if !strings.Contains(v, "${") {
		return v
	}
	types := map[string]Type{}
	for _, sec := range d.Sections {
		for _, q := range sec.Questions {
			types[q.Code] = q.Type
		}
	}
	x, err := defExprOf(v, func(c string) (Type, bool) { t, ok := types[c]; return t, ok }, "")
	if err != nil {
		im.at(s, n, col, "%v", err)
		return v
	}
	return x
}

func (im *importer) rules(s *sheet, d *Definition) {
	if s == nil {
		return
	}
	im.checkLanguages(s, "message")
	var rules []*Rule
	for r, row := range s.rows {
		if blank(row) {
			continue
		}
		n := r + 2
		rules = append(rules, &Rule{Code: s.cell(row, "code"), Assert: im.expression(s, n, "assert", s.cell(row, "assert"), d),
			Field: s.cell(row, "field"), Message: im.text(s, row, "message")})
		im.place(fmt.Sprintf("rule %q", s.cell(row, "code")), s, n, "")
	}
	// The sheet's rules first, then those made from constraints.
	d.Rules = append(rules, d.Rules...)
	im.unknownColumns(s, nil)
}

func (im *importer) indicators(s *sheet, d *Definition) {
	if s == nil {
		return
	}
	im.checkLanguages(s, "text")
	for r, row := range s.rows {
		if blank(row) {
			continue
		}
		n := r + 2
		ind := &Indicator{Code: s.cell(row, "code"), Formula: im.expression(s, n, "formula", s.cell(row, "formula"), d),
			Text: im.text(s, row, "text"), Unit: s.cell(row, "unit")}
		if v, ok := im.integer(s, n, row, "decimals"); ok {
			ind.Decimals = v
		}
		d.Indicators = append(d.Indicators, ind)
		im.place(fmt.Sprintf("indicator %q", ind.Code), s, n, "")
	}
	im.unknownColumns(s, nil)
}

// YAML returns the definition as YAML, the diff-friendly form of its
// canonical JSON (the same fields in the same order). Parse reads it back
// to an equal definition.
func (d *Definition) YAML() ([]byte, error) {
	return yaml.JSONToYAML(d.JSON())
}

// ErrOldExcel refuses a workbook in the binary format of Excel 97–2003.
var ErrOldExcel = errors.New("this is an .xls workbook (Excel 97–2003), which cannot be read: save it as .xlsx (Excel Workbook)")

// ParseAny reads a definition from YAML, JSON or an XLSForm workbook,
// telling them apart by content: an .xlsx file is a ZIP archive.
func ParseAny(data []byte, source string) (*Definition, error) {
	if bytes.HasPrefix(data, []byte("PK\x03\x04")) {
		return ImportXLSForm(data, source)
	}
	if bytes.HasPrefix(data, []byte("\xd0\xcf\x11\xe0")) {
		return nil, &DefinitionError{Source: source, Problems: []string{ErrOldExcel.Error()}}
	}
	return Parse(data, source)
}
