package reports

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"github.com/civitas-lv/surveyd/internal/domain"
	"github.com/civitas-lv/surveyd/survey"
)

// TestTrendChartLegend: a choice question's trend chart lists every
// option in its legend, one under another below the plot, with room made
// for it (a legend that pages hides lines on paper and in a saved PNG);
// past the eight colours the lines are dashed.
func TestTrendChartLegend(t *testing.T) {
	var opts []string
	for i := 1; i <= 10; i++ {
		opts = append(opts, fmt.Sprintf(`{code: o%d, text: {lv: "Variants %d", en: "Option %d"}}`, i, i, i))
	}
	def := func(slug string, year int) *survey.Definition {
		d, err := survey.Parse([]byte(fmt.Sprintf(`format: 1
slug: %s
title: {lv: T, en: T}
reference_year: %d
sections:
  - code: s
    title: {lv: S, en: S}
    questions:
      - {code: q, type: single, text: {lv: Q, en: Q}, options: [%s]}
`, slug, year, strings.Join(opts, ", "))), slug)
		if err != nil {
			t.Fatal(err)
		}
		return d
	}
	rows := source([]Row{testRow(t, "m1", "Vidzeme", "novads", domain.StatusSubmitted, `{"q": "o9"}`)})
	tr, err := Trends([]TrendRound{{Slug: "t-2025", Definition: def("t-2025", 2025), Rows: rows}, {Slug: "t-2026", Definition: def("t-2026", 2026), Rows: rows}})
	if err != nil {
		t.Fatal(err)
	}
	sec, err := BuildTrendCharts(context.Background(), tr, ChartOptions{Lang: "lv"})
	if err != nil || sec == nil || len(sec.Charts) != 1 {
		t.Fatalf("section %+v %v", sec, err)
	}
	c := sec.Charts[0]
	var o struct {
		Legend struct {
			Type, Orient, Bottom string
			Show                 bool
		}
		Grid   []struct{ Bottom string }
		Series []struct {
			Name      string
			LineStyle struct{ Type string } `json:"lineStyle"`
		}
	}
	if err := json.Unmarshal([]byte(c.Option), &o); err != nil {
		t.Fatal(err)
	}
	if !o.Legend.Show || o.Legend.Type != "plain" || o.Legend.Orient != "vertical" || o.Legend.Bottom != "0" {
		t.Errorf("legend %+v", o.Legend)
	}
	// Ten lines of 24 px below the plot, and the plot's 300 px.
	if len(o.Grid) != 1 || o.Grid[0].Bottom != "256" || c.Height != 540 {
		t.Errorf("grid %+v, height %d", o.Grid, c.Height)
	}
	if len(o.Series) != 10 {
		t.Fatalf("%d series", len(o.Series))
	}
	for k, s := range o.Series {
		if dashed := s.LineStyle.Type == "dashed"; dashed != (k >= 8) {
			t.Errorf("series %d (%s): line %q", k, s.Name, s.LineStyle.Type)
		}
	}
}
