package survey

import (
	"maps"
	"math/rand/v2"
	"slices"
	"testing"
)

// BenchmarkSaveWork is the survey work of one autosave, as the server does
// it between reading the request and writing to the database: read the
// stored answers and the body's, validate in draft mode, diff them,
// marshal what is stored. The answers are a full plausible set of the
// regional questionnaire, 3 of them changed to another set's values (as
// surveybench's clients save). "plain" reads the answers allocating every
// string; "shared" shares the definition's strings, as the autosave does
// now. Compare with an older tree by running this file there.
func BenchmarkSaveWork(b *testing.B) {
	def, _, err := Builtin("regional-2025")
	if err != nil {
		b.Fatal(err)
	}
	rng := rand.New(rand.NewPCG(1, 2))
	stored, err := def.Synthesize(rng, nil)
	if err != nil {
		b.Fatal(err)
	}
	alt, err := def.Synthesize(rng, nil)
	if err != nil {
		b.Fatal(err)
	}
	next, changed := stored.Clone(), 0
	for _, k := range slices.Sorted(maps.Keys(alt)) {
		if changed < 3 && !sameValue(stored[k], alt[k]) {
			next[k] = alt[k]
			changed++
		}
	}
	storedJSON, err := MarshalAnswers(stored)
	if err != nil {
		b.Fatal(err)
	}
	body, err := MarshalAnswers(next)
	if err != nil {
		b.Fatal(err)
	}
	for _, c := range []struct {
		name   string
		decode func([]byte) (Answers, error)
	}{{"plain", DecodeAnswers}, {"shared", def.DecodeAnswers}} {
		b.Run(c.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				old, err := c.decode(storedJSON)
				if err != nil {
					b.Fatal(err)
				}
				in, err := c.decode(body)
				if err != nil {
					b.Fatal(err)
				}
				res := def.Validate(in, Draft)
				if !res.OK() {
					b.Fatal(res.Errors)
				}
				if before, after := Diff(old, res.Answers); len(before)+len(after) == 0 {
					b.Fatal("no change")
				}
				if _, err := MarshalAnswers(res.Answers); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
