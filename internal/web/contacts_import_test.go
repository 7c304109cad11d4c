package web_test

import (
	"bytes"
	"mime/multipart"
	"net/http"
	"regexp"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"
)

// upload posts a file to the contacts import as a browser does (query: a
// query string for the address, such as "?lang=en").
func (e *env) upload(ck *http.Cookie, name string, data []byte, query ...string) result {
	e.t.Helper()
	var body bytes.Buffer
	w := multipart.NewWriter(&body)
	f, err := w.CreateFormFile("file", name)
	if err != nil {
		e.t.Fatal(err)
	}
	f.Write(data)
	w.Close()
	return e.as(ck, "POST", "/contacts/import"+strings.Join(query, ""), &body, "Content-Type", w.FormDataContentType())
}

// contactsOf lists a municipality's contacts as "email/name ...".
func (e *env) contactsOf(code string) string {
	e.t.Helper()
	list, err := e.st.ContactsOf(ctx, code)
	if err != nil {
		e.t.Fatal(err)
	}
	var out []string
	for _, c := range list {
		out = append(out, c.Email+"/"+c.Name)
	}
	return strings.Join(out, " ")
}

// importKey matches a message key of the import shown instead of its text.
var importKey = regexp.MustCompile(`[>\s"](import|confirm)\.[a-z_.]+[<\s"]`)

// TestContactsImportCSV: a semicolon CSV from Latvian Excel gives a preview
// of the changes per municipality; nothing changes until it is confirmed;
// confirming changes exactly what the preview showed.
func TestContactsImportCSV(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	_, ck := e.user("coordinator")
	e.setContacts(ck, "riga", "Anna <anna@riga.lv>\nold@riga.lv")
	e.setContacts(ck, "ogre", "info@ogre.lv")
	file := "\ufeffPašvaldība;E-pasts;Vārds\r\nRīgas valstspilsēta;anna@riga.lv;Anna Ozola\r\nriga;jauns@riga.lv;\r\nCesis Municipality;ilze@cesis.lv;Ilze Kalniņa\r\n"
	r := e.upload(ck, "kontakti.csv", []byte(file))
	wantStatus(t, r, http.StatusOK)
	for _, want := range []string{"Kontaktu imports: priekšskatījums", "Nekas vēl nav mainīts.", "Pašvaldības, kuru kontakti mainīsies: 2.",
		"Pašvaldības, kas failā nav minētas un paliek kā ir: 41.", "Faila kontakti kļūst par katras tajā minētās pašvaldības kontaktiem",
		`<h3 id="im-riga">Rīgas valstspilsēta</h3>`, "Pievienos", "&lt;jauns@riga.lv&gt;", "Noņems", "&lt;old@riga.lv&gt;",
		"anna@riga.lv: „Anna” → „Anna Ozola”", `<h3 id="im-cesis">Cēsu novads</h3>`, "Apstiprināt un importēt"} {
		if !strings.Contains(r.body, want) {
			t.Errorf("the preview lacks %q", want)
		}
	}
	if strings.Contains(r.body, "Noraidītās rindas") || strings.Contains(r.body, "Tiks importētas tikai derīgās rindas") {
		t.Error("a clean file's preview speaks of refused lines")
	}
	if m := importKey.FindString(r.body); m != "" {
		t.Errorf("the preview shows the key %q", m)
	}
	if e.contactsOf("riga") != "anna@riga.lv/Anna old@riga.lv/" || e.contactsOf("cesis") != "" {
		t.Fatalf("the preview changed contacts: riga %q, cesis %q", e.contactsOf("riga"), e.contactsOf("cesis"))
	}
	to, v := confirmForm(t, r.body)
	if to != "/contacts/import/apply" {
		t.Fatalf("the preview's form posts to %s", to)
	}
	r = e.form(ck, to, v)
	wantStatus(t, r, http.StatusSeeOther)
	if loc := r.header.Get("Location"); loc != "/contacts?done=imported&n=2" {
		t.Fatalf("after importing: %s", loc)
	}
	for code, want := range map[string]string{"riga": "anna@riga.lv/Anna Ozola jauns@riga.lv/", "cesis": "ilze@cesis.lv/Ilze Kalniņa",
		"ogre": "info@ogre.lv/"} {
		if got := e.contactsOf(code); got != want {
			t.Errorf("%s after the import: %q, want %q", code, got, want)
		}
	}
	r = e.as(ck, "GET", "/contacts?done=imported&n=2", nil)
	if !strings.Contains(r.body, "Kontakti importēti. Pašvaldības, kuru kontakti mainīti: 2.") {
		t.Error("the contacts page does not say the import was done")
	}
	// The same confirmation again: the contacts are no longer those it was
	// made from, so nothing happens and the page says why.
	r = e.form(ck, to, v)
	wantStatus(t, r, http.StatusConflict)
	if !strings.Contains(r.body, "kāds mainīja šo pašvaldību kontaktus. Nekas netika mainīts") ||
		!strings.Contains(r.body, "Nav ko importēt") {
		t.Errorf("a second confirmation: %.600s", r.body)
	}
	// Lines edited in the page are checked again.
	v.Set("lines", `[{"l":2,"m":"riga","e":"not an address"}]`)
	wantStatus(t, e.form(ck, to, v), http.StatusBadRequest)
	if got := e.contactsOf("riga"); got != "anna@riga.lv/Anna Ozola jauns@riga.lv/" {
		t.Errorf("riga after refused confirmations: %q", got)
	}
}

// TestContactsImportXLSX: the same from an Excel workbook, in English.
func TestContactsImportXLSX(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	_, ck := e.user("admin")
	f := excelize.NewFile()
	sheet := f.GetSheetName(0)
	f.SetSheetRow(sheet, "A1", &[]any{"Municipality", "E-mail", "Name"})
	f.SetSheetRow(sheet, "A2", &[]any{"valmiera", "dace@valmiera.lv", "Dace Liepa"})
	f.SetSheetRow(sheet, "A3", &[]any{"Ogres novads", "Info@Ogre.lv"})
	var buf bytes.Buffer
	if err := f.Write(&buf); err != nil {
		t.Fatal(err)
	}
	r := e.as(ck, "GET", "/contacts?lang=en", nil)
	wantStatus(t, r, http.StatusOK)
	if !strings.Contains(r.body, "Import contacts from a file") || !strings.Contains(r.body, `enctype="multipart/form-data"`) {
		t.Fatal("the contacts page has no import form")
	}
	r = e.upload(ck, "contacts.xlsx", buf.Bytes(), "?lang=en")
	wantStatus(t, r, http.StatusOK)
	for _, want := range []string{"Contacts import: preview", "Municipalities whose contacts will change: 2.", "Valmiera Municipality",
		"Dace Liepa &lt;dace@valmiera.lv&gt;", "Ogre Municipality", "&lt;info@ogre.lv&gt;", "Confirm and import"} {
		if !strings.Contains(r.body, want) {
			t.Errorf("the preview lacks %q", want)
		}
	}
	to, v := confirmForm(t, r.body)
	wantStatus(t, e.form(ck, to, v), http.StatusSeeOther)
	if e.contactsOf("valmiera") != "dace@valmiera.lv/Dace Liepa" || e.contactsOf("ogre") != "info@ogre.lv/" {
		t.Fatalf("after the import: valmiera %q, ogre %q", e.contactsOf("valmiera"), e.contactsOf("ogre"))
	}
}

// TestContactsImportBadLines: each refused line is named with its number
// and reason; the page says only the good lines will be imported and which
// municipalities stay unchanged; a file that cannot be read, or is too
// large, changes nothing.
func TestContactsImportBadLines(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	_, ck := e.user("coordinator")
	e.setContacts(ck, "cesis", "ilze@cesis.lv")
	file := "riga,anna@riga.lv,Anna\n" + // 1 good
		"Nekurienes novads,a@nekur.lv\n" + // 2 unknown
		"cesis,nav-adrese\n" + // 3 bad e-mail: cesis held
		"Ventspils,b@ventspils.lv\n" + // 4 ambiguous
		"valmiera,\n" + // 5 no e-mail
		"riga,ANNA@riga.lv\n" // 6 duplicate of 1
	r := e.upload(ck, "contacts.csv", []byte(file))
	wantStatus(t, r, http.StatusOK)
	for _, want := range []string{"Noraidītas rindas: 5.", "<strong>2. rinda:</strong> nav tādas pašvaldības: „Nekurienes novads”",
		"<strong>3. rinda:</strong> „nav-adrese” nav derīga e-pasta adrese",
		"<strong>4. rinda:</strong> „Ventspils” atbilst vairākām pašvaldībām",
		"<strong>5. rinda:</strong> nav e-pasta adreses", "<strong>6. rinda:</strong> atkārto 1. rindu",
		"Netiks mainītas kļūdu dēļ", "Cēsu novads (rindas ar kļūdām: 3)", "Valmieras novads (rindas ar kļūdām: 5)",
		"Tiks importētas tikai derīgās rindas", "Pašvaldības, kuru kontakti mainīsies: 1."} {
		if !strings.Contains(r.body, want) {
			t.Errorf("the preview lacks %q", want)
		}
	}
	to, v := confirmForm(t, r.body)
	wantStatus(t, e.form(ck, to, v), http.StatusSeeOther)
	if e.contactsOf("riga") != "anna@riga.lv/Anna" || e.contactsOf("cesis") != "ilze@cesis.lv/" || e.contactsOf("valmiera") != "" {
		t.Fatalf("after importing the good lines: riga %q, cesis %q, valmiera %q", e.contactsOf("riga"), e.contactsOf("cesis"), e.contactsOf("valmiera"))
	}

	// Files that cannot be read: the contacts page says why, nothing changes.
	for _, c := range []struct {
		name, data, want string
	}{
		{"win.csv", "C\xe7su novads;a@b.lv\n", "CSV fails nav UTF-8 kodējumā"},
		{"old.xls", "\xd0\xcf\x11\xe0", "veco .xls formātu nevar nolasīt"},
		{"empty.csv", "", "Izvēlieties CSV vai .xlsx failu."},
		{"head.csv", "Pašvaldība;Vārds\nriga;Anna\n", "Virsraksta rindā nav pašvaldības vai e-pasta kolonnas"},
	} {
		r := e.upload(ck, c.name, []byte(c.data))
		wantStatus(t, r, http.StatusUnprocessableEntity)
		if !strings.Contains(r.body, c.want) || !strings.Contains(r.body, `aria-describedby="import-error"`) {
			t.Errorf("%s: %.300s", c.name, r.body)
		}
	}
	// Too large: 413, nothing read.
	big := bytes.Repeat([]byte("riga;anna@riga.lv;Anna\n"), 50000)
	r = e.upload(ck, "big.csv", big)
	wantStatus(t, r, http.StatusRequestEntityTooLarge)
	if e.contactsOf("riga") != "anna@riga.lv/Anna" {
		t.Fatal("an oversize file changed contacts")
	}
}
