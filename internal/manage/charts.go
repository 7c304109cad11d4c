package manage

import (
	"context"

	"github.com/civitas-lv/surveyd/internal/domain"
	"github.com/civitas-lv/surveyd/reports"
	"github.com/civitas-lv/surveyd/survey"
)

// ChartData is what the chart dashboard, a chart's CSV and the printable
// report show of a round under a filter.
type ChartData struct {
	// Summary aggregates the filtered responses.
	Summary *reports.Summary
	// Rate is the round's response rate (every municipality, unfiltered).
	Rate Tally
	// Set is the charts built from Summary.
	Set *reports.ChartSet
	// Regions and StatRegions are the planning and statistical regions of
	// the round's municipalities (what the filter can offer), in Latvian
	// alphabetical order.
	Regions, StatRegions []string
}

// Charts reads and aggregates the round's rows under filter and builds
// the charts (reports.BuildChartsContext with opt; the response rate per
// planning region is filled in) and, for a round made from earlier ones,
// the section "Dinamika" last (reports.BuildTrendCharts over the earlier
// rounds' and this round's submitted answers in the filter's regions and
// kind), in one of the report slots (see results),
// for anyone who may see results (domain.AccessView). Viewers and
// coordinators alike: no contacts are read, and personal questions are
// never charted. The rows are read in opt.Lang's order.
func (m *Manager) Charts(ctx context.Context, p domain.Principal, sv domain.Survey, def *survey.Definition,
	filter reports.Filter, opt reports.ChartOptions) (*ChartData, error) {
	if err := p.Require(domain.AccessView); err != nil {
		return nil, err
	}
	d := &ChartData{}
	earlier, err := m.earlierTrendRounds(ctx, sv, opt.Lang)
	if err != nil {
		return nil, err
	}
	err = m.results(ctx, sv, def, false, opt.Lang, func(src reports.Source, t Tracker) error {
		d.Rate = t.All
		if err := d.aggregate(def, src, filter); err != nil {
			return err
		}
		// Region names are Latvian in either language.
		byName := func(s string) string { return s }
		survey.SortByName(d.Regions, "lv", byName)
		survey.SortByName(d.StatRegions, "lv", byName)
		opt.Rate = nil
		for _, g := range t.ByRegion {
			opt.Rate = append(opt.Rate, reports.RateTally{Name: g.Name, Submitted: g.Submitted, Total: g.Total})
		}
		survey.SortByName(opt.Rate, "lv", func(r reports.RateTally) string { return r.Name })
		var err error
		if d.Set, err = reports.BuildChartsContext(ctx, d.Summary, opt); err != nil || len(earlier) == 0 {
			return err
		}
		return d.trends(ctx, sv, def, src, filter, earlier, opt)
	})
	if err != nil {
		return nil, err
	}
	return d, nil
}

// aggregate summarises the rows in one pass, noting the regions the filter
// can offer.
func (d *ChartData) aggregate(def *survey.Definition, src reports.Source, filter reports.Filter) error {
	seen := map[string]bool{}
	rows := func(yield func(reports.Row, error) bool) {
		for r, err := range src() {
			if err == nil {
				if m := r.Municipality; !seen["p"+m.PlanningRegion] {
					seen["p"+m.PlanningRegion] = true
					d.Regions = append(d.Regions, m.PlanningRegion)
				}
				if m := r.Municipality; !seen["s"+m.StatisticalRegion] {
					seen["s"+m.StatisticalRegion] = true
					d.StatRegions = append(d.StatRegions, m.StatisticalRegion)
				}
			}
			if !yield(r, err) {
				return
			}
		}
	}
	var err error
	d.Summary, err = reports.Aggregate(def, rows, filter)
	return err
}

// trends adds the section of trends across the earlier rounds and this
// one, when any series reaches this round over two rounds or more.
func (d *ChartData) trends(ctx context.Context, sv domain.Survey, def *survey.Definition, src reports.Source,
	filter reports.Filter, earlier []reports.TrendRound, opt reports.ChartOptions) error {
	rounds := make([]reports.TrendRound, 0, len(earlier)+1)
	for _, r := range earlier {
		r.Rows = filter.Within(r.Rows)
		rounds = append(rounds, r)
	}
	rounds = append(rounds, reports.TrendRound{Slug: sv.Slug, Definition: def, ReferenceYear: def.ReferenceYear,
		Rows: filter.Within(src())})
	t, err := reports.Trends(rounds)
	if err != nil {
		return err
	}
	sec, err := reports.BuildTrendCharts(ctx, t, opt)
	if sec != nil {
		d.Set.Sections = append(d.Set.Sections, sec)
	}
	return err
}
