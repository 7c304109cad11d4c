package web_test

import (
	"net/http"
	"strings"
	"testing"
)

// TestContactsLanguage: "(en)" after an address in the contacts page makes
// the contact English, the page shows it so, and an import's "Valoda"
// column sets it too.
func TestContactsLanguage(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	_, ck := e.user("coordinator")
	langs := func(code string) string {
		t.Helper()
		list, err := e.st.ContactsOf(ctx, code)
		if err != nil {
			t.Fatal(err)
		}
		var out []string
		for _, c := range list {
			out = append(out, c.Email+"/"+c.Lang)
		}
		return strings.Join(out, " ")
	}
	e.setContacts(ck, "riga", "Anna Bērziņa <anna@riga.lv> (en)\njuris@riga.lv")
	if got := langs("riga"); got != "anna@riga.lv/en juris@riga.lv/lv" {
		t.Fatalf("saved: %s", got)
	}
	r := e.as(ck, "GET", "/contacts", nil)
	wantStatus(t, r, http.StatusOK)
	if !strings.Contains(r.body, ">Anna Bērziņa &lt;anna@riga.lv&gt; (en)\njuris@riga.lv</textarea>") {
		t.Errorf("the page does not show riga's contacts with their language")
	}
	// Saving the page as it shows them changes nothing; without "(en)"
	// the contact is Latvian again.
	e.setContacts(ck, "riga", "Anna Bērziņa <anna@riga.lv> (en)\njuris@riga.lv")
	if got := langs("riga"); got != "anna@riga.lv/en juris@riga.lv/lv" {
		t.Fatalf("saved again: %s", got)
	}
	e.setContacts(ck, "riga", "Anna Bērziņa <anna@riga.lv>\njuris@riga.lv (EN)")
	if got := langs("riga"); got != "anna@riga.lv/lv juris@riga.lv/en" {
		t.Fatalf("changed: %s", got)
	}
	r = e.upload(ck, "kontakti.csv", []byte("Pašvaldība;E-pasts;Vārds;Valoda\nriga;anna@riga.lv;;en\nriga;juris@riga.lv;;\ncesis;ilze@cesis.lv;;angliski\n"))
	wantStatus(t, r, http.StatusOK)
	if !strings.Contains(r.body, "&lt;ilze@cesis.lv&gt; (en)") || !strings.Contains(r.body, "anna@riga.lv: lv → en") {
		t.Errorf("the preview does not show the languages: %.3000s", r.body)
	}
	to, v := confirmForm(t, r.body)
	wantStatus(t, e.form(ck, to, v), http.StatusSeeOther)
	if got := langs("riga") + " " + langs("cesis"); got != "anna@riga.lv/en juris@riga.lv/en ilze@cesis.lv/en" {
		t.Fatalf("imported: %s", got)
	}
}
