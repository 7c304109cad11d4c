package store_test

import (
	"fmt"
	"maps"
	"reflect"
	"sync"
	"testing"

	"github.com/civitas-lv/surveyd/internal/store"
	"github.com/civitas-lv/surveyd/internal/store/storetest"
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

// readParts reads the round's heads in sns[0] and its answers, part k of
// len(sns) in sns[k], all parts at once; each part's answers apart.
func readParts(t *testing.T, sns []*store.Snapshot, surveyID int64, submittedOnly bool) ([]store.ChartHead, []roundAnswers) {
	t.Helper()
	parts := make([]roundAnswers, len(sns))
	errs := make([]error, len(sns))
	var heads []store.ChartHead
	var wg sync.WaitGroup
	for k, sn := range sns {
		parts[k] = roundAnswers{}
		wg.Go(func() {
			if k == 0 {
				if heads, errs[k] = sn.ChartHeads(ctx, surveyID, submittedOnly); errs[k] != nil {
					return
				}
			}
			errs[k] = sn.EachRoundAnswers(ctx, surveyID, submittedOnly, k, len(sns), func(id int64, version string, answers []byte) error {
				if _, twice := parts[k][id]; twice {
					return fmt.Errorf("response %d read twice", id)
				}
				parts[k][id] = version + " " + string(answers)
				return nil
			})
		})
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	return heads, parts
}

// union is the parts' answers together; it fails when a response is in
// two parts.
func union(t *testing.T, parts []roundAnswers) roundAnswers {
	t.Helper()
	all := roundAnswers{}
	for k, p := range parts {
		for id, a := range p {
			if _, twice := all[id]; twice {
				t.Fatalf("response %d is in two parts (the second: %d)", id, k)
			}
			all[id] = a
		}
	}
	return all
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

// TestSpreadReadsTheRoundAsOneConnection: a round's answers read in two
// and in three parts over as many connections that share one snapshot
// (Spread) are
// exactly those read on one connection — every response once, no part
// empty, each of the version its head names — for the round's own
// answers and for its submitted ones.
func TestSpreadReadsTheRoundAsOneConnection(t *testing.T) {
	f := newFixture(t)
	for i, code := range []string{"riga", "jurmala", "adazi", "kekava", "marupe", "olaine", "ropazi", "salaspils", "sigulda", "liepaja"} {
		f.saveAs(t, code, 0, fmt.Sprintf(`{"population": %d, "resp_name": "Līga Bērziņa"}`, 1000+i), i%4 != 0)
	}
	for _, submittedOnly := range []bool{false, true} {
		var heads []store.ChartHead
		var one roundAnswers
		err := f.s.ReadSnapshot(ctx, func(sn *store.Snapshot) error {
			var parts []roundAnswers
			heads, parts = readParts(t, []*store.Snapshot{sn}, f.sv.ID, submittedOnly)
			one = parts[0]
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		if want := map[bool]int{false: 10, true: 7}[submittedOnly]; len(one) != want {
			t.Fatalf("submitted only %v: %d answers on one connection, want %d", submittedOnly, len(one), want)
		}
		headsMatch(t, heads, one)
		for _, n := range []int{2, 3} {
			err = f.s.ReadSnapshot(ctx, func(sn *store.Snapshot) error {
				sns, err := sn.Spread(ctx, n)
				if err != nil {
					return err
				}
				if len(sns) != n || sns[0] != sn || sns[1] == sn {
					t.Fatalf("Spread(%d) gave %d snapshots", n, len(sns))
				}
				again, err := sn.Spread(ctx, n)
				if err != nil {
					return err
				}
				if len(again) != n || again[1] != sns[1] {
					t.Fatal("Spread opened another connection the second time")
				}
				spreadHeads, parts := readParts(t, sns, f.sv.ID, submittedOnly)
				for k, p := range parts {
					if len(p) == 0 {
						t.Fatalf("submitted only %v: part %d of %d is empty", submittedOnly, k, n)
					}
				}
				if all := union(t, parts); !maps.Equal(all, one) {
					t.Fatalf("submitted only %v: %d connections read\n%v\none read\n%v", submittedOnly, n, all, one)
				}
				if !reflect.DeepEqual(spreadHeads, heads) {
					t.Fatalf("submitted only %v: the heads differ", submittedOnly)
				}
				return nil
			})
			if err != nil {
				t.Fatal(err)
			}
		}
	}
}

// TestSpreadSeesOneState: a write committed after the first connection's
// snapshot was taken and exported, before the second connection imports
// it, is seen by neither — neither the changed answers nor the response
// added nor the status — while a read after it sees it.
func TestSpreadSeesOneState(t *testing.T) {
	f := newFixture(t)
	saved := f.saveAs(t, "riga", 0, `{"population": 1000}`, false)
	f.saveAs(t, "jurmala", 0, `{"population": 2000}`, true)
	read := func() ([]store.ChartHead, roundAnswers) {
		t.Helper()
		var heads []store.ChartHead
		var one roundAnswers
		err := f.s.ReadSnapshot(ctx, func(sn *store.Snapshot) error {
			var parts []roundAnswers
			heads, parts = readParts(t, []*store.Snapshot{sn}, f.sv.ID, false)
			one = parts[0]
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		return heads, one
	}
	beforeHeads, before := read()
	wrote := false
	store.SetAfterExport(f.s, func() {
		if wrote {
			return
		}
		wrote = true
		f.saveAs(t, "riga", saved.Response.Version, `{"population": 1111}`, true)
		f.saveAs(t, "adazi", 0, `{"population": 3000}`, true)
	})
	err := f.s.ReadSnapshot(ctx, func(sn *store.Snapshot) error {
		sns, err := sn.Spread(ctx, 2) // the export is the transaction's first statement
		if err != nil {
			return err
		}
		if !wrote || len(sns) != 2 {
			t.Fatalf("the write ran: %v; %d snapshots", wrote, len(sns))
		}
		// Each connection reads the whole round (one part of one).
		for k, s := range sns {
			heads, parts := readParts(t, []*store.Snapshot{s}, f.sv.ID, false)
			if !maps.Equal(parts[0], before) || !reflect.DeepEqual(heads, beforeHeads) {
				t.Errorf("connection %d sees another state than before the write:\n%v\nwant\n%v", k, parts[0], before)
			}
		}
		heads, parts := readParts(t, sns, f.sv.ID, false)
		all := union(t, parts)
		headsMatch(t, heads, all)
		if !maps.Equal(all, before) {
			t.Errorf("the two connections see another state than before the write:\n%v\nwant\n%v", all, before)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	store.SetAfterExport(f.s, nil)
	afterHeads, after := read()
	headsMatch(t, afterHeads, after)
	if len(after) != len(before)+1 || maps.Equal(after, before) {
		t.Fatalf("the write is not seen after it: %d answers before, %d after", len(before), len(after))
	}
}

// TestSpreadSmallPool: from a pool of fewer than four connections Spread
// gives the snapshot alone (a reader holding one connection and waiting
// for more could otherwise wait on another doing the same), from one of
// four two at most, and the round's answers read in one part there are
// those read beside it.
func TestSpreadSmallPool(t *testing.T) {
	dsn := storetest.NewDatabase(t)
	for _, c := range []struct{ pool, want int }{{1, 1}, {3, 1}, {4, 2}, {6, 3}} {
		s, err := store.OpenWith(ctx, dsn, store.Options{MaxConns: c.pool})
		if err != nil {
			t.Fatal(err)
		}
		err = s.ReadSnapshot(ctx, func(sn *store.Snapshot) error {
			sns, err := sn.Spread(ctx, 3)
			if err != nil {
				return err
			}
			if len(sns) != c.want || sns[0] != sn {
				t.Errorf("pool of %d: Spread(3) gave %d snapshots, want %d", c.pool, len(sns), c.want)
			}
			return nil
		})
		s.Close()
		if err != nil {
			t.Fatal(err)
		}
	}
}

// TestRoundAnswerCount: the count that decides whether the charts spread
// a round's read is the number of documents EachRoundAnswers reads — all
// the round's responses, or its submitted ones.
func TestRoundAnswerCount(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	f.saveAs(t, "riga", 0, `{"population": 1}`, true)
	f.saveAs(t, "ogre", 0, `{"population": 2}`, false)
	f.saveAs(t, "cesis", 0, `{"population": 3}`, true)
	err := f.s.ReadSnapshot(ctx, func(sn *store.Snapshot) error {
		for _, submittedOnly := range []bool{false, true} {
			n, err := sn.RoundAnswerCount(ctx, f.sv.ID, submittedOnly)
			if err != nil {
				return err
			}
			read := 0
			if err := sn.EachRoundAnswers(ctx, f.sv.ID, submittedOnly, 0, 1, func(int64, string, []byte) error { read++; return nil }); err != nil {
				return err
			}
			if n != read || n != map[bool]int{false: 3, true: 2}[submittedOnly] {
				t.Errorf("submitted only %v: counted %d, read %d", submittedOnly, n, read)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}
