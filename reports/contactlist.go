package reports

import (
	"errors"
	"io"

	"github.com/civitas-lv/surveyd/internal/domain"
	"github.com/civitas-lv/surveyd/survey"
	"github.com/xuri/excelize/v2"
)

// ErrNoContactList refuses the invitation list of a round whose
// questionnaire names no consent question (no contact_list: a round
// created before the block existed keeps its stored questionnaire).
var ErrNoContactList = errors.New("the round's questionnaire names no consent question (contact_list)")

// ContactList is the invitation list for the council meeting: from the
// submitted answers, every respondent who agreed to be contacted (the
// definition's contact_list consent question answered yes), with the
// municipality and the answers the contact_list names. It is personal
// data, for coordinators and admins only. Build it with BuildContactList;
// write it with WriteContactListCSV and WriteContactListXLSX.
type ContactList struct {
	Lang string
	// Consent is the text of the consent question in Lang.
	Consent string
	// Columns are the columns after the municipality: the contact_list's
	// name, position, e-mail and phone questions, those it names.
	Columns []ContactColumn
	// Submitted counts the municipalities that submitted; Consented
	// those of them whose respondent agreed (len(Entries)).
	Submitted, Consented int
	// Entries are in the order of the municipalities' names in Lang
	// (survey.Collate).
	Entries []ContactEntry
}

// ContactColumn is one column of the list after the municipality.
type ContactColumn struct {
	Key    string // name, position, email or phone
	Header string // the question's text in the list's language
}

// ContactEntry is one respondent who agreed.
type ContactEntry struct {
	Municipality domain.Municipality
	// Name is the municipality's name in the list's language.
	Name string
	// Values line up with the list's Columns; "" for an unanswered
	// question.
	Values []string
}

// BuildContactList builds the invitation list from a round's rows (the
// answers that count): only submitted rows are read, and of them only
// those whose consent answer is yes enter the list. ErrNoContactList when
// the definition has no contact_list.
func BuildContactList(def *survey.Definition, rows Rows, lang string) (*ContactList, error) {
	if def.ContactList == nil {
		return nil, ErrNoContactList
	}
	if lang != "en" {
		lang = "lv"
	}
	l := &ContactList{Lang: lang}
	if q := def.Question(def.ContactList.Consent); q != nil {
		l.Consent = q.Text.In(lang)
	}
	fields := def.ContactFields()
	for _, f := range fields {
		l.Columns = append(l.Columns, ContactColumn{Key: f.Key, Header: f.Question.Text.In(lang)})
	}
	for r, err := range rows {
		if err != nil {
			return nil, err
		}
		if r.Status != domain.StatusSubmitted {
			continue
		}
		l.Submitted++
		if !def.Consented(r.Answers) {
			continue
		}
		e := ContactEntry{Municipality: r.Municipality, Name: r.Municipality.Name(lang), Values: make([]string, len(fields))}
		if e.Name == "" {
			e.Name = r.Municipality.NameLV
		}
		for i, f := range fields {
			e.Values[i], _ = r.Answers[f.Question.Code].(string)
		}
		l.Entries = append(l.Entries, e)
	}
	l.Consented = len(l.Entries)
	survey.SortByName(l.Entries, lang, func(e ContactEntry) string { return e.Name })
	return l, nil
}

// header is the list's header row: the municipality, then the columns.
func (l *ContactList) header() []string {
	h := []string{contactWord("municipality", l.Lang)}
	for _, c := range l.Columns {
		h = append(h, c.Header)
	}
	return h
}

// contactWord is the files' own wording in lang (the catalog's
// "contactfile." keys).
func contactWord(key, lang string) string {
	return word(lang, "contactfile."+key)
}

// WriteContactListCSV writes the list as a CSV for people (CSV: a
// byte-order mark, ";" in Latvian, "," in English; text a spreadsheet
// would take for a formula gets a leading apostrophe).
func WriteContactListCSV(w io.Writer, l *ContactList) error {
	cw, err := NewCSV(w, l.Lang)
	if err != nil {
		return err
	}
	row := func(cells []string) error {
		v := make([]any, len(cells))
		for i, c := range cells {
			v[i] = c
		}
		return cw.Write(v...)
	}
	if err := row(l.header()); err != nil {
		return err
	}
	for _, e := range l.Entries {
		if err := row(append([]string{e.Name}, e.Values...)); err != nil {
			return err
		}
	}
	return cw.Flush()
}

// WriteContactListXLSX writes the list as an Excel workbook of one sheet:
// the header row (bold, frozen, with an autofilter) and a row per
// respondent. Every cell is a text cell, never a formula.
func WriteContactListXLSX(w io.Writer, l *ContactList) error {
	f := excelize.NewFile()
	defer f.Close()
	sheet := contactWord("sheet", l.Lang)
	if err := f.SetSheetName("Sheet1", sheet); err != nil {
		return err
	}
	bold, err := f.NewStyle(&excelize.Style{Font: &excelize.Font{Bold: true}})
	if err != nil {
		return err
	}
	head := l.header()
	widths := map[string]float64{"name": 28, "position": 32, "email": 34, "phone": 18}
	for i, h := range head {
		ref, _ := excelize.CoordinatesToCellName(i+1, 1)
		if err := f.SetCellStr(sheet, ref, h); err != nil {
			return err
		}
		width := 26.0
		if i > 0 {
			width = widths[l.Columns[i-1].Key]
		}
		col, _ := excelize.ColumnNumberToName(i + 1)
		if err := f.SetColWidth(sheet, col, col, width); err != nil {
			return err
		}
	}
	last, _ := excelize.CoordinatesToCellName(len(head), 1)
	if err := f.SetCellStyle(sheet, "A1", last, bold); err != nil {
		return err
	}
	for r, e := range l.Entries {
		for i, v := range append([]string{e.Name}, e.Values...) {
			if v == "" {
				continue
			}
			ref, _ := excelize.CoordinatesToCellName(i+1, r+2)
			if err := f.SetCellStr(sheet, ref, v); err != nil {
				return err
			}
		}
	}
	if err := f.SetPanes(sheet, &excelize.Panes{Freeze: true, YSplit: 1, TopLeftCell: "A2", ActivePane: "bottomLeft"}); err != nil {
		return err
	}
	end, _ := excelize.CoordinatesToCellName(len(head), len(l.Entries)+1)
	if len(l.Entries) > 0 {
		if err := f.AutoFilter(sheet, "A1:"+end, nil); err != nil {
			return err
		}
	}
	// excelize declares A1; readers that trust the declaration (openpyxl
	// in read-only mode, as pandas reads) would see one cell.
	if err := f.SetSheetDimension(sheet, "A1:"+end); err != nil {
		return err
	}
	_, err = f.WriteTo(w)
	return err
}
