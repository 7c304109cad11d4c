package survey

import (
	"bytes"
	"encoding/json"
	"math/rand/v2"
	"testing"
)

// TestMarshalAnswersIsJSONMarshal: MarshalAnswers writes what json.Marshal
// writes, byte for byte, or fails where it fails — for every value type of
// answers, the strings encoding/json escapes, numbers JSON refuses and
// random answer sets.
func TestMarshalAnswersIsJSONMarshal(t *testing.T) {
	texts := []string{"", "plain", "Rīga — Līvāni", `quote " and \ back`, "<b>&amp;</b>", "line\nbreak\r\ttab",
		"\b\f\x00\x01\x1f\x7f", "\u2028\u2029", "bad \xff\xfe utf-8 \xe2\x82", "emoji 😀 and \U0010FFFF", "\u00a0nbsp"}
	numbers := []json.Number{"0", "-0", "12", "-12.50", "1e3", "1E+3", "2.5e-7", "", "007", "1.", ".5", "-", "1e", "+1", "0x10", "NaN"}
	cases := []Answers{nil, {}, {"a": nil}, {"a": []string(nil)}, {"a": []string{}}, {"a": []any{"x", 1.5}},
		{"a": map[string]any{"b": "c"}}, {"a": 3.25}, {"a": 7}, {"a": true, "b": false}}
	for _, s := range texts {
		cases = append(cases, Answers{s: s}, Answers{"list": []string{s, s + "x"}})
	}
	for _, n := range numbers {
		cases = append(cases, Answers{"n": n})
	}
	rng := rand.New(rand.NewPCG(1, 2))
	for range 200 {
		a := Answers{}
		for range rng.IntN(25) {
			k := texts[rng.IntN(len(texts))] + string(rune('a'+rng.IntN(26)))
			switch rng.IntN(4) {
			case 0:
				a[k] = texts[rng.IntN(len(texts))]
			case 1:
				a[k] = numbers[rng.IntN(4)]
			case 2:
				a[k] = rng.IntN(2) == 0
			default:
				a[k] = []string{texts[rng.IntN(len(texts))], texts[rng.IntN(len(texts))]}
			}
		}
		cases = append(cases, a)
	}
	for _, a := range cases {
		want, wantErr := json.Marshal(a)
		got, err := MarshalAnswers(a)
		if (err != nil) != (wantErr != nil) || !bytes.Equal(got, want) {
			t.Errorf("%#v:\n MarshalAnswers %s (%v)\n json.Marshal   %s (%v)", a, got, err, want, wantErr)
		}
	}
}

// FuzzMarshalAnswers: for any text as a key and as a value, and any
// number, MarshalAnswers writes what json.Marshal writes.
func FuzzMarshalAnswers(f *testing.F) {
	f.Add("k", "Rīga <&> \u2028", "12.5")
	f.Add("\xff", "\x00\x7f\"\\", "007")
	f.Fuzz(func(t *testing.T, k, s, n string) {
		a := Answers{k: s, k + "_l": []string{s, k}, k + "_n": json.Number(n), k + "_b": true}
		want, wantErr := json.Marshal(a)
		got, err := MarshalAnswers(a)
		if (err != nil) != (wantErr != nil) || !bytes.Equal(got, want) {
			t.Errorf("%#v:\n MarshalAnswers %s (%v)\n json.Marshal   %s (%v)", a, got, err, want, wantErr)
		}
	})
}

func BenchmarkMarshalAnswers(b *testing.B) {
	a := Answers{"ngo_forms": []string{"grants", "tax_relief"}, "ngo_rules": "drafting", "pb_lessons": "Lauku teritorijās grūtāk sasniegt iedzīvotājus; noderīgas bija klātienes tikšanās.",
		"population": json.Number("6"), "resp_email": "demo259@example.org", "consent_contact": true, "ngo_support_eur": json.Number("284.47"),
		"resp_name": "Demo Respondente", "resp_phone": "+371 21316178", "rc_regulation": false}
	b.Run("MarshalAnswers", func(b *testing.B) {
		for b.Loop() {
			if _, err := MarshalAnswers(a); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("json.Marshal", func(b *testing.B) {
		for b.Loop() {
			if _, err := json.Marshal(a); err != nil {
				b.Fatal(err)
			}
		}
	})
}
