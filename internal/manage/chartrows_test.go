package manage_test

import (
	"encoding/json"
	"fmt"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/civitas-lv/surveyd/internal/domain"
	"github.com/civitas-lv/surveyd/internal/manage"
	"github.com/civitas-lv/surveyd/internal/store"
	"github.com/civitas-lv/surveyd/reports"
	"github.com/civitas-lv/surveyd/survey"
)

// TestChartsKeptAnswersNeverStale: with the answers Charts decoded kept
// (and the earlier round's aggregates), the charts after a change are
// the ones a Manager that keeps nothing makes — after a save of one
// response, a change in the earlier round, a personal-data erasure, a
// response removed (as replacing a round's questionnaire removes them)
// in either round, and a municipality moved to another region — under
// several filters; and a save costs the one response it wrote, not the
// round.
func TestChartsKeptAnswersNeverStale(t *testing.T) {
	t.Parallel()
	e := newTwoRounds(t)
	m, def25, def26, r25, r26 := e.m, e.def25, e.def26, e.r25, e.r26
	r26.PreviousSurveyID = &r25.ID
	answer := func(sv domain.Survey, def *survey.Definition, muni string, population, support int, submit bool, extra survey.Answers) {
		t.Helper()
		e.answer(t, sv, muni, population, support, submit, extra)
	}
	munis := []string{"cesis", "riga", "valmiera", "ventspils", "jelgava", "liepaja"}
	for i, c := range munis {
		answer(r25, def25, c, 1000*(i+1), 500*(i+2), true, nil)
		var extra survey.Answers
		if c == "valmiera" {
			extra = survey.Answers{"resp_name": "Zelma Distinktīvā", "resp_email": "zelma@valmiera.lv", "consent_contact": true}
		}
		answer(r26, def26, c, 1100*(i+1), 700*(i+2), i%3 != 2, extra)
	}

	op := domain.OperatorPrincipal()
	filters := []reports.Filter{{}, {Statuses: []string{domain.StatusSubmitted, domain.StatusDraft}},
		{PlanningRegion: "Vidzemes"}, {PlanningRegion: "Rīgas"}, {Kind: "novads", Statuses: []string{domain.StatusSubmitted, domain.StatusNone}}}
	// digest is what a page shows of a chart set.
	digest := func(d *manage.ChartData) string {
		t.Helper()
		set, err := json.Marshal(d.Set)
		if err != nil {
			t.Fatal(err)
		}
		return fmt.Sprintf("%d %+v %q %q %s", d.Summary.Responses, d.Rate, d.Regions, d.StatRegions, set)
	}
	// check compares every filter's charts with a fresh Manager's.
	check := func(step string) {
		t.Helper()
		for _, f := range filters {
			got, err := m.Charts(ctx, op, r26, def26, f, reports.ChartOptions{Lang: "lv"})
			if err != nil {
				t.Fatal(err)
			}
			// Nothing kept: not in memory, nor the earlier round's
			// aggregate in the database.
			if _, err := m.Store.DB().ExecContext(ctx, `DELETE FROM trend_summaries`); err != nil {
				t.Fatal(err)
			}
			fresh := &manage.Manager{Store: m.Store}
			want, err := fresh.Charts(ctx, op, r26, def26, f, reports.ChartOptions{Lang: "lv"})
			if err != nil {
				t.Fatal(err)
			}
			if g, w := digest(got), digest(want); g != w {
				t.Errorf("%s, filter %+v: the charts differ from those made afresh:\n got %.600s\nwant %.600s", step, f, g, w)
			}
		}
	}
	decoded := func() int64 { return manage.ChartAnswersDecoded(m) }
	trendN := func() float64 {
		t.Helper()
		d, err := m.Charts(ctx, op, r26, def26, reports.Filter{}, reports.ChartOptions{Lang: "lv"})
		if err != nil {
			t.Fatal(err)
		}
		c := d.Set.Chart("trend-ind_ngo_eur_per_resident")
		if c == nil {
			t.Fatal("no trend chart")
		}
		return c.Table.Rows[0][1].Value
	}

	check("warm")
	if n := decoded(); n != 12 {
		t.Fatalf("warming decoded %d answers, want 12 (6 in each round)", n)
	}
	if trendN() != 6 {
		t.Fatalf("the 2025 trend is over %v responses, want 6", trendN())
	}

	before := decoded()
	answer(r26, def26, "riga", 9999, 123456, true, nil)
	check("a save")
	if n := decoded() - before; n != 1 {
		t.Errorf("after a save of one response, %d answers decoded, want 1", n)
	}

	before = decoded()
	answer(r25, def25, "cesis", 5, 777777, true, nil)
	check("an earlier round's answer")
	if n := decoded() - before; n != 1 {
		t.Errorf("after a save in the earlier round, %d answers decoded, want 1", n)
	}

	before = decoded()
	if _, e, err := m.ErasePerson(ctx, op, domain.PersonQuery{Email: "zelma@valmiera.lv"}); err != nil || e.Responses != 1 {
		t.Fatalf("erasing: %+v, %v", e, err)
	}
	check("a personal-data erasure")
	if n := decoded() - before; n != 1 {
		t.Errorf("after an erasure in one response, %d answers decoded, want 1", n)
	}

	kept := manage.ChartAnswersKept(m)
	for _, sv := range []domain.Survey{r26, r25} {
		if _, err := m.Store.DB().ExecContext(ctx, `DELETE FROM responses WHERE survey_id = $1 AND municipality_code = 'jelgava'`, sv.ID); err != nil {
			t.Fatal(err)
		}
		check("a response removed from " + sv.Slug)
	}
	if trendN() != 5 {
		t.Errorf("after a response removed from the earlier round, its trend is over %v responses, want 5", trendN())
	}
	if k := manage.ChartAnswersKept(m); k != kept-2 {
		t.Errorf("after two responses removed, %d answers kept, want %d", k, kept-2)
	}

	before = decoded()
	if _, err := m.Store.DB().ExecContext(ctx, `UPDATE municipalities SET planning_region = 'Jauns reģions' WHERE code = 'riga'`); err != nil {
		t.Fatal(err)
	}
	check("a municipality moved")
	d, err := m.Charts(ctx, op, r26, def26, reports.Filter{}, reports.ChartOptions{Lang: "lv"})
	if err != nil {
		t.Fatal(err)
	}
	found := false
	for _, g := range d.Summary.Regions {
		found = found || g.Name == "Jauns reģions"
	}
	if !found {
		t.Errorf("after a municipality moved, the regions are %v", d.Regions)
	}
	if n := decoded() - before; n != 0 {
		t.Errorf("a municipality moved: %d answers decoded, want none", n)
	}
}

// TestChartRoundWholeSameAsHeadsThenAnswers: a round read whole in one
// statement (what Charts does when none of its answers are kept) gives
// the rows that its heads and then their answers give (what it does
// when some are kept) — submitted responses, drafts, none, and a
// round's submitted responses alone as a trend reads them — and the
// aggregates of both are the same.
func TestChartRoundWholeSameAsHeadsThenAnswers(t *testing.T) {
	t.Parallel()
	e := newTwoRounds(t)
	for i, c := range []string{"cesis", "riga", "valmiera", "ventspils", "jelgava", "liepaja", "ogre"} {
		e.answer(t, e.r26, c, 1100*(i+1), 700*(i+2), i%3 != 2, nil)
	}
	for _, submittedOnly := range []bool{false, true} {
		whole, wholeHeads, err := manage.ReadChartRound(ctx, e.m, e.r26.ID, e.def26, submittedOnly, true)
		if err != nil {
			t.Fatal(err)
		}
		split, splitHeads, err := manage.ReadChartRound(ctx, e.m, e.r26.ID, e.def26, submittedOnly, false)
		if err != nil {
			t.Fatal(err)
		}
		// The two read the heads in another order: compared by code.
		byCode(whole, wholeHeads)
		byCode(split, splitHeads)
		if !reflect.DeepEqual(wholeHeads, splitHeads) {
			t.Fatalf("submitted only %v: the heads differ", submittedOnly)
		}
		if len(whole) != len(split) || len(whole) == 0 {
			t.Fatalf("submitted only %v: %d rows whole, %d heads first", submittedOnly, len(whole), len(split))
		}
		prepared := 0
		for i := range whole {
			w, s := whole[i], split[i]
			if w.Municipality != s.Municipality || w.Status != s.Status || !reflect.DeepEqual(w.Answers, s.Answers) ||
				(w.Prepared == nil) != (s.Prepared == nil) {
				t.Fatalf("submitted only %v, row %d: %+v, heads first %+v", submittedOnly, i, w, s)
			}
			if w.Prepared != nil {
				prepared++
			}
		}
		if want := map[bool]int{false: 7, true: 5}[submittedOnly]; prepared != want {
			t.Fatalf("submitted only %v: %d rows prepared, want %d", submittedOnly, prepared, want)
		}
		for _, f := range []reports.Filter{{}, {Statuses: []string{domain.StatusSubmitted, domain.StatusDraft, domain.StatusNone}}} {
			sw, err := reports.Aggregate(e.def26, rowsOf(whole), f)
			if err != nil {
				t.Fatal(err)
			}
			ss, err := reports.Aggregate(e.def26, rowsOf(split), f)
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(sw, ss) {
				t.Fatalf("submitted only %v, filter %+v: the aggregates differ", submittedOnly, f)
			}
		}
	}
}

// byCode sorts heads, and the rows made of them alike, by municipality.
func byCode(rows []reports.Row, heads []store.ChartHead) {
	idx := make([]int, len(heads))
	for i := range idx {
		idx[i] = i
	}
	slices.SortFunc(idx, func(a, b int) int { return strings.Compare(heads[a].Code, heads[b].Code) })
	r, h := slices.Clone(rows), slices.Clone(heads)
	for i, j := range idx {
		rows[i], heads[i] = r[j], h[j]
	}
}

// rowsOf yields rows.
func rowsOf(rows []reports.Row) reports.Rows {
	return func(yield func(reports.Row, error) bool) {
		for _, r := range rows {
			if !yield(r, nil) {
				return
			}
		}
	}
}
