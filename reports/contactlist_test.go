package reports

import (
	"bytes"
	"encoding/csv"
	"errors"
	"slices"
	"strings"
	"testing"

	"github.com/civitas-lv/surveyd/internal/domain"
	"github.com/civitas-lv/surveyd/survey"
	"github.com/xuri/excelize/v2"
)

// contactRows are seven municipalities' rows of the 2025 round: three
// submitted with consent (one without a phone, one whose name looks like
// a formula), one submitted without consent, one submitted that left
// consent unanswered, a draft and a returned response with consent.
func contactRows(t *testing.T) (*survey.Definition, []Row) {
	t.Helper()
	def, _, err := survey.Builtin("regional-2025")
	if err != nil {
		t.Fatal(err)
	}
	muni := func(code, lv, en string) domain.Municipality {
		return domain.Municipality{Code: code, NameLV: lv, NameEN: en}
	}
	person := func(name, position, email, phone string, consent any) survey.Answers {
		a := survey.Answers{"resp_name": name, "resp_position": position, "resp_email": email, "population": 1000}
		if phone != "" {
			a["resp_phone"] = phone
		}
		if consent != nil {
			a["consent_contact"] = consent
		}
		return a
	}
	return def, []Row{
		{Municipality: muni("aizkraukle", "Aizkraukles novads", "Aizkraukle Municipality"), Status: domain.StatusSubmitted,
			Answers: person("Nepiekritēja Ieva", "Sekretāre", "ieva@aizkraukle.lv", "+371 20000001", false)},
		{Municipality: muni("aluksne", "Alūksnes novads", "Aluksne Municipality"), Status: domain.StatusSubmitted,
			Answers: person("Anna Ozola", "Attīstības nodaļas vadītāja", "anna@aluksne.lv", "+371 26 123 456", true)},
		{Municipality: muni("adazi", "Ādažu novads", "Adazi Municipality"), Status: domain.StatusSubmitted,
			Answers: person(`=HYPERLINK("http://x.test","Jānis")`, "Speciālists", "janis@adazi.lv", "", true)},
		{Municipality: muni("kekava", "Ķekavas novads", "Kekava Municipality"), Status: domain.StatusDraft,
			Answers: person("Melnraksta Marta", "Vadītāja", "marta@kekava.lv", "", true)},
		{Municipality: muni("kraslava", "Krāslavas novads", "Kraslava Municipality"), Status: domain.StatusReturned,
			Answers: person("Atgrieztā Rita", "Vadītāja", "rita@kraslava.lv", "", true)},
		{Municipality: muni("kuldiga", "Kuldīgas novads", "Kuldiga Municipality"), Status: domain.StatusSubmitted,
			Answers: person("Kārlis Kalniņš", "Izpilddirektors", "karlis@kuldiga.lv", "67 000 000", true)},
		{Municipality: muni("ogre", "Ogres novads", "Ogre Municipality"), Status: domain.StatusSubmitted,
			Answers: person("Neatbildējušais Oskars", "Jurists", "oskars@ogre.lv", "", nil)},
	}
}

func rowsOf(rows []Row) Rows {
	return func(yield func(Row, error) bool) {
		for _, r := range rows {
			if !yield(r, nil) {
				return
			}
		}
	}
}

// The list has exactly the submitted respondents who agreed, with their
// fields, in the alphabet of the list's language; it counts the
// submitted municipalities and those who agreed.
func TestContactList(t *testing.T) {
	t.Parallel()
	def, rows := contactRows(t)
	for _, c := range []struct {
		lang    string
		header  []string
		entries [][]string
	}{
		{"lv", []string{"Pašvaldība", "Vārds, uzvārds", "Amats", "E-pasts", "Tālrunis"}, [][]string{
			{"Alūksnes novads", "Anna Ozola", "Attīstības nodaļas vadītāja", "anna@aluksne.lv", "+371 26 123 456"},
			{"Ādažu novads", `=HYPERLINK("http://x.test","Jānis")`, "Speciālists", "janis@adazi.lv", ""},
			{"Kuldīgas novads", "Kārlis Kalniņš", "Izpilddirektors", "karlis@kuldiga.lv", "67 000 000"}}},
		{"en", []string{"Municipality", "Name and surname", "Position", "E-mail", "Phone"}, [][]string{
			{"Adazi Municipality", `=HYPERLINK("http://x.test","Jānis")`, "Speciālists", "janis@adazi.lv", ""},
			{"Aluksne Municipality", "Anna Ozola", "Attīstības nodaļas vadītāja", "anna@aluksne.lv", "+371 26 123 456"},
			{"Kuldiga Municipality", "Kārlis Kalniņš", "Izpilddirektors", "karlis@kuldiga.lv", "67 000 000"}}},
	} {
		l, err := BuildContactList(def, rowsOf(rows), c.lang)
		if err != nil {
			t.Fatal(err)
		}
		if l.Submitted != 5 || l.Consented != 3 {
			t.Errorf("%s: %d of %d consented, want 3 of 5", c.lang, l.Consented, l.Submitted)
		}
		if !slices.Equal(l.header(), c.header) {
			t.Errorf("%s: header %q", c.lang, l.header())
		}
		if want := def.Question("consent_contact").Text.In(c.lang); l.Consent != want {
			t.Errorf("%s: consent question %q", c.lang, l.Consent)
		}
		var got [][]string
		for _, e := range l.Entries {
			got = append(got, append([]string{e.Name}, e.Values...))
		}
		if !slices.EqualFunc(got, c.entries, slices.Equal) {
			t.Errorf("%s: entries\n%q\nwant\n%q", c.lang, got, c.entries)
		}
	}
}

func TestContactListNeedsTheBlock(t *testing.T) {
	t.Parallel()
	def, err := survey.Parse([]byte(xlsxDef), "x.yaml")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := BuildContactList(def, rowsOf(nil), "lv"); !errors.Is(err, ErrNoContactList) {
		t.Fatalf("without contact_list: %v", err)
	}
	// A source error ends the list with that error.
	regional, rows := contactRows(t)
	boom := errors.New("boom")
	src := func(yield func(Row, error) bool) {
		if yield(rows[1], nil) {
			yield(Row{}, boom)
		}
	}
	if _, err := BuildContactList(regional, src, "lv"); !errors.Is(err, boom) {
		t.Fatalf("source error: %v", err)
	}
}

// The CSV parses back in both languages (byte-order mark; ";" in Latvian,
// "," in English) to the list, with an apostrophe before text a
// spreadsheet would read as a formula.
func TestContactListCSV(t *testing.T) {
	t.Parallel()
	def, rows := contactRows(t)
	for _, lang := range []string{"lv", "en"} {
		l, err := BuildContactList(def, rowsOf(rows), lang)
		if err != nil {
			t.Fatal(err)
		}
		var b bytes.Buffer
		if err := WriteContactListCSV(&b, l); err != nil {
			t.Fatal(err)
		}
		data, ok := bytes.CutPrefix(b.Bytes(), []byte("\ufeff"))
		if !ok {
			t.Fatalf("%s: no byte-order mark", lang)
		}
		r := csv.NewReader(bytes.NewReader(data))
		r.Comma = CSVSeparator(lang)
		recs, err := r.ReadAll()
		if err != nil {
			t.Fatalf("%s: %v", lang, err)
		}
		want := [][]string{l.header()}
		for _, e := range l.Entries {
			rec := append([]string{e.Name}, e.Values...)
			for i, v := range rec {
				rec[i] = CSVSafe(v)
			}
			want = append(want, rec)
		}
		if !slices.EqualFunc(recs, want, slices.Equal) {
			t.Errorf("%s: CSV\n%q\nwant\n%q", lang, recs, want)
		}
		text := string(data)
		for _, s := range []string{`'=HYPERLINK(`, `'+371 26 123 456`} {
			if !strings.Contains(text, s) {
				t.Errorf("%s: %q not in the CSV", lang, s)
			}
		}
		for _, s := range []string{"Nepiekritēja", "Melnraksta", "Atgrieztā", "Neatbildējušais"} {
			if strings.Contains(text, s) {
				t.Errorf("%s: %s is in the CSV", lang, s)
			}
		}
	}
}

// The workbook has the same table, every cell a text cell — the name that
// looks like a formula too — with the header frozen.
func TestContactListXLSX(t *testing.T) {
	t.Parallel()
	def, rows := contactRows(t)
	for _, c := range []struct{ lang, sheet string }{{"lv", "Uzaicināmie"}, {"en", "Invitees"}} {
		l, err := BuildContactList(def, rowsOf(rows), c.lang)
		if err != nil {
			t.Fatal(err)
		}
		var b bytes.Buffer
		if err := WriteContactListXLSX(&b, l); err != nil {
			t.Fatal(err)
		}
		f, err := excelize.OpenReader(&b)
		if err != nil {
			t.Fatal(err)
		}
		if got := f.GetSheetList(); !slices.Equal(got, []string{c.sheet}) {
			t.Errorf("%s: sheets %q", c.lang, got)
		}
		got, err := f.GetRows(c.sheet)
		if err != nil {
			t.Fatal(err)
		}
		want := [][]string{l.header()}
		for _, e := range l.Entries {
			rec := append([]string{e.Name}, e.Values...)
			for len(rec) > 0 && rec[len(rec)-1] == "" {
				rec = rec[:len(rec)-1] // GetRows drops empty cells at a row's end
			}
			want = append(want, rec)
		}
		if !slices.EqualFunc(got, want, slices.Equal) {
			t.Errorf("%s: rows\n%q\nwant\n%q", c.lang, got, want)
		}
		cells := 0
		for r, row := range got {
			for i, v := range row {
				if v == "" {
					continue
				}
				ref, _ := excelize.CoordinatesToCellName(i+1, r+1)
				typ, err := f.GetCellType(c.sheet, ref)
				if err != nil {
					t.Fatal(err)
				}
				formula, err := f.GetCellFormula(c.sheet, ref)
				if err != nil {
					t.Fatal(err)
				}
				if typ != excelize.CellTypeSharedString && typ != excelize.CellTypeInlineString || formula != "" {
					t.Errorf("%s %s %q: type %v, formula %q; want a text cell", c.lang, ref, v, typ, formula)
				}
				cells++
			}
		}
		if cells != 5+14 {
			t.Errorf("%s: %d text cells, want 19", c.lang, cells)
		}
		panes, err := f.GetPanes(c.sheet)
		if err != nil || !panes.Freeze || panes.YSplit != 1 {
			t.Errorf("%s: panes %+v %v", c.lang, panes, err)
		}
		f.Close()
	}
}
