package reports

import (
	"encoding/json"
	"fmt"
	"math"
	"math/rand/v2"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/civitas-lv/surveyd/survey"
)

// oddDefinition has what the plain documents of the built-in rounds
// seldom reach: show-if rules on yes/no, multiple choice (count and
// selected), numbers and texts, a chain where a hidden answered question
// hides the next, rules that several questions share, a single choice with an option coded "true", "other"
// texts, and indicators that divide (by zero too).
const oddDefinition = `{"format":1,"slug":"odd","title":{"lv":"Odd","en":"Odd"},"reference_year":2025,
"sections":[{"code":"s","title":{"lv":"S","en":"S"},"questions":[
 {"code":"yn","type":"yesno","text":{"lv":"a","en":"a"}},
 {"code":"pick","type":"single","other":true,"text":{"lv":"b","en":"b"},
  "options":[{"code":"true","text":{"lv":"t","en":"t"}},{"code":"x","text":{"lv":"x","en":"x"}},{"code":"y","text":{"lv":"y","en":"y"}}]},
 {"code":"many","type":"multi","other":true,"show_if":"yn = true","text":{"lv":"c","en":"c"},
  "options":[{"code":"x","text":{"lv":"x","en":"x"}},{"code":"y","text":{"lv":"y","en":"y"}},{"code":"z","text":{"lv":"z","en":"z"},"exclusive":true}]},
 {"code":"n1","type":"int","show_if":"count(many) >= 1 or pick = 'x'","text":{"lv":"d","en":"d"}},
 {"code":"n2","type":"decimal","show_if":"n1 > 2","text":{"lv":"e","en":"e"}},
 {"code":"t1","type":"text","show_if":"answered(n2) and not selected(many, 'z')","text":{"lv":"f","en":"f"}},
 {"code":"t2","type":"longtext","show_if":"t1 = 'abc' or pick != 'y'","text":{"lv":"g","en":"g"}},
 {"code":"n3","type":"money","show_if":"n1 > 2","text":{"lv":"l","en":"l"}},
 {"code":"t3","type":"text","show_if":"answered(n2) and not selected(many, 'z')","text":{"lv":"m","en":"m"}},
 {"code":"yr","type":"year","text":{"lv":"h","en":"h"}}]}],
"indicators":[
 {"code":"i1","text":{"lv":"i","en":"i"},"formula":"n2 / n1"},
 {"code":"i2","text":{"lv":"j","en":"j"},"formula":"n1 * 1000 - yr"},
 {"code":"i3","text":{"lv":"k","en":"k"},"formula":"count(many) / (n1 - 3)"},
 {"code":"i4","text":{"lv":"n","en":"n"},"formula":"n3 - n2"}]}`

func oddDef(t testing.TB) *survey.Definition {
	t.Helper()
	def, err := survey.Parse([]byte(oddDefinition), "odd")
	if err != nil {
		t.Fatal(err)
	}
	return def
}

func regionalDef(t testing.TB) *survey.Definition {
	t.Helper()
	def, _, err := survey.Builtin("regional-2025")
	if err != nil {
		t.Fatal(err)
	}
	return def
}

// samePrepared says how a and b differ ("" when they do not): NaN
// indicators are equal to each other.
func samePrepared(a, b *Prepared) string {
	if a.def != b.def || !slices.Equal(a.state, b.state) || !slices.Equal(a.picks, b.picks) {
		return fmt.Sprintf("state %v / %v, picks %v / %v", a.state, b.state, a.picks, b.picks)
	}
	bits := func(f []float64) []uint64 {
		out := make([]uint64, len(f))
		for i, x := range f {
			out[i] = math.Float64bits(x)
		}
		return out
	}
	if !slices.Equal(bits(a.nums), bits(b.nums)) || !slices.Equal(bits(a.indicators), bits(b.indicators)) {
		return fmt.Sprintf("nums %v / %v, indicators %v / %v", a.nums, b.nums, a.indicators, b.indicators)
	}
	return ""
}

// checkPreparer fails unless pr.Prepare(data) is what Prepare gives for
// def.DecodeAnswers(data) (or the same error).
func checkPreparer(t *testing.T, def *survey.Definition, pr *Preparer, data []byte) {
	t.Helper()
	got, err := pr.Prepare(data)
	answers, werr := def.DecodeAnswers(data)
	if (err != nil) != (werr != nil) || err != nil && err.Error() != werr.Error() {
		t.Fatalf("%s %q: error %v, want %v", def.Slug, data, err, werr)
	}
	if err != nil {
		return
	}
	if d := samePrepared(got, Prepare(def, answers)); d != "" {
		t.Fatalf("%s %q: %s", def.Slug, data, d)
	}
}

// synthesized makes n documents of def as the demo and scale sets store
// them (survey.Synthesize, json.Marshal).
func synthesized(t testing.TB, def *survey.Definition, n int, seed uint64) [][]byte {
	t.Helper()
	var out [][]byte
	for i := range n {
		a, err := def.Synthesize(rand.New(rand.NewPCG(seed, uint64(i))), nil)
		if err != nil {
			t.Fatal(err)
		}
		data, err := json.Marshal(a)
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, data)
	}
	return out
}

// jsonbOrdered is data (an object) with its keys in the order
// PostgreSQL writes a jsonb object's: shorter first, then bytewise.
func jsonbOrdered(t testing.TB, data []byte) []byte {
	t.Helper()
	var m map[string]json.RawMessage
	if err := json.Unmarshal(data, &m); err != nil {
		t.Fatal(err)
	}
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.SortFunc(keys, func(a, b string) int {
		if len(a) != len(b) {
			return len(a) - len(b)
		}
		return strings.Compare(a, b)
	})
	var b strings.Builder
	b.WriteString("{")
	for i, k := range keys {
		if i > 0 {
			b.WriteString(", ")
		}
		kj, _ := json.Marshal(k)
		b.Write(kj)
		b.WriteString(": ")
		b.Write(m[k])
	}
	b.WriteString("}")
	return []byte(b.String())
}

// mutate changes a document the way odd ones differ: answers dropped,
// set to null, to another type or another answer's value, keys unknown,
// repeated or escaped, numbers at float64's edges, hidden questions
// answered, "other" texts empty or filled.
func mutate(rng *rand.Rand, def *survey.Definition, data []byte) []byte {
	var m map[string]json.RawMessage
	if json.Unmarshal(data, &m) != nil {
		return data
	}
	codes := []string{"unknown", "x_other"}
	for _, q := range def.Questions() {
		codes = append(codes, q.Code)
		if q.Other {
			codes = append(codes, q.OtherKey())
		}
	}
	values := []string{`null`, `true`, `false`, `"x"`, `"y"`, `"true"`, `"other"`, `""`, `"abc"`, `["x","y"]`, `["z"]`,
		`[]`, `["x","x","nope"]`, `["other"]`, `0`, `-0`, `3`, `2.5`, `1e400`, `-1e400`, `1e-400`, `4.9e-324`,
		`1.7976931348623157e308`, `12345678901234567890123`, `2025`, `[1]`, `{}`, `"\u0078"`, `"a\"b"`}
	var extra []string // keys written again at the end
	for range 1 + rng.IntN(4) {
		k := codes[rng.IntN(len(codes))]
		switch rng.IntN(4) {
		case 0:
			delete(m, k)
		case 1:
			extra = append(extra, `"`+k+`":`+values[rng.IntN(len(values))])
		default:
			m[k] = json.RawMessage(values[rng.IntN(len(values))])
		}
	}
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	var b strings.Builder
	b.WriteString("{")
	for i, k := range keys {
		if i > 0 {
			b.WriteString(",")
		}
		key := `"` + k + `"`
		if rng.IntN(10) == 0 && k != "" { // its first letter escaped
			key = fmt.Sprintf(`"\u%04x%s"`, k[0], k[1:])
		}
		b.WriteString(key + ":" + string(m[k]))
	}
	for _, e := range extra {
		if b.Len() > 1 {
			b.WriteString(",")
		}
		b.WriteString(e)
	}
	b.WriteString("}")
	if rng.IntN(20) == 0 {
		b.WriteString(" \n")
	}
	return []byte(b.String())
}

// TestPreparerSameAsPrepare: for the demo generator's documents of the
// built-in round and of a definition with odd rules, and for odd
// variants of them, a Preparer gives what Prepare gives for the decoded
// answers — and reads the plain ones itself, without decoding them.
func TestPreparerSameAsPrepare(t *testing.T) {
	for _, def := range []*survey.Definition{regionalDef(t), oddDef(t)} {
		pr := NewPreparer(def)
		ia := def.NewIndexedAnswers()
		docs := synthesized(t, def, 300, 7)
		rng := rand.New(rand.NewPCG(1, 2))
		for _, data := range docs {
			if !ia.Read(data) {
				t.Fatalf("%s: a plain document is not read without decoding: %s", def.Slug, data)
			}
			checkPreparer(t, def, pr, data)
			// As the database writes it out, its keys in jsonb's order.
			ordered := jsonbOrdered(t, data)
			if !ia.Read(ordered) {
				t.Fatalf("%s: a plain document is not read without decoding: %s", def.Slug, ordered)
			}
			checkPreparer(t, def, pr, ordered)
			for range 10 {
				checkPreparer(t, def, pr, mutate(rng, def, data))
				checkPreparer(t, def, pr, mutate(rng, def, ordered))
			}
		}
		for _, data := range []string{`{}`, ` {} `, `[]`, `null`, `{"yn":true,"yn":false}`, `{"yn":null,"yn":true}`,
			`{"unknown":1,"unknown":2,"yn":true}`, `{"pick_other":"a","pick_other":"b"}`, `{"pick":"x"} x`,
			`{"pick":"x",}`, `{"pick":"\ud800"}`, "{\"pick\":\"\xff\"}", `{"n1":1e999999}`, `{"n1":01}`,
			`{"many":["x",1]}`, `{"yn":true,"many":["z"],"n1":5,"n2":1,"t1":"abc","t2":"q"}`} {
			checkPreparer(t, def, pr, []byte(data))
		}
	}
}

// TestPreparedKeptFromSlab: what a Preparer made stays what Prepare
// makes while it makes many more: the Prepared it cuts from one
// allocation (preparedSlab) share none of their memory. It also makes
// them in fewer allocations.
func TestPreparedKeptFromSlab(t *testing.T) {
	def := regionalDef(t)
	pr := NewPreparer(def)
	docs := synthesized(t, def, 500, 11)
	var kept []*Prepared
	allocs := testing.AllocsPerRun(1, func() {
		kept = kept[:0]
		for _, data := range docs {
			p, err := pr.Prepare(data)
			if err != nil {
				t.Fatal(err)
			}
			kept = append(kept, p)
		}
	})
	for i, data := range docs {
		answers, err := def.DecodeAnswers(data)
		if err != nil {
			t.Fatal(err)
		}
		if d := samePrepared(kept[i], Prepare(def, answers)); d != "" {
			t.Fatalf("document %d, after %d more were made: %s", i, len(docs)-i-1, d)
		}
	}
	// Each Prepared took five allocations before (its struct and four
	// slices), ten in all for each document of this set; the other five
	// are the reading's (each list's items, mostly).
	if allocs > float64(7*len(docs)) {
		t.Errorf("%v allocations for %d documents", allocs, len(docs))
	}
}

// TestAggregatePreparedSameAsAnswers: Aggregate gives the same summary
// for rows with their answers and for rows with only a Preparer's
// Prepared.
func TestAggregatePreparedSameAsAnswers(t *testing.T) {
	for _, def := range []*survey.Definition{regionalDef(t), oddDef(t)} {
		pr := NewPreparer(def)
		rng := rand.New(rand.NewPCG(3, 4))
		var plain, prepared []Row
		for i, data := range synthesized(t, def, 200, 9) {
			if i%2 == 1 {
				data = mutate(rng, def, data)
			}
			a, err := def.DecodeAnswers(data)
			if err != nil {
				continue
			}
			p, err := pr.Prepare(data)
			if err != nil {
				t.Fatal(err)
			}
			row := Row{Status: "submitted"}
			row.Municipality.PlanningRegion = []string{"Kurzeme", "Vidzeme"}[i%2]
			plain = append(plain, Row{Municipality: row.Municipality, Status: row.Status, Answers: a})
			row.Prepared = p
			prepared = append(prepared, row)
		}
		rows := func(rs []Row) Rows {
			return func(yield func(Row, error) bool) {
				for _, r := range rs {
					if !yield(r, nil) {
						return
					}
				}
			}
		}
		want, err := Aggregate(def, rows(plain), Filter{})
		if err != nil {
			t.Fatal(err)
		}
		got, err := Aggregate(def, rows(prepared), Filter{})
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(got, want) {
			t.Fatalf("%s: the summaries differ", def.Slug)
		}
	}
}

// FuzzPreparer: a Preparer gives what Prepare gives for the decoded
// answers (or the same error), for any document, under the built-in
// round and a definition with odd rules; it never panics.
func FuzzPreparer(f *testing.F) {
	regional, odd := regionalDef(f), oddDef(f)
	for _, def := range []*survey.Definition{regional, odd} {
		for _, data := range synthesized(f, def, 5, 11) {
			f.Add(data)
		}
	}
	for _, s := range []string{`{}`, `{"yn":true,"many":["z","x"],"n1":5,"n2":1e400,"t1":"abc","t2":"q","pick":"true"}`,
		`{"yn":false,"many":["x"],"n1":3,"n2":-0,"pick":"other","pick_other":""}`, `{"pick_other":"a","pick_other":null}`,
		`{"many":null,"many":["x"]}`, `{"n1":"3"}`, `{"yn":"true"}`, `{"u":[1],"yn":true}`, `{"\u0079n":true}`} {
		f.Add([]byte(s))
	}
	prs := []*Preparer{NewPreparer(regional), NewPreparer(odd)}
	f.Fuzz(func(t *testing.T, data []byte) {
		for _, pr := range prs {
			checkPreparer(t, pr.def, pr, data)
		}
	})
}

// BenchmarkPrepare times preparing the demo generator's documents of the
// built-in round as the charts did before (decoded to Answers, then
// Prepare) and as they do now (a Preparer), per document:
//
//	go test ./reports -run '^$' -bench 'Prepare/' -count 5
func BenchmarkPrepare(b *testing.B) {
	def := regionalDef(b)
	docs := synthesized(b, def, 512, 5)
	for i, d := range docs {
		docs[i] = jsonbOrdered(b, d) // as the database writes them out
	}
	b.Run("decoded", func(b *testing.B) {
		b.ReportAllocs()
		i := 0
		for b.Loop() {
			a, err := def.DecodeAnswers(docs[i%len(docs)])
			if err != nil {
				b.Fatal(err)
			}
			Prepare(def, a)
			i++
		}
	})
	b.Run("preparer", func(b *testing.B) {
		b.ReportAllocs()
		pr := NewPreparer(def)
		i := 0
		for b.Loop() {
			if _, err := pr.Prepare(docs[i%len(docs)]); err != nil {
				b.Fatal(err)
			}
			i++
		}
	})
}
