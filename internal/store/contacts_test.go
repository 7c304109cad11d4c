package store_test

import (
	"strings"
	"testing"

	"github.com/civitas-lv/surveyd/internal/domain"
	"github.com/civitas-lv/surveyd/internal/store"
)

// A contact's language is saved and read back; a contact saved without
// one keeps its own (Latvian when new); the table refuses other languages.
func TestContactLanguage(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	s := f.s
	langs := func() map[string]string {
		t.Helper()
		list, err := s.ContactsOf(ctx, "riga")
		if err != nil {
			t.Fatal(err)
		}
		out := map[string]string{}
		for _, c := range list {
			out[c.Email] = c.Lang
		}
		return out
	}
	if err := s.ReplaceContacts(ctx, "riga", []store.Contact{{Email: "anna@riga.lv", Name: "Anna", Lang: domain.ContactEN},
		{Email: "juris@riga.lv"}}); err != nil {
		t.Fatal(err)
	}
	if got := langs(); got["anna@riga.lv"] != "en" || got["juris@riga.lv"] != "lv" {
		t.Fatalf("saved: %v", got)
	}
	if err := s.ReplaceContacts(ctx, "riga", []store.Contact{{Email: "anna@riga.lv", Name: "Anna B."},
		{Email: "juris@riga.lv", Lang: domain.ContactEN}}); err != nil {
		t.Fatal(err)
	}
	if got := langs(); got["anna@riga.lv"] != "en" || got["juris@riga.lv"] != "en" {
		t.Fatalf("saved again: %v", got)
	}
	err := s.UpdateContacts(ctx, []string{"riga"}, func(cur map[string][]store.Contact) (map[string][]store.Contact, error) {
		return map[string][]store.Contact{"riga": {{Email: "anna@riga.lv", Lang: domain.ContactLV}, {Email: "juris@riga.lv"}}}, nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if got := langs(); got["anna@riga.lv"] != "lv" || got["juris@riga.lv"] != "en" {
		t.Fatalf("updated: %v", got)
	}
	all, err := s.Contacts(ctx)
	if err != nil || len(all["riga"]) != 2 || all["riga"][1].Lang != "en" {
		t.Fatalf("Contacts: %v, %v", all["riga"], err)
	}
	for _, bad := range []string{"de", "LV", ""} {
		_, err := s.DB().ExecContext(ctx, `UPDATE contacts SET lang = $1 WHERE email = 'juris@riga.lv'`, bad)
		if err == nil || !strings.Contains(err.Error(), "contacts_lang_check") {
			t.Errorf("lang %q: %v, want the CHECK to refuse it", bad, err)
		}
	}
}
