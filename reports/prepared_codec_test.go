package reports

import (
	"encoding/hex"
	"errors"
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/civitas-lv/surveyd/survey"
)

// TestPreparedDecodeSameAsPrepare: a prepared form written by
// AppendPrepared and read back by Decode is the Prepared that Prepare
// made, for the demo generator's documents of the built-in round and of a
// definition with odd rules and for odd variants of them (NaN and
// infinite-free indicators, numbers at float64's edges, picks of "other");
// under another questionnaire it is refused.
func TestPreparedDecodeSameAsPrepare(t *testing.T) {
	t.Parallel()
	regional, odd := regionalDef(t), oddDef(t)
	for _, def := range []*survey.Definition{regional, odd} {
		other := map[*survey.Definition]*Preparer{regional: NewPreparer(odd), odd: NewPreparer(regional)}[def]
		pr := NewPreparer(def)
		rng := rand.New(rand.NewPCG(3, 4))
		var kept []*Prepared
		var want []*Prepared
		for _, data := range synthesized(t, def, 200, 9) {
			for _, doc := range [][]byte{data, mutate(rng, def, data), mutate(rng, def, data)} {
				answers, err := def.DecodeAnswers(doc)
				if err != nil {
					continue
				}
				p := Prepare(def, answers)
				form := AppendPrepared(nil, p)
				got, err := pr.Decode(form)
				if err != nil {
					t.Fatalf("%s %s: %v", def.Slug, doc, err)
				}
				if d := samePrepared(got, p); d != "" {
					t.Fatalf("%s %s: %s", def.Slug, doc, d)
				}
				if _, err := other.Decode(form); !errors.Is(err, ErrPreparedForm) {
					t.Fatalf("%s %s: read under another questionnaire: %v", def.Slug, doc, err)
				}
				kept, want = append(kept, got), append(want, p)
			}
		}
		// Cut from the Preparer's slabs, each still what it was.
		for i := range kept {
			if d := samePrepared(kept[i], want[i]); d != "" {
				t.Fatalf("%s: form %d changed after others were read: %s", def.Slug, i, d)
			}
		}
	}
}

// TestPreparedDecodeRefusesDamage: every shorter, longer or changed form
// either is refused or is one Aggregate counts (never a panic, never a
// pick outside its question's options), and a form of another format is
// refused.
func TestPreparedDecodeRefusesDamage(t *testing.T) {
	t.Parallel()
	def := oddDef(t)
	pr := NewPreparer(def)
	doc := []byte(`{"yn":true,"many":["x","other"],"many_other":"q","n1":5,"n2":1,"n3":2,"t1":"abc","t2":"q","pick":"true","yr":2020}`)
	answers, err := def.DecodeAnswers(doc)
	if err != nil {
		t.Fatal(err)
	}
	form := AppendPrepared(nil, Prepare(def, answers))
	check := func(what string, b []byte) {
		t.Helper()
		p, err := pr.Decode(b)
		if err != nil {
			if !errors.Is(err, ErrPreparedForm) {
				t.Fatalf("%s: %v", what, err)
			}
			return
		}
		if _, err := Aggregate(def, source([]Row{{Status: "submitted", Prepared: p}}), Filter{}); err != nil {
			t.Fatalf("%s: %v", what, err)
		}
	}
	refused := func(what string, b []byte) {
		t.Helper()
		if _, err := pr.Decode(b); !errors.Is(err, ErrPreparedForm) {
			t.Fatalf("%s: %v, want ErrPreparedForm", what, err)
		}
	}
	for n := range len(form) {
		refused(fmt.Sprintf("cut to %d bytes", n), form[:n])
	}
	refused("a byte more", append(append([]byte(nil), form...), 0))
	other := append([]byte(nil), form...)
	other[0] = PreparedFormat + 1
	refused("another format", other)
	for i := range form {
		for _, v := range []byte{0, 1, 2, 3, 0x3f, 0x7f, 0x80, 0xff, form[i] ^ 1} {
			b := append([]byte(nil), form...)
			b[i] = v
			check(fmt.Sprintf("byte %d set to %#x", i, v), b)
		}
	}
}

// TestPreparedFormatPinned fails when what Prepare makes of the test rows,
// or how it is written, changes: raise PreparedFormat (forms kept in the
// database under the old number are then made again), then run go test
// ./reports -update to write the new golden file.
func TestPreparedFormatPinned(t *testing.T) {
	t.Parallel()
	var got strings.Builder
	def, rows := testRows(t)
	odd := oddDef(t)
	for i, r := range rows {
		fmt.Fprintf(&got, "%s %d: %s\n", def.Slug, i, hex.EncodeToString(AppendPrepared(nil, Prepare(def, r.Answers))))
	}
	for i, data := range synthesized(t, odd, 8, 21) {
		answers, err := odd.DecodeAnswers(data)
		if err != nil {
			t.Fatal(err)
		}
		fmt.Fprintf(&got, "%s %d: %s\n", odd.Slug, i, hex.EncodeToString(AppendPrepared(nil, Prepare(odd, answers))))
	}
	checkFormatPinned(t, "prepared-format", "PreparedFormat", PreparedFormat, got.String())
}

// FuzzPreparedDecode: whatever the bytes, Decode refuses them or gives a
// Prepared that Aggregate counts without a panic.
func FuzzPreparedDecode(f *testing.F) {
	def := oddDef(f)
	for _, data := range synthesized(f, def, 5, 13) {
		answers, err := def.DecodeAnswers(data)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(AppendPrepared(nil, Prepare(def, answers)))
	}
	pr := NewPreparer(def)
	f.Fuzz(func(t *testing.T, data []byte) {
		p, err := pr.Decode(data)
		if err != nil {
			if !errors.Is(err, ErrPreparedForm) {
				t.Fatal(err)
			}
			return
		}
		if _, err := Aggregate(def, source([]Row{{Status: "submitted", Prepared: p}}), Filter{}); err != nil {
			t.Fatal(err)
		}
	})
}
