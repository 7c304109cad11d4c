package reports

import (
	"context"
	"io"
	"math/rand/v2"
	"time"

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
	rows, err := warmRows(def)
	if err != nil {
		return err
	}
	all := warmSource(rows)()
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

// WarmWorkbook writes a workbook of the same made-up responses to def, as
// a coordinator's export in Latvian, with cache (XLSXOptions.Cache), and
// throws it away. What a process pays once, the first time it writes a
// workbook — excelize's and encoding/xml's first run over a workbook's
// types, making the compressors (some 1 MB each: the cache keeps them for
// the next workbook), the first allocations of the heap — is then paid
// at start-up. The parts that depend only on the questionnaire and the
// language (the styles, the theme, the codebook) come out as any
// workbook's with the cache and are kept there, as a first export would
// keep them; so are the charts' parts of the made-up figures, until parts
// used more recently push them out. The first export still reads its
// round's rows and writes every sheet from them.
func WarmWorkbook(ctx context.Context, def *survey.Definition, cache *XLSXCache) error {
	rows, err := warmRows(def)
	if err != nil {
		return err
	}
	opt := XLSXOptions{Lang: "lv", Personal: true, Cache: cache, Generated: time.Now(), TimeZone: time.UTC}
	return WriteXLSXContext(ctx, io.Discard, def, warmSource(rows), opt)
}

// warmSource yields rows, every time.
func warmSource(rows []Row) Source {
	return func() Rows {
		return func(yield func(Row, error) bool) {
			for _, r := range rows {
				if !yield(r, nil) {
					return
				}
			}
		}
	}
}

// warmRows are four made-up submitted responses to def, with their
// answers and their answers prepared from JSON (as the charts prepare a
// round's answers read).
func warmRows(def *survey.Definition) ([]Row, error) {
	rng := rand.New(rand.NewPCG(1, 2))
	rows := make([]Row, 0, 4)
	pr := NewPreparer(def)
	for i := range cap(rows) {
		a, err := def.Synthesize(rng, nil)
		if err != nil {
			return nil, err
		}
		data, err := survey.MarshalAnswers(a)
		if err != nil {
			return nil, err
		}
		p, err := pr.Prepare(data)
		if err != nil {
			return nil, err
		}
		region := []string{"Kurzeme", "Latgale"}[i%2]
		rows = append(rows, Row{Municipality: domain.Municipality{Code: "warm", Kind: "novads", PlanningRegion: region,
			StatisticalRegion: region}, Status: domain.StatusSubmitted, Answers: a, Prepared: p})
	}
	return rows, nil
}
