package survey

import (
	"encoding/binary"
	"encoding/json"
	"math/rand/v2"
	"reflect"
	"strconv"
	"testing"
)

// FuzzReadAnswersObject: where the one-pass reader takes an object, it
// gives what encoding/json's path gives; it never panics.
func FuzzReadAnswersObject(f *testing.F) {
	for _, s := range []string{regionalFull, `{}`, ` {"a":null,"b":[],"c":["x","y"],"d":-0.5e+3,"e":true,"f":false}`,
		`{"a":"\u00e9\ud83d\ude00\n\"\\\/\b\f\r\t"}`, `{"a":"\ud800"}`, `{"a":"\ud800\u0041"}`, `{"a":1,"a":2}`,
		`{"a":null,"a":2}`, `{"a":01}`, `{"a":1.}`, `{"a":[1]}`, `{"a":{}}`, "{\"a\":\"\xff\"}", `{"a":"x"} }`,
		`{"a":"x"}  `, `{"a":tru}`, `{"a":"\u12"}`, `{"a":"\x"}`, `{"a":-}`, `{"a":1e}`, `{"a":2E-07}`} {
		f.Add([]byte(s))
	}
	regional, _, err := Builtin("regional-2025")
	if err != nil {
		f.Fatal(err)
	}
	// The strings a definition shares (Definition.DecodeAnswers): the
	// regional questionnaire's, and a few of the seeds' own.
	names := []*answerNames{regional.names, {keys: map[string]string{"a": "a", "c": "c", "x": "x", "é": "é"},
		values: map[string]any{"x": "x", "y": "y", "\u00e9": "\u00e9"}}}
	f.Fuzz(func(t *testing.T, data []byte) {
		quick, n, ok := ReadAnswersObject(data)
		for _, nm := range names {
			shared, m, sok := readAnswersObject(data, nm)
			if sok != ok || m != n || !reflect.DeepEqual(shared, quick) {
				t.Fatalf("%q: with shared strings %v %d %#v, without %v %d %#v", data, sok, m, shared, ok, n, quick)
			}
		}
		if !ok {
			return
		}
		if n > len(data) {
			t.Fatalf("took %d of %d bytes", n, len(data))
		}
		slow, err := decodeAnswersSlow(data[:n])
		if err != nil {
			t.Fatalf("%q: quick took it, encoding/json: %v", data[:n], err)
		}
		if !reflect.DeepEqual(quick, slow) {
			t.Fatalf("%q:\nquick %#v\nslow  %#v", data[:n], quick, slow)
		}
		if a, err := DecodeAnswers(data); err == nil && onlySpace(data[n:]) && !reflect.DeepEqual(a, slow) {
			t.Fatalf("%q: DecodeAnswers %#v", data, a)
		}
	})
}

// TestReadAnswersObjectLeaves: what the one-pass reader leaves to the
// slow path.
func TestReadAnswersObjectLeaves(t *testing.T) {
	for _, s := range []string{`{"a":"\ud800"}`, `{"a":1,"a":2}`, `{"a":null,"a":2}`, `{"a":01}`, `{"a":[1]}`,
		`{"a":{}}`, "{\"a\":\"\xff\"}", `{"a":"x"`, `[]`, `null`, `{"a":"\t"}`, "{\"a\":\"\t\"}"} {
		if _, _, ok := ReadAnswersObject([]byte(s)); ok && s != `{"a":"\t"}` {
			t.Errorf("%q: taken", s)
		}
	}
	in := ` {"b":[],"c":["x"],"d":-0.5e+3,"e":true,"n":null} ,`
	a, n, ok := ReadAnswersObject([]byte(in))
	want := Answers{"b": []string{}, "c": []string{"x"}, "d": json.Number("-0.5e+3"), "e": true}
	if !ok || n != len(in)-2 || !reflect.DeepEqual(a, want) {
		t.Fatalf("%v %d %#v", ok, n, a)
	}
}

// TestSameValueQuick: the quick comparisons agree with the exact one.
func TestSameValueQuick(t *testing.T) {
	for _, c := range []struct {
		a, b any
		want bool
	}{{json.Number("1.50"), json.Number("1.5"), true}, {json.Number("12"), json.Number("12"), true},
		{json.Number("-0.25"), json.Number("-0.25"), true}, {json.Number("1e2"), json.Number("100"), true},
		{json.Number("x"), json.Number("x"), false}, {json.Number("-"), json.Number("-"), false},
		{json.Number("1."), json.Number("1."), true}, {"a", "a", true}, {"a", json.Number("1"), false},
		{[]string{}, []string(nil), false}, {[]string{"a"}, []string{"a"}, true}, {true, true, true}, {true, "true", false}} {
		if got := sameValue(c.a, c.b); got != c.want {
			t.Errorf("sameValue(%#v, %#v) = %v", c.a, c.b, got)
		}
	}
}

// TestCheckNumberWhole: whole numbers checked without math/big get what
// the math/big path gives them, for every numeric question, in and out of
// range.
func TestCheckNumberWhole(t *testing.T) {
	d := regional(t)
	vals := []string{"0", "1", "-1", "7", "52", "53", "100", "2024", "2025", "1000000", "999999999999999", "1000000000000000",
		"1000000000000001", "-1000000000000001", "9999999999999999", "-0", "007", "1.0", "1e3"}
	rng := rand.New(rand.NewPCG(3, 4))
	for range 200 {
		vals = append(vals, strconv.FormatInt(rng.Int64N(4_000_000)-2_000_000, 10))
	}
	n := 0
	for _, q := range d.Questions() {
		switch q.Type {
		case Int, Year, Decimal, Money, Percent:
		default:
			continue
		}
		n++
		for _, v := range vals {
			gv, gp := q.checkNumber(json.Number(v))
			wv, wp := q.checkNumberRat(json.Number(v))
			if !reflect.DeepEqual(gv, wv) || !reflect.DeepEqual(gp, wp) {
				t.Errorf("%s %q: %v %v, math/big %v %v", q.Code, v, gv, gp, wv, wp)
			}
		}
	}
	if n == 0 {
		t.Fatal("no numeric questions")
	}
}

// TestDecodeAnswersRefusesTrailingData: only white space may follow the
// object — a stray closing bracket too (json.Decoder.More lets it by).
func TestDecodeAnswersRefusesTrailingData(t *testing.T) {
	t.Parallel()
	for _, s := range []string{`{"a":1}}`, `{"a":1} ]`, `{"a":1}x`, `{"a":1} {}`} {
		if _, err := DecodeAnswers([]byte(s)); err == nil {
			t.Errorf("%s: decoded", s)
		}
	}
	if _, err := DecodeAnswers([]byte("{\"a\":1} \n\t\r")); err != nil {
		t.Errorf("white space after the object: %v", err)
	}
}

// TestStops: stops finds a quote, a backslash or a control character in
// any of a word's eight bytes, and nothing else, whatever the others.
func TestStops(t *testing.T) {
	want := func(b []byte) bool {
		for _, c := range b {
			if c == '"' || c == '\\' || c < 0x20 {
				return true
			}
		}
		return false
	}
	rng := rand.New(rand.NewPCG(1, 2))
	for n := range 200_000 {
		b := make([]byte, 8)
		for i := range b {
			b[i] = byte(0x20 + rng.IntN(0xe0)) // no control characters
		}
		if n < 256*8 { // each byte value at each place
			b[n/256] = byte(n % 256)
		} else {
			b[rng.IntN(8)] = byte(rng.IntN(256))
		}
		if got := stops(binary.LittleEndian.Uint64(b)); got != want(b) {
			t.Fatalf("% x: stops %v", b, got)
		}
	}
}
