package store_test

import (
	"fmt"
	"maps"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/civitas-lv/surveyd/internal/store"
	"github.com/civitas-lv/surveyd/survey"
)

// roundAnswers is a round's answers as the charts read them: by response
// id, the row version and the answers document.
type roundAnswers map[int64]string

// saveAs saves answers js for municipality code in the fixture's round
// (from base version 0 when it has none yet) and returns what was saved.
func (f fixture) saveAs(t *testing.T, code string, base int, js string, submit bool) store.Saved {
	t.Helper()
	a, err := survey.DecodeAnswers([]byte(js))
	if err != nil {
		t.Fatal(err)
	}
	saved, err := f.s.Apply(ctx, store.Change{SurveyID: f.sv.ID, Municipality: code, DefinitionSHA256: "sha1",
		BaseVersion: base, Answers: a, Submit: submit, Actor: store.Actor{Kind: store.ActorSystem}})
	if err != nil {
		t.Fatal(err)
	}
	return saved
}

// readRound reads the round whole in sn (RoundWhole), and checks that
// its heads are those ChartHeads reads there (in another order) and that
// fn was given each response's head.
func readRound(t *testing.T, sn *store.Snapshot, surveyID int64, submittedOnly bool) ([]store.ChartHead, roundAnswers) {
	t.Helper()
	all := roundAnswers{}
	at := map[int]int64{} // head: the response given with it
	heads, err := sn.RoundWhole(ctx, surveyID, submittedOnly, store.PreparedKey{}, func(head int, id int64, version string, answers, prepared []byte) error {
		if prepared != nil {
			return fmt.Errorf("response %d: a prepared form was given, none is kept", id)
		}
		if _, twice := all[id]; twice {
			return fmt.Errorf("response %d read twice", id)
		}
		if _, twice := at[head]; twice {
			return fmt.Errorf("head %d given twice", head)
		}
		all[id] = version + " " + string(answers)
		at[head] = id
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	for i, id := range at {
		if i < 0 || i >= len(heads) || heads[i].ID == nil || *heads[i].ID != id {
			t.Fatalf("response %d was given as head %d of %d", id, i, len(heads))
		}
	}
	want, err := sn.ChartHeads(ctx, surveyID, submittedOnly)
	if err != nil {
		t.Fatal(err)
	}
	sorted := func(h []store.ChartHead) []store.ChartHead {
		h = slices.Clone(h)
		slices.SortFunc(h, func(a, b store.ChartHead) int { return strings.Compare(a.Code, b.Code) })
		return h
	}
	if !reflect.DeepEqual(sorted(heads), sorted(want)) {
		t.Fatalf("submitted only %v: the heads read whole are not those ChartHeads reads:\n%v\n%v", submittedOnly, sorted(heads), sorted(want))
	}
	return heads, all
}

// headsMatch fails unless the answers are exactly those of the heads that
// have a response, each of the row version its head names.
func headsMatch(t *testing.T, heads []store.ChartHead, all roundAnswers) {
	t.Helper()
	n := 0
	for _, h := range heads {
		if h.ID == nil {
			continue
		}
		n++
		a, ok := all[*h.ID]
		if !ok || h.Version == nil || len(a) <= len(*h.Version) || a[:len(*h.Version)+1] != *h.Version+" " {
			t.Fatalf("%s: answers %.60q, head's version %v", h.Code, a, h.Version)
		}
	}
	if n != len(all) {
		t.Fatalf("%d heads with a response, %d answers read", n, len(all))
	}
}

// TestRoundAnswersAreTheHeads: a round read whole (RoundWhole) gives the
// heads ChartHeads gives in the same snapshot — every active
// municipality, and each submitted one alone for a trend — and the
// answers of exactly the heads with a response, every response once,
// each of the version its head names; a write after the snapshot was
// taken is not seen in it, and is by a read after it.
func TestRoundAnswersAreTheHeads(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	var saved store.Saved
	for i, code := range []string{"riga", "jurmala", "adazi", "kekava", "marupe", "olaine", "ropazi", "salaspils", "sigulda", "liepaja"} {
		s := f.saveAs(t, code, 0, fmt.Sprintf(`{"population": %d, "resp_name": "Līga Bērziņa"}`, 1000+i), i%4 != 0)
		if code == "riga" {
			saved = s
		}
	}
	for _, submittedOnly := range []bool{false, true} {
		var before roundAnswers
		var beforeHeads []store.ChartHead
		wrote := false
		err := f.s.ReadSnapshot(ctx, func(sn *store.Snapshot) error {
			heads, all := readRound(t, sn, f.sv.ID, submittedOnly)
			// The submitted ones: 7, and riga and ogre submitted below.
			if want := map[bool]int{false: 10, true: 9}[submittedOnly]; len(all) != want {
				t.Fatalf("submitted only %v: %d answers, want %d", submittedOnly, len(all), want)
			}
			headsMatch(t, heads, all)
			if !submittedOnly {
				f.saveAs(t, "riga", saved.Response.Version, `{"population": 1111}`, true)
				f.saveAs(t, "ogre", 0, `{"population": 3000}`, true)
				wrote = true
				againHeads, again := readRound(t, sn, f.sv.ID, submittedOnly)
				if !maps.Equal(again, all) || !reflect.DeepEqual(againHeads, heads) {
					t.Errorf("the snapshot sees a write made after it was taken")
				}
			}
			before, beforeHeads = all, heads
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		if wrote {
			err = f.s.ReadSnapshot(ctx, func(sn *store.Snapshot) error {
				heads, after := readRound(t, sn, f.sv.ID, submittedOnly)
				headsMatch(t, heads, after)
				if len(after) != len(before)+1 || maps.Equal(after, before) || len(heads) == len(beforeHeads) && reflect.DeepEqual(heads, beforeHeads) {
					t.Errorf("the write is not seen after it: %d answers before, %d after", len(before), len(after))
				}
				return nil
			})
			if err != nil {
				t.Fatal(err)
			}
		}
	}
}

// readForms reads the round whole in sn under key and gives, by response
// id, "form " and the form where a prepared form was given, else "doc "
// and the row version.
func readForms(t *testing.T, f fixture, key store.PreparedKey, submittedOnly bool) map[int64]string {
	t.Helper()
	out := map[int64]string{}
	err := f.s.ReadSnapshot(ctx, func(sn *store.Snapshot) error {
		_, err := sn.RoundWhole(ctx, f.sv.ID, submittedOnly, key, func(_ int, id int64, version string, answers, prepared []byte) error {
			switch {
			case (answers == nil) == (prepared == nil):
				return fmt.Errorf("response %d: answers %q and form %q", id, answers, prepared)
			case prepared != nil:
				out[id] = "form " + string(prepared)
			default:
				out[id] = "doc " + version
			}
			return nil
		})
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// TestRoundWholeGivesFormsKept: a prepared form kept for a response
// (PutPrepared) is given in place of its answers while the response is
// the row version it was made from and the questionnaire and format are
// those asked for; after any write of the response, under another
// questionnaire or format, or for a trend of a response with no
// submitted copy, the answers are given. Forms of responses of another
// round or gone are left out, not an error.
func TestRoundWholeGivesFormsKept(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	for i, code := range []string{"riga", "jurmala", "adazi", "kekava"} {
		f.saveAs(t, code, 0, fmt.Sprintf(`{"population": %d}`, 1000+i), i != 3) // kekava a draft
	}
	key := store.PreparedKey{DefinitionSHA256: "sha1", Format: 7}
	docs := readForms(t, f, key, false)
	if len(docs) != 4 {
		t.Fatalf("%d responses read, want 4: %v", len(docs), docs)
	}
	var forms []store.PreparedForm
	for id, v := range docs {
		forms = append(forms, store.PreparedForm{Response: id, Version: strings.TrimPrefix(v, "doc "), Form: fmt.Appendf(nil, "F%d", id)})
	}
	forms = append(forms, store.PreparedForm{Response: 1 << 40, Version: "1:1", Form: []byte("gone")})
	if err := f.s.PutPrepared(ctx, f.sv.ID, key, forms); err != nil {
		t.Fatal(err)
	}
	got := readForms(t, f, key, false)
	for id := range docs {
		if got[id] != fmt.Sprintf("form F%d", id) {
			t.Fatalf("response %d: %q, want its form", id, got[id])
		}
	}
	// A trend reads the submitted copies: riga, jurmala, adazi.
	if trend := readForms(t, f, key, true); len(trend) != 3 {
		t.Fatalf("the submitted copies: %v", trend)
	} else {
		for id, v := range trend {
			if !strings.HasPrefix(v, "form ") {
				t.Fatalf("submitted copy of %d: %q, want its form", id, v)
			}
		}
	}
	for _, other := range []store.PreparedKey{{DefinitionSHA256: "sha2", Format: 7}, {DefinitionSHA256: "sha1", Format: 8}} {
		for id, v := range readForms(t, f, other, false) {
			if !strings.HasPrefix(v, "doc ") {
				t.Fatalf("under %v, response %d: %q, want its answers", other, id, v)
			}
		}
	}
	// Riga saved again: its answers until a form of the new version is kept.
	riga := f.saveAs(t, "riga", 1, `{"population": 2000}`, false)
	got = readForms(t, f, key, false)
	if v := got[riga.Response.ID]; !strings.HasPrefix(v, "doc ") {
		t.Fatalf("riga after a save: %q, want its answers", v)
	}
	for id, v := range got {
		if id != riga.Response.ID && !strings.HasPrefix(v, "form ") {
			t.Fatalf("response %d after riga's save: %q, want its form", id, v)
		}
	}
	// A form of a round's response kept for another round is left out.
	if err := f.s.PutPrepared(ctx, f.sv.ID+1000, key, forms[:1]); err != nil {
		t.Fatal(err)
	}
	var n int
	if err := f.s.DB().GetContext(ctx, &n, `SELECT count(*) FROM response_prepared WHERE survey_id = $1`, f.sv.ID); err != nil || n != 4 {
		t.Fatalf("%d forms kept for the round (%v), want 4", n, err)
	}
}
