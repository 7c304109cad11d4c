package survey

import (
	"encoding/json"
	"math/rand/v2"
	"reflect"
	"testing"
)

// sameDecoding fails unless the fast decoder gives what encoding/json's
// way gives for data, or declines it.
func sameDecoding(t *testing.T, data []byte) (fast bool) {
	t.Helper()
	got, ok := decodeAnswersFast(data)
	want, err := decodeAnswersSlow(data)
	if !ok {
		return false
	}
	if err != nil {
		t.Fatalf("%q: the fast decoder took what the general one refuses (%v): %#v", data, err, got)
	}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("%q:\n fast %#v\n want %#v", data, got, want)
	}
	return true
}

// TestDecodeAnswersFast: the fast decoder gives exactly DecodeAnswers'
// general result for every answers document of the built-in
// questionnaire's plausible answers and for edge cases, declining (to the
// general decoder) whatever it does not handle.
func TestDecodeAnswersFast(t *testing.T) {
	t.Parallel()
	def, _, err := Builtin("regional-2025")
	if err != nil {
		t.Fatal(err)
	}
	rng := rand.New(rand.NewPCG(3, 4))
	for range 300 {
		a, err := def.Synthesize(rng, nil)
		if err != nil {
			t.Fatal(err)
		}
		data, err := json.Marshal(a)
		if err != nil {
			t.Fatal(err)
		}
		if !sameDecoding(t, data) {
			t.Fatalf("the fast decoder declined a plain document: %s", data)
		}
	}
	for _, c := range []struct {
		data string
		fast bool
	}{
		{`{}`, true}, {` { } `, true}, {`{"a":"x","a":null}`, true}, {`{"a":null,"a":"x"}`, true},
		{`{"a":[],"b":["x","y"],"c":true,"d":false,"e":-0.5e+10,"f":0,"g":12.25,"h":"\u00e9\n\"\\\/\b\f\r\t"}`, true},
		{"{\"ā\":\"Cēsis\"}", true}, {`{"a":"\u0000"}`, true}, {`{"a":1E5,"b":-0,"c":1e-3}`, true},
		{`{"a":["x",null]}`, false}, {`{"a":[1]}`, false}, {`{"a":{}}`, false}, {`{"a":"\ud83d\ude00"}`, false},
		{"{\"a\":\"\xff\"}", false}, {`{"a":01}`, false}, {`{"a":1.}`, false}, {`{"a":.5}`, false}, {`{"a":-}`, false},
		{`{"a":1e}`, false}, {`{"a":+1}`, false}, {`{"a":"x"} x`, false}, {`{"a":"x"}{}`, false}, {`null`, false},
		{`[]`, false}, {`{"a":"x",}`, false}, {`{,}`, false}, {`{"a" "x"}`, false}, {"{\"a\":\"\t\"}", false},
		{`{"a":"\x"}`, false}, {`{"a":"\u12"}`, false}, {`{"a":"\u+123"}`, false}, {`{"a":tru}`, false}, {``, false},
		{`{"a":"x"`, false}, {`{"a":["x"`, false}, {`{"a":"x\`, false},
	} {
		if got := sameDecoding(t, []byte(c.data)); got != c.fast {
			t.Errorf("%q: fast %v, want %v", c.data, got, c.fast)
		}
	}
}

// FuzzDecodeAnswersFast: whatever the fast decoder takes, it decodes as
// the general one does.
func FuzzDecodeAnswersFast(f *testing.F) {
	for _, s := range []string{`{}`, `{"a":"x","b":[],"c":["y"],"d":1.5e3,"e":true,"f":null}`, `{"a":"\u00e9\n"}`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) { sameDecoding(t, data) })
}
