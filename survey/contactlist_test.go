package survey

import (
	"errors"
	"strings"
	"testing"
)

// contactYAML is the small definition with its text, e-mail and phone
// questions marked personal, and contact_list set to block.
func contactYAML(t *testing.T, block string) string {
	t.Helper()
	src := miniYAML
	for _, q := range []string{"note", "email", "phone"} {
		from := "      - code: " + q + "\n"
		if !strings.Contains(src, from) {
			t.Fatalf("test bug: no question %s", q)
		}
		src = strings.Replace(src, from, from+"        personal: true\n", 1)
	}
	return strings.Replace(src, "reference_year: 2025\n", "reference_year: 2025\n"+block, 1)
}

// A contact_list naming questions of the right types loads, survives the
// JSON snapshot, and gives its columns in the order name, position,
// e-mail, phone; consent is a yes answer to its question.
func TestContactListLoads(t *testing.T) {
	t.Parallel()
	src := contactYAML(t, "contact_list: {consent: ok, name: note, email: email, phone: phone}\n")
	d, err := Parse([]byte(src), "mini.yaml")
	if err != nil {
		t.Fatal(err)
	}
	again, err := Parse(d.JSON(), "snapshot")
	if err != nil {
		t.Fatalf("the JSON snapshot does not load: %v", err)
	}
	for _, def := range []*Definition{d, again} {
		if cl := def.ContactList; cl == nil || *cl != (ContactList{Consent: "ok", Name: "note", Email: "email", Phone: "phone"}) {
			t.Fatalf("contact_list = %+v", cl)
		}
		var keys []string
		for _, f := range def.ContactFields() {
			keys = append(keys, f.Key+"="+f.Question.Code)
		}
		if got := strings.Join(keys, " "); got != "name=note email=email phone=phone" {
			t.Errorf("fields %q", got)
		}
	}
	for _, c := range []struct {
		a    Answers
		want bool
	}{{Answers{"ok": true}, true}, {Answers{"ok": false}, false}, {Answers{}, false}, {Answers{"ok": "true"}, false}} {
		if got := d.Consented(c.a); got != c.want {
			t.Errorf("Consented(%v) = %v", c.a, got)
		}
	}
	if m := mini(t); m.ContactList != nil || m.ContactFields() != nil || m.Consented(Answers{"ok": true}) {
		t.Error("a definition without contact_list has a list")
	}
	if strings.Contains(string(mini(t).JSON()), "contact_list") {
		t.Error("contact_list written into the snapshot of a definition without one")
	}

	reg, _, err := Builtin("regional-2025")
	if err != nil {
		t.Fatal(err)
	}
	want := ContactList{Consent: "consent_contact", Name: "resp_name", Position: "resp_position", Email: "resp_email", Phone: "resp_phone"}
	if reg.ContactList == nil || *reg.ContactList != want || len(reg.ContactFields()) != 4 {
		t.Fatalf("regional-2025 contact_list %+v", reg.ContactList)
	}
}

// A wrong contact_list is a loader error, listed with the other problems
// of the file.
func TestContactListChecked(t *testing.T) {
	t.Parallel()
	for _, c := range []struct{ block, want string }{
		{"contact_list: {consent: rate, name: note}\n", `survey: contact_list: consent: question "rate" is decimal, not a yes/no question`},
		{"contact_list: {consent: status, name: note}\n", `survey: contact_list: consent: question "status" is single, not a yes/no question`},
		{"contact_list: {consent: okay, name: note}\n", `survey: contact_list: consent: unknown question "okay"`},
		{"contact_list: {name: note}\n", `survey: contact_list: consent is missing (a yes/no question)`},
		{"contact_list: {consent: ok}\n", `survey: contact_list: name is missing (a text question)`},
		{"contact_list: {consent: ok, name: email}\n", `survey: contact_list: name: question "email" is email, not a text question`},
		{"contact_list: {consent: ok, name: note, position: long}\n", `survey: contact_list: position: question "long" is longtext, not a text question`},
		{"contact_list: {consent: ok, name: note, email: phone}\n", `survey: contact_list: email: question "phone" is phone, not an email question`},
		{"contact_list: {consent: ok, name: note, phone: email}\n", `survey: contact_list: phone: question "email" is email, not a phone question`},
		{"contact_list: {consent: ok, name: code}\n", `survey: contact_list: name: question "code" must be marked personal: true`},
		{"contact_list: {consent: ok, name: note, position: note}\n", `survey: contact_list: position: question "note" is already named as name`},
	} {
		src := contactYAML(t, c.block)
		// A second problem, to see both listed.
		src = strings.Replace(src, "min: 1\n        max: 10", "min: 11\n        max: 10", 1)
		_, err := Parse([]byte(src), "mini.yaml")
		var de *DefinitionError
		if !errors.As(err, &de) || len(de.Problems) != 2 {
			t.Errorf("%s: want two problems, got %v", c.block, err)
			continue
		}
		if !strings.Contains(err.Error(), c.want) || !strings.Contains(err.Error(), "mini.yaml") {
			t.Errorf("%s: error does not say %q:\n%v", c.block, c.want, err)
		}
	}
	// A misspelt key is refused, not ignored.
	_, err := Parse([]byte(contactYAML(t, "contact_list: {consent: ok, nmae: note}\n")), "mini.yaml")
	if err == nil || !strings.Contains(err.Error(), `unknown field "nmae"`) {
		t.Errorf("misspelt key: %v", err)
	}
	// So is the same in a JSON snapshot.
	_, err = Parse([]byte(strings.Replace(string(mini(t).JSON()), `"reference_year":2025`,
		`"reference_year":2025,"contact_list":{"consent":"ok","name":"note","mail":"email"}`, 1)), "snapshot")
	if err == nil || !strings.Contains(err.Error(), `unknown field "mail"`) {
		t.Errorf("misspelt key in JSON: %v", err)
	}
}
