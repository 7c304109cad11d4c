package survey

import (
	"errors"
	"strings"
	"testing"
)

// receipt_email must name an email question; anything else is a loader
// error listed with the others.
func TestReceiptEmailChecked(t *testing.T) {
	t.Parallel()
	for _, c := range []struct{ to, want string }{
		{"receipt_email: note\n", `survey: receipt_email: question "note" is text, not an email question`},
		{"receipt_email: phone\n", `survey: receipt_email: question "phone" is phone, not an email question`},
		{"receipt_email: e_mail\n", `survey: receipt_email: unknown question "e_mail"`},
	} {
		src := strings.Replace(miniYAML, "reference_year: 2025\n", "reference_year: 2025\n"+c.to, 1)
		// A second problem, to see both listed.
		src = strings.Replace(src, "min: 1\n        max: 10", "min: 11\n        max: 10", 1)
		_, err := Parse([]byte(src), "mini.yaml")
		var de *DefinitionError
		if !errors.As(err, &de) || len(de.Problems) != 2 {
			t.Fatalf("%s: want two problems, got %v", c.to, err)
		}
		if !strings.Contains(err.Error(), c.want) || !strings.Contains(err.Error(), "mini.yaml") {
			t.Errorf("%s: error does not say %q:\n%v", c.to, c.want, err)
		}
	}
	src := strings.Replace(miniYAML, "reference_year: 2025\n", "reference_year: 2025\nreceipt_email: email\n", 1)
	d, err := Parse([]byte(src), "mini.yaml")
	if err != nil {
		t.Fatal(err)
	}
	again, err := Parse(d.JSON(), "snapshot")
	if err != nil || again.ReceiptEmail != "email" {
		t.Fatalf("receipt_email lost in the JSON snapshot: %v %q", err, again.ReceiptEmail)
	}
}

func TestReceiptAddress(t *testing.T) {
	t.Parallel()
	src := strings.Replace(miniYAML, "reference_year: 2025\n", "reference_year: 2025\nreceipt_email: email\n", 1)
	src = strings.Replace(src, "type: email\n", "type: email\n        show_if: \"status = 'yes'\"\n", 1)
	d, err := Parse([]byte(src), "mini.yaml")
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		a    Answers
		want string
	}{
		{Answers{"status": "yes", "email": "anna@novads.lv"}, "anna@novads.lv"},
		{Answers{"status": "yes"}, ""},
		{Answers{"status": "no", "email": "anna@novads.lv"}, ""}, // hidden
		{Answers{"status": "yes", "email": "not an address"}, ""},
		{Answers{"status": "yes", "email": "Anna <anna@novads.lv>"}, ""},
	} {
		if got := d.ReceiptAddress(c.a); got != c.want {
			t.Errorf("%v: %q, want %q", c.a, got, c.want)
		}
	}
	if got := mini(t).ReceiptAddress(Answers{"email": "anna@novads.lv"}); got != "" {
		t.Errorf("without receipt_email: %q", got)
	}
	reg, _, err := Builtin("regional-2025")
	if err != nil || reg.ReceiptEmail != "resp_email" {
		t.Fatalf("regional-2025 receipt_email %q %v", reg.ReceiptEmail, err)
	}
}
