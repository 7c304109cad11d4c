package reports

import (
	"context"
	"math/rand/v2"

	"github.com/civitas-lv/surveyd/internal/domain"
	"github.com/civitas-lv/surveyd/survey"
)

// WarmCharts builds the charts of a few made-up responses to def (and a
// trend over two rounds of them) and throws them away. What a process
// pays once, the first time it builds charts — encoding/json working out
// how to write each of go-echarts' option types, the first run of the
// code that prepares answers documents (Preparer), the first allocations
// of a small heap — is then paid at start-up, before the first request,
// which still reads its rows and builds its own charts from them. Nothing
// built here is kept.
func WarmCharts(ctx context.Context, def *survey.Definition) error {
	rng := rand.New(rand.NewPCG(1, 2))
	rows := make([]Row, 0, 4)
	pr := NewPreparer(def)
	for i := range cap(rows) {
		a, err := def.Synthesize(rng, nil)
		if err != nil {
			return err
		}
		// Prepared from the answers' JSON, as the charts prepare a
		// round's answers read.
		data, err := survey.MarshalAnswers(a)
		if err != nil {
			return err
		}
		p, err := pr.Prepare(data)
		if err != nil {
			return err
		}
		region := []string{"Kurzeme", "Latgale"}[i%2]
		rows = append(rows, Row{Municipality: domain.Municipality{Code: "warm", Kind: "novads", PlanningRegion: region,
			StatisticalRegion: region}, Status: domain.StatusSubmitted, Answers: a, Prepared: p})
	}
	all := func(yield func(Row, error) bool) {
		for _, r := range rows {
			if !yield(r, nil) {
				return
			}
		}
	}
	s, err := Aggregate(def, all, Filter{})
	if err != nil {
		return err
	}
	o := ChartOptions{Lang: "lv", Rate: []RateTally{{Name: "Kurzeme", Submitted: 2, Total: 3}, {Name: "Latgale", Submitted: 2, Total: 2}}}
	if _, err := BuildChartsContext(ctx, s, o); err != nil {
		return err
	}
	t, err := TrendSeries([]TrendRound{{Slug: "warm-1", Definition: def, ReferenceYear: def.ReferenceYear - 1, Rows: all},
		{Slug: "warm-2", Definition: def, ReferenceYear: def.ReferenceYear, Summary: s, Rows: all}})
	if err != nil {
		return err
	}
	_, err = BuildTrendCharts(ctx, t, o)
	return err
}
