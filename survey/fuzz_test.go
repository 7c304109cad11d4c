package survey

import (
	"bytes"
	"encoding/json"
	"errors"
	"runtime"
	"strings"
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

// FuzzParse feeds arbitrary files to the definition loader. Properties: no
// panic; an error is a DefinitionError; the parse allocates at most 4 MB
// plus 2 KB per byte of input (the decoder needs about 1 KB per value,
// and the limits keep what grows faster than the input small); a
// definition that loads writes canonical JSON that loads again to the
// same JSON (the form in which rounds store their questionnaire).
func FuzzParse(f *testing.F) {
	regionalYAML, err := builtin.ReadFile("definitions/regional-2025.yaml")
	if err != nil {
		f.Fatal(err)
	}
	for _, s := range []string{miniYAML, string(regionalYAML), string(regional(f).JSON()),
		strings.Repeat("[", 40), strings.Repeat("{a: ", 40), strings.Repeat("- ", 40) + "x",
		"a: &a [x, x, x]\nb: &b [*a, *a, *a]\nc: [*b, *b, *b]\n", "a: &a [*a]\n", "x: \"\\u0000\"\n",
		"format: 1\nslug: ab\nsections:\n- code: s\n  questions:\n  - code: q\n    type: int\n    min: 1e999999\n",
		"{\"format\": 1, \"sections\": [[[]]]}", "---\n---\n", "? - a\n: - b\n"} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		var before, after runtime.MemStats
		runtime.ReadMemStats(&before)
		d, err := Parse(data, "fuzz")
		runtime.ReadMemStats(&after)
		if alloc, budget := after.TotalAlloc-before.TotalAlloc, uint64(4<<20+2048*len(data)); alloc > budget {
			t.Fatalf("parsing %d bytes allocated %d bytes, more than %d", len(data), alloc, budget)
		}
		if err != nil {
			var de *DefinitionError
			if !errors.As(err, &de) {
				t.Fatalf("not a DefinitionError: %v", err)
			}
			return
		}
		js := d.JSON()
		again, err := Parse(js, "json")
		if err != nil {
			t.Fatalf("the canonical JSON does not load: %v\n%s", err, js)
		}
		if js2 := again.JSON(); !bytes.Equal(js, js2) {
			t.Fatalf("the canonical JSON changes when loaded again:\n%s\n%s", js, js2)
		}
	})
}
