package manage_test

import (
	"bytes"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"github.com/civitas-lv/surveyd/internal/domain"
	"github.com/civitas-lv/surveyd/internal/manage"
	"github.com/civitas-lv/surveyd/internal/refdata"
)

func municipalities(t *testing.T) []domain.Municipality {
	t.Helper()
	list, err := refdata.Municipalities()
	if err != nil {
		t.Fatal(err)
	}
	for i := range list {
		list[i].Active = true
	}
	return list
}

// check reads a file and checks its rows.
func check(t *testing.T, name string, data []byte) ([]manage.ContactLine, []manage.RefusedLine) {
	t.Helper()
	rows, err := manage.ReadContactFile(name, data)
	if err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	lines, refused, err := manage.CheckContactRows(rows, municipalities(t))
	if err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	return lines, refused
}

func lineString(ls []manage.ContactLine) string {
	var b strings.Builder
	for _, l := range ls {
		fmt.Fprintf(&b, "%d %s %s %s|", l.Line, l.Municipality, l.Email, l.Name)
	}
	return b.String()
}

// TestContactFileCSV: semicolons (Latvian Excel) with a BOM and a Latvian
// header, commas without a header; municipalities by code or by Latvian or
// English name in any case and without marks; line numbers as in the file.
func TestContactFileCSV(t *testing.T) {
	t.Parallel()
	semi := "\ufeffPašvaldība;E-pasts;Vārds, uzvārds\r\n" +
		"Cēsu novads;Ilze@Cesis.lv;Ilze Kalniņa\r\n" +
		"\r\n" + // an empty line is skipped, the numbering goes on
		"cesu NOVADS;janis@cesis.lv;\r\n" +
		"riga;\"Anna Ozola <anna@riga.lv>\";\r\n" +
		"Kekava Municipality;info@kekava.lv;\"Bērziņš; Jānis\"\r\n"
	lines, refused := check(t, "kontakti.csv", []byte(semi))
	if len(refused) != 0 {
		t.Fatalf("refused %+v", refused)
	}
	want := "2 cesis ilze@cesis.lv Ilze Kalniņa|4 cesis janis@cesis.lv |5 riga anna@riga.lv Anna Ozola|6 kekava info@kekava.lv Bērziņš; Jānis|"
	if got := lineString(lines); got != want {
		t.Errorf("semicolon CSV:\n got %s\nwant %s", got, want)
	}
	// Commas, no header, English names, the name column left out.
	comma := "Valmiera Municipality,dace@valmiera.lv\nADAZI,a@adazi.lv,Ādažu kontakts\n"
	lines, refused = check(t, "contacts.csv", []byte(comma))
	if want := "1 valmiera dace@valmiera.lv |2 adazi a@adazi.lv Ādažu kontakts|"; lineString(lines) != want || len(refused) != 0 {
		t.Errorf("comma CSV: %s %+v", lineString(lines), refused)
	}
	// An English header in another order.
	lines, _ = check(t, "x.csv", []byte("Name,E-mail,Municipality\nDace,dace@valmiera.lv,valmiera\n"))
	if want := "2 valmiera dace@valmiera.lv Dace|"; lineString(lines) != want {
		t.Errorf("English header: %s", lineString(lines))
	}

	for _, c := range []struct {
		name string
		data []byte
		want error
	}{
		{"win1257.csv", []byte("C\xe7su novads;a@b.lv\n"), manage.ErrImportEncoding},
		{"old.xls", []byte("\xd0\xcf\x11\xe0 whatever"), manage.ErrImportFormat},
		{"empty.csv", []byte("\ufeff\n ; ;\n"), manage.ErrImportEmpty},
		{"long.csv", bytes.Repeat([]byte("riga;a@riga.lv\n"), manage.MaxImportRows+1), manage.ErrImportTooLong},
		{"broken.xlsx", []byte("PK\x03\x04 not really a workbook"), manage.ErrImportFormat},
	} {
		if _, err := manage.ReadContactFile(c.name, c.data); !errors.Is(err, c.want) {
			t.Errorf("%s: %v, want %v", c.name, err, c.want)
		}
	}
	rows, err := manage.ReadContactFile("h.csv", []byte("Pašvaldība;Vārds\nriga;Anna\n"))
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := manage.CheckContactRows(rows, municipalities(t)); !errors.Is(err, manage.ErrImportHeader) {
		t.Errorf("a header without an e-mail column: %v", err)
	}
}

// TestContactFileXLSX reads the first sheet of a workbook, with its row
// numbers (an empty row in between counts).
func TestContactFileXLSX(t *testing.T) {
	t.Parallel()
	f := excelize.NewFile()
	sheet := f.GetSheetName(0)
	f.SetSheetRow(sheet, "A1", &[]any{"Municipality", "Email", "Name"})
	f.SetSheetRow(sheet, "A2", &[]any{"Cesis Municipality", "ilze@cesis.lv", "Ilze"})
	f.SetSheetRow(sheet, "A4", &[]any{"ogre", "info@ogre.lv"})
	f.NewSheet("Other")
	f.SetSheetRow("Other", "A1", &[]any{"riga", "nobody@riga.lv"})
	var buf bytes.Buffer
	if err := f.Write(&buf); err != nil {
		t.Fatal(err)
	}
	lines, refused := check(t, "kontakti.xlsx", buf.Bytes())
	if want := "2 cesis ilze@cesis.lv Ilze|4 ogre info@ogre.lv |"; lineString(lines) != want || len(refused) != 0 {
		t.Errorf("xlsx: %s %+v", lineString(lines), refused)
	}
}

// TestContactFileRefusals: every bad line is refused with its line number
// and reason; the good ones pass.
func TestContactFileRefusals(t *testing.T) {
	t.Parallel()
	var b strings.Builder
	b.WriteString("pašvaldība;e-pasts;vārds\n")                 // 1
	b.WriteString("Nekurienes novads;a@nekur.lv;\n")            // 2 unknown
	b.WriteString("Ventspils;b@ventspils.lv;\n")                // 3 ambiguous (city or novads)
	b.WriteString("cesis;;Bez Adreses\n")                       // 4 no e-mail
	b.WriteString("cesis;nav-adrese;\n")                        // 5 bad e-mail
	b.WriteString(";c@cesis.lv;\n")                             // 6 no municipality
	b.WriteString("cesis;ilze@cesis.lv;Ilze\n")                 // 7 good
	b.WriteString("Cēsu novads;ILZE@cesis.lv;\n")               // 8 duplicate of 7
	b.WriteString("valmiera;" + strings.Repeat("x", 10) + "\n") // 9 bad e-mail
	for i := 0; i < manage.MaxContacts+1; i++ {                 // 10–20: the 11th is one too many
		fmt.Fprintf(&b, "ogre;p%d@ogre.lv;\n", i)
	}
	lines, refused := check(t, "bad.csv", []byte(b.String()))
	got := map[int]string{}
	for _, r := range refused {
		got[r.Line] = r.Reason + " " + r.Value + " " + r.Municipality
	}
	want := map[int]string{
		2:  "municipality_unknown Nekurienes novads ",
		3:  "municipality_ambiguous Ventspils ",
		4:  "email_missing  cesis",
		5:  "email_bad nav-adrese cesis",
		6:  "municipality_missing  ",
		8:  "duplicate 7 cesis",
		9:  "email_bad xxxxxxxxxx valmiera",
		20: "too_many 10 ogre",
	}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("refused:\n got %v\nwant %v", got, want)
	}
	if len(lines) != 1+manage.MaxContacts || lines[0].Line != 7 {
		t.Errorf("good lines: %s", lineString(lines))
	}
	// The plan: cesis, valmiera and ogre have refused lines and stay as
	// they are (the duplicate alone would not hold cesis back).
	plan := manage.PlanContactImport(lines, refused, municipalities(t), nil)
	if len(plan.Changes) != 0 || len(plan.Lines) != 0 || len(plan.Held) != 3 || plan.Others != 40 {
		t.Errorf("plan: %d changes, %d lines, held %+v, others %d", len(plan.Changes), len(plan.Lines), plan.Held, plan.Others)
	}
}

// TestContactImportApply: applying writes exactly what the preview showed
// (added, removed, kept, renamed; held and unnamed municipalities
// untouched), refuses when the contacts changed after the preview, and
// refuses lines that do not pass the checks.
func TestContactImportApply(t *testing.T) {
	t.Parallel()
	m, _ := setup(t)
	set := func(code string, list ...domain.Contact) {
		t.Helper()
		if err := m.Store.ReplaceContacts(ctx, code, list); err != nil {
			t.Fatal(err)
		}
	}
	set("riga", domain.Contact{Email: "anna@riga.lv", Name: "Anna"}, domain.Contact{Email: "old@riga.lv", Name: "Aizgājis"})
	set("cesis", domain.Contact{Email: "ilze@cesis.lv"})
	set("ogre", domain.Contact{Email: "info@ogre.lv"})
	file := "Pašvaldība;E-pasts;Vārds\n" +
		"riga;anna@riga.lv;Anna Ozola\n" + // kept, renamed
		"riga;jauns@riga.lv;\n" + // added; old@riga.lv removed
		"cesis;nav adrese;\n" + // held: cesis stays
		"valmiera;dace@valmiera.lv;Dace\n" // added
	plan, err := m.PreviewContactImport(ctx, domain.OperatorPrincipal(), "k.csv", []byte(file))
	if err != nil {
		t.Fatal(err)
	}
	show := func(ci manage.ContactImport) string {
		var b strings.Builder
		for _, ch := range ci.Changes {
			fmt.Fprintf(&b, "%s +%v -%v =%v ~%v; ", ch.Municipality.Code, ch.Added, ch.Removed, ch.Kept, ch.Renamed)
		}
		return b.String()
	}
	emails := func(list []domain.Contact) string {
		var out []string
		for _, c := range list {
			out = append(out, c.Email+"/"+c.Name)
		}
		return strings.Join(out, " ")
	}
	if len(plan.Changes) != 2 || plan.Changed() != 2 || len(plan.Held) != 1 || plan.Held[0].Municipality.Code != "cesis" ||
		plan.Others != 40 || len(plan.Refused) != 1 || plan.Refused[0].Line != 4 {
		t.Fatalf("preview: %s held %+v others %d refused %+v", show(plan), plan.Held, plan.Others, plan.Refused)
	}
	riga := plan.Changes[0]
	if riga.Municipality.Code != "riga" || emails(riga.Added) != "jauns@riga.lv/" || emails(riga.Removed) != "old@riga.lv/Aizgājis" ||
		emails(riga.Kept) != "anna@riga.lv/Anna Ozola" || len(riga.Renamed) != 1 || riga.Renamed[0].From != "Anna" {
		t.Fatalf("riga: %s", show(plan))
	}
	// Nothing has changed yet.
	if list, _ := m.Store.ContactsOf(ctx, "riga"); emails(list) != "anna@riga.lv/Anna old@riga.lv/Aizgājis" {
		t.Fatalf("the preview changed riga: %s", emails(list))
	}

	// Someone edits riga's contacts after the preview: nothing changes,
	// and the new preview says what would change now.
	set("riga", domain.Contact{Email: "anna@riga.lv", Name: "Anna"})
	again, err := m.ApplyContactImport(ctx, domain.OperatorPrincipal(), plan.Lines, plan.Fingerprint)
	if !errors.Is(err, manage.ErrContactsChanged) || len(again.Changes) != 2 || len(again.Changes[0].Removed) != 0 {
		t.Fatalf("stale apply: %v %s", err, show(again))
	}
	if list, _ := m.Store.ContactsOf(ctx, "valmiera"); len(list) != 0 {
		t.Fatal("a refused apply changed valmiera")
	}
	// Lines that do not pass the checks change nothing.
	for _, bad := range [][]manage.ContactLine{
		{{Line: 2, Municipality: "nowhere", Email: "a@b.lv"}},
		{{Line: 2, Municipality: "riga", Email: "Not An Address"}},
		{{Line: 2, Municipality: "riga", Email: "a@riga.lv"}, {Line: 3, Municipality: "riga", Email: "a@riga.lv"}},
	} {
		if _, err := m.ApplyContactImport(ctx, domain.OperatorPrincipal(), bad, again.Fingerprint); !errors.Is(err, manage.ErrImportInvalid) {
			t.Errorf("%+v: %v", bad, err)
		}
	}

	// Applied as previewed: exactly those changes.
	done, err := m.ApplyContactImport(ctx, domain.OperatorPrincipal(), again.Lines, again.Fingerprint)
	if err != nil || done.Changed() != 2 {
		t.Fatalf("apply: %v %s", err, show(done))
	}
	all, err := m.Store.Contacts(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for code, want := range map[string]string{"riga": "anna@riga.lv/Anna Ozola jauns@riga.lv/", "cesis": "ilze@cesis.lv/",
		"ogre": "info@ogre.lv/", "valmiera": "dace@valmiera.lv/Dace"} {
		if got := emails(all[code]); got != want {
			t.Errorf("%s after the import: %q, want %q", code, got, want)
		}
	}
	if len(all) != 4 {
		t.Errorf("contacts of %d municipalities, want 4", len(all))
	}
}
