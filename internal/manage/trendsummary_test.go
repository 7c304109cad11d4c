package manage_test

import (
	"encoding/json"
	"testing"

	"github.com/civitas-lv/surveyd/internal/domain"
	"github.com/civitas-lv/surveyd/internal/manage"
	"github.com/civitas-lv/surveyd/reports"
	"github.com/civitas-lv/surveyd/survey"
)

// TestTrendSummaryKeptAcrossStarts: the earlier round's aggregate made for
// the trends is kept in the database, so that a Manager just made (a
// server just started) shows the same charts reading only the later
// round's answers; it is read only for the very rows it was made from —
// after a change to the earlier round, or when what is kept does not
// decode, the round is read again, the charts are those made with nothing
// kept anywhere, and what is kept is replaced.
func TestTrendSummaryKeptAcrossStarts(t *testing.T) {
	t.Parallel()
	e := newTwoRounds(t)
	st, r25, r26, def26 := e.m.Store, e.r25, e.r26, e.def26
	r26.PreviousSurveyID = &r25.ID
	for i, c := range []string{"cesis", "riga", "valmiera", "ventspils", "jelgava", "liepaja"} {
		rules := []string{"adopted", "drafting", "none"}[i%3]
		e.answer(t, r25, c, 1000*(i+1), 500*(i+2), true, survey.Answers{"ngo_rules": rules})
		e.answer(t, r26, c, 1100*(i+1), 700*(i+2), i%3 != 2, survey.Answers{"ngo_rules": "adopted"})
	}
	op := domain.OperatorPrincipal()
	filters := []reports.Filter{{}, {PlanningRegion: "Vidzemes"},
		{Statuses: []string{domain.StatusSubmitted, domain.StatusDraft}}} // the last: the same earlier rows as {}
	shown := func(m *manage.Manager, f reports.Filter) string {
		t.Helper()
		d, err := m.Charts(ctx, op, r26, def26, f, reports.ChartOptions{Lang: "lv"})
		if err != nil {
			t.Fatal(err)
		}
		if d.Set.Chart("trend-ind_ngo_eur_per_resident") == nil || d.Set.Chart("trend-ngo_rules") == nil {
			t.Fatalf("filter %+v: no trend charts", f)
		}
		set, err := json.Marshal(d.Set)
		if err != nil {
			t.Fatal(err)
		}
		return string(set)
	}
	kept := func() int {
		t.Helper()
		var n int
		if err := st.DB().GetContext(ctx, &n, `SELECT count(*) FROM trend_summaries WHERE survey_id = $1`, r25.ID); err != nil {
			t.Fatal(err)
		}
		return n
	}
	// afresh is what a Manager shows with nothing kept anywhere; what it
	// makes is kept again.
	afresh := func(f reports.Filter) string {
		t.Helper()
		if _, err := st.DB().ExecContext(ctx, `DELETE FROM trend_summaries`); err != nil {
			t.Fatal(err)
		}
		m := &manage.Manager{Store: st}
		s := shown(m, f)
		if n := manage.ChartAnswersDecoded(m); n != 12 {
			t.Fatalf("with nothing kept, %d answers decoded, want 12 (6 in each round)", n)
		}
		return s
	}
	// started checks that a Manager just made shows want under f and
	// reads the earlier round's answers (decoded 12) or not (6).
	started := func(step string, f reports.Filter, want string, decoded int64) {
		t.Helper()
		m := &manage.Manager{Store: st}
		if got := shown(m, f); got != want {
			t.Errorf("%s, filter %+v: the charts differ from those made with nothing kept:\n got %.400s\nwant %.400s", step, f, got, want)
		}
		if n := manage.ChartAnswersDecoded(m); n != decoded {
			t.Errorf("%s, filter %+v: %d answers decoded, want %d", step, f, n, decoded)
		}
	}

	want := make([]string, len(filters))
	for i, f := range filters {
		want[i] = afresh(f)
	}
	if n := kept(); n != 1 {
		t.Fatalf("%d summaries kept after the last filter made afresh, want 1", n)
	}
	m := &manage.Manager{Store: st}
	for _, f := range filters {
		shown(m, f)
	}
	if n := kept(); n != 2 {
		t.Fatalf("%d summaries kept for three filters, two of the earlier round's rows, want 2", n)
	}
	for i, f := range filters {
		started("a start", f, want[i], 6)
	}

	// A change in the earlier round: what is kept is for other rows. (The
	// summaries kept before it are put back after the charts are made
	// afresh, so that they are what a start finds.)
	if _, err := st.DB().ExecContext(ctx, `CREATE TABLE stale_summaries AS SELECT * FROM trend_summaries`); err != nil {
		t.Fatal(err)
	}
	e.answer(t, r25, "cesis", 5, 777777, true, survey.Answers{"ngo_rules": "none"})
	now := []string{afresh(filters[0]), afresh(filters[1])}
	if now[0] == want[0] || now[1] == want[1] {
		t.Fatal("the change in the earlier round changes no chart")
	}
	if _, err := st.DB().ExecContext(ctx, `DELETE FROM trend_summaries; INSERT INTO trend_summaries SELECT * FROM stale_summaries`); err != nil {
		t.Fatal(err)
	}
	for i, f := range filters[:2] {
		started("after a change in the earlier round", f, now[i], 12)
		started("after a change in the earlier round, made again", f, now[i], 6)
	}
	if n := kept(); n != 2 {
		t.Errorf("%d summaries kept after both were made again, want 2 (one per filter)", n)
	}

	// What is kept does not decode (written by other code, say): made again.
	if _, err := st.DB().ExecContext(ctx, `UPDATE trend_summaries SET summary = '{"format":1,"responses":3}'`); err != nil {
		t.Fatal(err)
	}
	started("what is kept does not fit", filters[0], now[0], 12)
	started("what is kept made again", filters[0], now[0], 6)
}
