package manage

import (
	"strconv"
	"strings"

	"github.com/civitas-lv/surveyd/internal/lru"
	"github.com/civitas-lv/surveyd/reports"
	"github.com/civitas-lv/surveyd/survey"
)

// chartCacheSize is how many chart sets (a round under one filter, in one
// language) the Manager keeps; the least recently used goes first.
const chartCacheSize = 16

// chartCache keeps the chart sets Charts made, each with the
// store.ResultsStamp read before it was made, or in the snapshot it was
// made from (the first set of a key): one is given again only
// while the stamp read now is the same, so it never shows an answer,
// filter or round as it was before a change.
type chartCache struct {
	kept lru.Cache[chartKey, chartEntry]
}

// chartKey is what a chart set depends on besides the database.
type chartKey struct {
	survey     int64
	slug       string
	previous   int64              // the round it was made from (0: none)
	def        *survey.Definition // Manager.Definition's, a new one when it changes
	filter     string
	lang       string
	tablesOnly bool
}

type chartEntry struct {
	stamp string
	data  *ChartData
}

// filterKey writes a filter as a string that differs whenever the filter
// does (statuses in their order).
func filterKey(f reports.Filter) string {
	parts := []string{f.PlanningRegion, f.StatisticalRegion, f.Kind}
	parts = append(parts, f.Statuses...)
	var b strings.Builder
	for _, p := range parts {
		b.WriteString(strconv.Quote(p))
	}
	return b.String()
}

// get returns the set kept for key if it was made under stamp.
func (c *chartCache) get(key chartKey, stamp string) *ChartData {
	e, _ := c.kept.Get(key, func(e chartEntry) bool { return e.stamp == stamp })
	return e.data
}

// has reports whether a set is kept for key, under whatever stamp.
func (c *chartCache) has(key chartKey) bool {
	_, ok := c.kept.Get(key, nil)
	return ok
}

// put keeps the set made for key under stamp, in place of any older one,
// and lets the least recently used go past chartCacheSize.
func (c *chartCache) put(key chartKey, stamp string, d *ChartData) {
	c.kept.Put(key, chartEntry{stamp: stamp, data: d}, 1, chartCacheSize, 0)
}
