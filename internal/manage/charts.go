package manage

import (
	"context"
	"slices"

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
// kind), for anyone who may see results (domain.AccessView). Viewers and
// coordinators alike: no contacts are read, and personal questions are
// never charted.
//
// What it returns is shared with other requests and must not be changed:
// it is kept (chartCache) and given again for the same round, definition,
// filter, language and opt.TablesOnly while store.ResultsStamp — read
// first, on every call — says nothing it was made from has changed since.
// opt.T must depend on opt.Lang only. When nothing is kept for the round,
// definition, filter, language and opt.TablesOnly, the stamp is not read
// first but with the rows, in their snapshot (beside the answers
// documents): it then vouches for exactly what was read. Making it takes
// one of the report slots (reportSlot) and reads only what the charts
// use, in one snapshot (store.Snapshot.ChartHeads, and the answers of the
// responses whose answers are not kept from before: see charts1).
func (m *Manager) Charts(ctx context.Context, p domain.Principal, sv domain.Survey, def *survey.Definition,
	filter reports.Filter, opt reports.ChartOptions) (*ChartData, error) {
	if err := p.Require(domain.AccessView); err != nil {
		return nil, err
	}
	// The stamp is read before anything it vouches for: data read after it
	// are at least as new, and a change in between gives the next call
	// another stamp. With nothing kept to compare it with, it is read in
	// the snapshot of the rows, for exactly them.
	ids := []int64{sv.ID}
	key := chartKey{survey: sv.ID, slug: sv.Slug, def: def, filter: filterKey(filter), lang: opt.Lang,
		tablesOnly: opt.TablesOnly}
	if sv.PreviousSurveyID != nil {
		ids = append(ids, *sv.PreviousSurveyID)
		key.previous = *sv.PreviousSurveyID
	}
	var stamp string
	if m.charts.has(key) {
		var err error
		if stamp, err = m.Store.ResultsStamp(ctx, ids, MaxTrendRounds); err != nil {
			return nil, err
		}
		if d := m.charts.get(key, stamp); d != nil {
			return d, nil
		}
	}
	release, err := m.reportSlot(ctx)
	if err != nil {
		return nil, err
	}
	defer release()
	var stampIDs []int64
	if stamp == "" {
		stampIDs = ids
	}
	d, err := m.charts1(ctx, sv, def, filter, opt, stampIDs, &stamp)
	if err != nil {
		return nil, err
	}
	m.charts.put(key, stamp, d)
	return d, nil
}

// charts1 makes what Charts returns. Answers decoded before are used
// again while their response row is unchanged (chartRowCache, so a save
// costs one response read and decoded, not the round), and an earlier
// round's aggregate while its rows are (summaryCache); this round's
// aggregate under the filter serves the trends too when it is of the
// same responses. When stampIDs is not nil, *stamp is set to their
// ResultsStamp read in the rows' snapshot (readChartRounds).
func (m *Manager) charts1(ctx context.Context, sv domain.Survey, def *survey.Definition,
	filter reports.Filter, opt reports.ChartOptions, stampIDs []int64, stamp *string) (*ChartData, error) {
	d := &ChartData{}
	earlier, err := m.earlierRounds(ctx, sv)
	if err != nil {
		return nil, err
	}
	defs := make([]*survey.Definition, len(earlier))
	for i, r := range earlier {
		if defs[i], err = m.Definition(r); err != nil {
			return nil, err
		}
	}
	// What a trend reads of a round: its submitted responses in the
	// filter's regions and kind.
	within := reports.Filter{PlanningRegion: filter.PlanningRegion, StatisticalRegion: filter.StatisticalRegion, Kind: filter.Kind}
	if stampIDs == nil {
		stamp = nil
	}
	rows, prev, sums, keys, err := m.readChartRounds(ctx, sv, def, earlier, defs, within, stampIDs, stamp)
	if err != nil {
		return nil, err
	}
	src := rows.all

	// The response rate, as the tracker counts it: every row, submitted
	// or not.
	regions := map[string]*Tally{}
	for _, h := range rows.heads {
		sub := h.Status != nil && *h.Status == domain.StatusSubmitted
		d.Rate.add(sub)
		g := regions[h.PlanningRegion]
		if g == nil {
			g = &Tally{Name: h.PlanningRegion}
			regions[g.Name] = g
		}
		g.add(sub)
	}
	if err := d.aggregate(def, src(), filter); err != nil {
		return nil, err
	}
	// Region names are Latvian in either language.
	byName := func(s string) string { return s }
	survey.SortByName(d.Regions, "lv", byName)
	survey.SortByName(d.StatRegions, "lv", byName)
	opt.Rate = nil
	for _, g := range regions {
		opt.Rate = append(opt.Rate, reports.RateTally{Name: g.Name, Submitted: g.Submitted, Total: g.Total})
	}
	survey.SortByName(opt.Rate, "lv", func(r reports.RateTally) string { return r.Name })
	// A chart whose figures are as before is given again, not built:
	// after a save, the charts of the questions it changed are built.
	opt.Memo = &m.chartMemo
	if d.Set, err = reports.BuildChartsContext(ctx, d.Summary, opt); err != nil || len(earlier) == 0 {
		return d, err
	}
	rounds := make([]reports.TrendRound, 0, len(earlier)+1)
	for i, r := range earlier {
		if sums[i] == nil {
			if sums[i], err = reports.Aggregate(defs[i], prev[i].all(), within); err != nil {
				return nil, err
			}
			m.keepTrendSummary(ctx, keys[i], sums[i])
		}
		rounds = append(rounds, reports.TrendRound{Slug: r.Slug, Definition: defs[i], ReferenceYear: r.ReferenceYear,
			Summary: sums[i]})
	}
	this := reports.TrendRound{Slug: sv.Slug, Definition: def, ReferenceYear: def.ReferenceYear, Rows: filter.Within(src())}
	if len(filter.Statuses) == 0 || slices.Equal(filter.Statuses, []string{domain.StatusSubmitted}) {
		this.Summary = d.Summary // the same responses: the submitted ones within the filter
	}
	rounds = append(rounds, this)
	if err := d.trends(ctx, rounds, opt); err != nil {
		return nil, err
	}
	return d, nil
}

// aggregate summarises the rows in one pass, noting the regions the filter
// can offer.
func (d *ChartData) aggregate(def *survey.Definition, all reports.Rows, filter reports.Filter) error {
	seen := map[string]bool{}
	rows := func(yield func(reports.Row, error) bool) {
		for r, err := range all {
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

// trends adds the section of trends across the rounds (the earlier ones
// and this one, oldest first, each under the filter), when any series
// reaches this round over two rounds or more.
func (d *ChartData) trends(ctx context.Context, rounds []reports.TrendRound, opt reports.ChartOptions) error {
	t, err := reports.TrendSeries(rounds)
	if err != nil {
		return err
	}
	sec, err := reports.BuildTrendCharts(ctx, t, opt)
	if sec != nil {
		d.Set.Sections = append(d.Set.Sections, sec)
	}
	return err
}
