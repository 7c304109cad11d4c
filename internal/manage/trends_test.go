package manage_test

import (
	"bytes"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"github.com/civitas-lv/surveyd/internal/domain"
	"github.com/civitas-lv/surveyd/internal/manage"
	"github.com/civitas-lv/surveyd/reports"
	"github.com/civitas-lv/surveyd/survey"
)

// TestExportTrendsFollowTheSourceRound: the workbook of a round made from
// an earlier one has the sheet Dinamika over both, with the earlier
// round's submitted answers only, and its charts the section Dinamika; a
// round with no source has neither.
func TestExportTrendsFollowTheSourceRound(t *testing.T) {
	t.Parallel()
	e := newTwoRounds(t)
	m, def25, def26, r25, r26 := e.m, e.def25, e.def26, e.r25, e.r26
	answer := func(sv domain.Survey, def *survey.Definition, muni string, population, support int, submit bool) {
		t.Helper()
		e.answer(t, sv, muni, population, support, submit, nil)
	}
	// ind_ngo_eur_per_resident = ngo_support_eur / population.
	// 2025: 2000/1000 = 2 and 12000/2000 = 6 → median 4; the draft (100
	// per resident) does not count. 2026: 3000/1000 = 3 → median 3.
	answer(r25, def25, "cesis", 1000, 2000, true)
	answer(r25, def25, "riga", 2000, 12000, true)
	answer(r25, def25, "valmiera", 10, 1000, false)
	answer(r26, def26, "cesis", 1000, 3000, true)

	export := func(sv domain.Survey) *excelize.File {
		t.Helper()
		var b bytes.Buffer
		if _, err := m.Export(ctx, domain.OperatorPrincipal(), &b, sv, def26, manage.ExportOptions{}); err != nil {
			t.Fatal(err)
		}
		f, err := excelize.OpenReader(&b)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { f.Close() })
		return f
	}
	if slices.Contains(export(r26).GetSheetList(), reports.SheetTrend) {
		t.Error("a round with no source has the trend sheet")
	}
	linked := r26
	linked.PreviousSurveyID = &r25.ID
	f := export(linked)
	rows, err := f.GetRows(reports.SheetTrend, excelize.Options{RawCellValue: true})
	if err != nil {
		t.Fatal(err)
	}
	found := false
	for _, r := range rows {
		if len(r) > 10 && strings.HasPrefix(r[8], "ind_ngo_eur_per_resident") {
			found = true
			if r[9] != "4" || r[10] != "3" {
				t.Errorf("medians %q, want 4 and 3", r[8:11])
			}
		}
		if len(r) > 0 && strings.HasPrefix(r[0], "Valmier") {
			t.Errorf("a draft is in the trend: %q", r)
		}
	}
	if !found {
		t.Errorf("no median row for ind_ngo_eur_per_resident: %q", rows)
	}

	// The charts: the section Dinamika last, only for the linked round.
	trendSection := func(sv domain.Survey) *reports.ChartSection {
		t.Helper()
		d, err := m.Charts(ctx, domain.OperatorPrincipal(), sv, def26, reports.Filter{}, reports.ChartOptions{Lang: "lv"})
		if err != nil {
			t.Fatal(err)
		}
		if last := d.Set.Sections[len(d.Set.Sections)-1]; last.Code == reports.TrendSectionCode {
			return last
		}
		return nil
	}
	if trendSection(r26) != nil {
		t.Error("a round with no source has the Dinamika charts")
	}
	sec := trendSection(linked)
	if sec == nil {
		t.Fatal("no Dinamika section for a round made from another")
	}
	var ind *reports.Chart
	for _, c := range sec.Charts {
		if c.ID == "trend-ind_ngo_eur_per_resident" {
			ind = c
		}
	}
	if ind == nil || len(ind.Table.Rows) != 2 || ind.Table.Rows[0][1].Value != 2 || ind.Table.Rows[0][2].Value != 4 ||
		ind.Table.Rows[1][2].Value != 3 {
		t.Errorf("indicator trend chart: %+v", ind)
	}

	// Cēsis' feedback shows its own 2025 answers beside 2026's, only for
	// the linked round.
	previous := func(sv domain.Survey) map[string]string {
		t.Helper()
		f, err := m.Feedback(ctx, domain.OperatorPrincipal(), sv, "cesis", "lv")
		if err != nil {
			t.Fatal(err)
		}
		out := map[string]string{}
		for _, s := range f.Sections {
			for _, it := range s.Items {
				if it.PrevText != "" {
					out[it.Code] = strconv.Itoa(it.PrevYear) + " " + it.PrevText
				}
			}
		}
		return out
	}
	if got := previous(r26); len(got) != 0 {
		t.Errorf("a round with no source shows previous answers: %v", got)
	}
	// ngo_support_eur is answered but was not shown (its show_if): only
	// population and the indicator have a 2025 answer to show.
	got := previous(linked)
	if got["ind_ngo_eur_per_resident"] != "2025 2,00\u00a0EUR" || got["population"] != "2025 1000" || len(got) != 2 {
		t.Errorf("Cēsis' previous answers %q, want population and the indicator", got)
	}
}
