package manage_test

import (
	"testing"

	"github.com/civitas-lv/surveyd/internal/domain"
	"github.com/civitas-lv/surveyd/internal/manage"
	"github.com/civitas-lv/surveyd/reports"
	"github.com/civitas-lv/surveyd/survey"
)

// TestChartsNeverStale: Charts gives the same chart set again while
// nothing it reads changes, and a new one at once after any change: a
// draft saved, an answer submitted, an earlier round's answer corrected,
// a municipality moved to another region.
func TestChartsNeverStale(t *testing.T) {
	t.Parallel()
	e := newTwoRounds(t)
	m, def25, def26, r25, r26 := e.m, e.def25, e.def26, e.r25, e.r26
	r26.PreviousSurveyID = &r25.ID
	answer := func(sv domain.Survey, def *survey.Definition, muni string, population, support int, submit bool) {
		t.Helper()
		e.answer(t, sv, muni, population, support, submit, nil)
	}
	op := domain.OperatorPrincipal()
	all := reports.Filter{Statuses: []string{domain.StatusSubmitted, domain.StatusDraft}}
	charts := func(f reports.Filter) *manage.ChartData {
		t.Helper()
		d, err := m.Charts(ctx, op, r26, def26, f, reports.ChartOptions{Lang: "lv"})
		if err != nil {
			t.Fatal(err)
		}
		return d
	}
	// trendN is how many responses the 2025 round's median of
	// ind_ngo_eur_per_resident is over, in the trend chart.
	trendN := func(d *manage.ChartData) float64 {
		t.Helper()
		c := d.Set.Chart("trend-ind_ngo_eur_per_resident")
		if c == nil {
			t.Fatal("no trend chart")
		}
		return c.Table.Rows[0][1].Value
	}
	answer(r25, def25, "cesis", 1000, 2000, true)
	answer(r26, def26, "cesis", 1000, 3000, true)

	d := charts(reports.Filter{})
	if again := charts(reports.Filter{}); again != d {
		t.Fatal("nothing changed, yet the charts were made again")
	}
	if d.Summary.Responses != 1 || trendN(d) != 1 {
		t.Fatalf("%d responses, trend over %v", d.Summary.Responses, trendN(d))
	}
	da := charts(all)
	if da == d || da.Summary.Responses != 1 {
		t.Fatalf("submitted and drafts: %d responses (the same set: %v)", da.Summary.Responses, da == d)
	}

	answer(r26, def26, "riga", 2000, 4000, false) // a draft
	if n := charts(all).Summary.Responses; n != 2 {
		t.Errorf("after a draft, submitted and drafts: %d responses, want 2", n)
	}
	if n := charts(reports.Filter{}).Summary.Responses; n != 1 {
		t.Errorf("after a draft, submitted: %d responses, want 1", n)
	}
	answer(r26, def26, "riga", 2000, 4000, true) // submitted
	if d := charts(reports.Filter{}); d.Summary.Responses != 2 || d.Rate.Submitted != 2 {
		t.Errorf("after a submit: %d responses, %d submitted, want 2 and 2", d.Summary.Responses, d.Rate.Submitted)
	}
	answer(r25, def25, "riga", 2000, 12000, true) // the earlier round
	if n := trendN(charts(reports.Filter{})); n != 2 {
		t.Errorf("after an answer in the earlier round, its trend is over %v responses, want 2", n)
	}
	d = charts(reports.Filter{})
	if _, err := m.Store.DB().ExecContext(ctx, `UPDATE municipalities SET planning_region = 'Jauns reģions' WHERE code = 'riga'`); err != nil {
		t.Fatal(err)
	}
	after := charts(reports.Filter{})
	found := false
	for _, g := range after.Summary.Regions {
		found = found || g.Name == "Jauns reģions"
	}
	if after == d || !found {
		t.Errorf("after a municipality moved, the regions are %v", after.Regions)
	}
}
