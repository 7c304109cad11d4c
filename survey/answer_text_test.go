package survey

import (
	"fmt"
	"strings"
	"testing"
)

// TestInvalidUTF8IsRefusedNotReplaced: encoding/json turns invalid UTF-8
// (and a lone surrogate escape) into U+FFFD without a word; DecodeAnswers
// keeps the text as sent, so validation refuses it at its question, as it
// does for the same bytes posted by the form. Valid text, also a real
// U+FFFD and a surrogate pair, is kept.
func TestInvalidUTF8IsRefusedNotReplaced(t *testing.T) {
	t.Parallel()
	d := mini(t)
	for _, body := range []string{
		"{\"long\":\"Labdien\xff\xfe pasaule\"}",
		"{\"long\":\"a\xc3\"}",
		"{\"long\":\"\xed\xa0\x80\"}", // a surrogate encoded in UTF-8
		`{"long":"a \ud800 b"}`,
		`{"long":"\udc00\ud800"}`,
		"{\"forms\":[\"other\"],\"forms_other\":\"x\xff\"}",
	} {
		a, err := DecodeAnswers([]byte(body))
		if err != nil {
			t.Fatalf("%q: %v", body, err)
		}
		res := d.Validate(a, Draft)
		if res.OK() {
			t.Errorf("%q was accepted as %q", body, res.Answers)
			continue
		}
		for code, msg := range res.Errors {
			if !strings.Contains(msg.LV, "neatļautas rakstzīmes") {
				t.Errorf("%q: %s: %q", body, code, msg.LV)
			}
		}
	}
	// The same bytes as the form would post them.
	if res := d.Validate(Answers{"long": "Labdien\xff pasaule"}, Draft); res.Errors["long"].LV == "" {
		t.Error("invalid UTF-8 from the form was accepted")
	}
	a := answers(t, `{"long":"A \ufffd, \ud83d\ude00 un \"pēdiņas\" \\ \/ \u0161"}`)
	res := d.Validate(a, Draft)
	if want := "A \ufffd, 😀 un \"pēdiņas\" \\ / š"; res.Answers["long"] != want {
		t.Errorf("valid text: %q %v, want %q", res.Answers["long"], res.Errors, want)
	}
}

// TestInvisibleControlsAreRefused: bidirectional overrides and other
// invisible format or control characters in text answers are refused with
// a message naming the character, from the form and the API alike (the
// rule is in one place); tabs and line breaks stay allowed in long text
// and are folded into spaces in one-line text, as before.
func TestInvisibleControlsAreRefused(t *testing.T) {
	t.Parallel()
	d := mini(t)
	for _, r := range []rune{'\u202a', '\u202b', '\u202c', '\u202d', '\u202e', '\u2066', '\u2067', '\u2068', '\u2069',
		'\u200e', '\u200f', '\u061c', '\u200b', '\u200d', '\u2060', '\ufeff', '\u00ad', '\u0000', '\u0007', '\u001b',
		'\u007f', '\u0085', '\U000e0041'} {
		code := fmt.Sprintf("U+%04X", r)
		for _, q := range []string{"long", "note", "email", "forms_other"} {
			in := Answers{q: "ab" + string(r) + "c", "forms": []string{"other"}}
			res := d.Validate(in, Draft)
			msg := res.Errors[q]
			if !strings.Contains(msg.LV, code) || !strings.Contains(msg.EN, code) {
				t.Errorf("%s in %s: error %q / %q, want one naming %s", code, q, msg.LV, msg.EN, code)
			}
		}
		// Through JSON (an escape) the same.
		js := fmt.Sprintf(`{"long":"x\u%04x y"}`, r)
		if r > 0xffff {
			js = `{"long":"x` + string(r) + ` y"}`
		}
		if res := d.Validate(answers(t, js), Draft); !strings.Contains(res.Errors["long"].LV, code) {
			t.Errorf("%s through JSON: %v", code, res.Errors)
		}
	}
	res := d.Validate(Answers{"long": "Pirmā rinda\n\totrā rinda\r\ntrešā", "note": "a\tb\nc"}, Draft)
	if !res.OK() || res.Answers["long"] != "Pirmā rinda\n\totrā rinda\ntrešā" || res.Answers["note"] != "a b c" {
		t.Errorf("tabs and line breaks: %q %v", res.Answers, res.Errors)
	}
	// Letters, marks and emoji are text.
	for _, s := range []string{"Ķekavas novads – “citāts”", "e\u0301", "👍🏽", "ﬁ ½ €"} {
		if res := d.Validate(Answers{"long": s}, Draft); !res.OK() {
			t.Errorf("%q refused: %v", s, res.Errors)
		}
	}
}
