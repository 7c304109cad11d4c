package web

import (
	"reflect"
	"testing"

	"github.com/civitas-lv/surveyd/survey"
)

// FuzzQuickPutBody: where the one-pass reading of a PUT body takes it,
// the strict reading (key check, decode, answers) takes it too and gives
// the same version and answers; it never panics.
func FuzzQuickPutBody(f *testing.F) {
	for _, s := range []string{`{"version":3,"answers":{"population":5,"ngo_forms":["grants"],"resp_name":"A\u00e9"}}`,
		` { "answers" : {} , "version" : 0 } `, `{"version":1,"version":2,"answers":{}}`, `{"version":1,"Answers":{}}`,
		`{"version":-1,"answers":{}}`, `{"version":01,"answers":{}}`, `{"version":1.0,"answers":{}}`,
		`{"version":1,"answers":{"a":1,"a":2}}`, `{"version":1,"answers":{}}}`, `{"version":1,"answers":{}} x`,
		`{"version":1,"answers":null}`, `{"version":99999999999999999999,"answers":{}}`, `{"version":1}`,
		`{"version":1,"answers":{"a":{"b":1}}}`, `{"version":1,"answers":{"a":"\ud800"}}`} {
		f.Add([]byte(s))
	}
	def, _, err := survey.Builtin("regional-2025")
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		v, a, ok := quickPutBody(data)
		// The autosave's reading, sharing the definition's strings, takes
		// the same bodies and gives the same.
		dv, da, dok := quickPutBodyWith(data, def.ReadAnswersObject)
		if dok != ok || dv != v || !reflect.DeepEqual(da, a) {
			t.Fatalf("%q: with the definition's strings %v %d %#v, without %v %d %#v", data, dok, dv, da, ok, v, a)
		}
		if !ok {
			return
		}
		sv, sa, err := decodePutBody(data)
		if err != nil {
			t.Fatalf("%q: quick took it, the strict reading: %v", data, err)
		}
		if v != sv || !reflect.DeepEqual(a, sa) {
			t.Fatalf("%q:\nquick %d %#v\nstrict %d %#v", data, v, a, sv, sa)
		}
	})
}

// TestQuickPutBodyLeaves: what the one-pass reading leaves to the strict
// one (which refuses or explains it).
func TestQuickPutBodyLeaves(t *testing.T) {
	for _, s := range []string{`{"version":1,"version":2,"answers":{}}`, `{"version":1,"Answers":{}}`, `{"version":-1,"answers":{}}`,
		`{"version":01,"answers":{}}`, `{"version":1.0,"answers":{}}`, `{"version":1,"answers":{"a":1,"a":2}}`,
		`{"version":1,"answers":{}}}`, `{"version":1,"answers":null}`, `{"version":1}`, `{"answers":{}}`, `{"version":1,"answers":{},"x":1}`,
		`{"version":1,"answers":{"a":{"b":1}}}`, `{"version":1,"answers":{"a":"\ud800"}}`, `{"version":1,"answers":{}`} {
		if _, _, ok := quickPutBody([]byte(s)); ok {
			t.Errorf("%s: taken", s)
		}
	}
	v, a, ok := quickPutBody([]byte(" {\"answers\" : {\"population\":5} ,\n\"version\": 10 } "))
	if !ok || v != 10 || len(a) != 1 || a["population"] == nil {
		t.Fatalf("%v %d %v", ok, v, a)
	}
}
