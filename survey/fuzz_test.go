package survey

import (
	"encoding/json"
	"testing"
)

// FuzzValidate feeds arbitrary JSON to the decoder and validator. Properties:
// no panic; submit-valid implies draft-valid; canonical answers validate
// again to themselves (what is stored reads back unchanged).
func FuzzValidate(f *testing.F) {
	f.Add([]byte(regionalFull))
	f.Add([]byte(`{"pb_status":"voted","pb_ideas_submitted":1e3,"pb_ideas_admitted":-0}`))
	f.Add([]byte(`{"ngo_forms":["none","grants","grants"],"ngo_forms_other":"\u0000"}`))
	f.Add([]byte(`{"population":"12","resp_email":"a@b","rc_meetings":52.05}`))
	f.Add([]byte(`[]`))
	d := regional(f)
	f.Fuzz(func(t *testing.T, data []byte) {
		in, err := DecodeAnswers(data)
		if err != nil {
			return
		}
		draft := d.Validate(in, Draft)
		submit := d.Validate(in, Submit)
		if submit.OK() && !draft.OK() {
			t.Fatalf("submit-valid but not draft-valid: %v", draft.Errors)
		}
		if !draft.OK() {
			return
		}
		stored, err := json.Marshal(draft.Answers)
		if err != nil {
			t.Fatal(err)
		}
		back, err := DecodeAnswers(stored)
		if err != nil {
			t.Fatalf("stored answers do not decode: %v", err)
		}
		again := d.Validate(back, Draft)
		if !again.OK() || len(again.Cleared) != 0 {
			t.Fatalf("canonical answers are not valid again: %v %v", again.Errors, again.Cleared)
		}
		b2, _ := json.Marshal(again.Answers)
		if string(stored) != string(b2) {
			t.Fatalf("not a fixed point:\n%s\n%s", stored, b2)
		}
	})
}

// FuzzParseExpr: the parser never panics, and what it prints parses back to
// the same tree.
func FuzzParseExpr(f *testing.F) {
	for _, s := range []string{"pb_status != 'not_started'", "selected(ngo_forms, 'grants', 'operating')",
		"(ngo_supported_count > 0) = (ngo_support_eur > 0)", "pb_votes / population * 1000",
		"not answered(resp_phone) or consent_contact = true", "((((", "'", "a<=b>=c", "-.5 - -1"} {
		f.Add(s)
	}
	d := regional(f)
	f.Fuzz(func(t *testing.T, src string) {
		e, err := parseExpr(src)
		if err != nil {
			return
		}
		again, err := parseExpr(e.String())
		if err != nil {
			t.Fatalf("%q printed as %q, which does not parse: %v", src, e.String(), err)
		}
		if again.String() != e.String() {
			t.Fatalf("%q → %q → %q", src, e.String(), again.String())
		}
		s := &scope{def: d}
		if s.check(e) == nil {
			eval(e, Answers{})
		}
	})
}
