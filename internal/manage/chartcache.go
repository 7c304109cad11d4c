package manage

import (
	"strconv"
	"strings"
	"sync"

	"github.com/civitas-lv/surveyd/reports"
	"github.com/civitas-lv/surveyd/survey"
)

// chartCacheSize is how many chart sets (a round under one filter, in one
// language) the Manager keeps; the least recently used goes first.
const chartCacheSize = 16

// chartCache keeps the chart sets Charts made, each with the
// store.ResultsStamp read before it was made: one is given again only
// while the stamp read now is the same, so it never shows an answer,
// filter or round as it was before a change.
type chartCache struct {
	mu      sync.Mutex
	entries map[chartKey]*chartEntry
	tick    uint64
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
	used  uint64
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
	c.mu.Lock()
	defer c.mu.Unlock()
	e := c.entries[key]
	if e == nil || e.stamp != stamp {
		return nil
	}
	c.tick++
	e.used = c.tick
	return e.data
}

// put keeps the set made for key under stamp, in place of any older one,
// and lets the least recently used go past chartCacheSize.
func (c *chartCache) put(key chartKey, stamp string, d *ChartData) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.entries == nil {
		c.entries = map[chartKey]*chartEntry{}
	}
	c.tick++
	c.entries[key] = &chartEntry{stamp: stamp, data: d, used: c.tick}
	for len(c.entries) > chartCacheSize {
		var oldest chartKey
		first := true
		for k, e := range c.entries {
			if first || e.used < c.entries[oldest].used {
				oldest, first = k, false
			}
		}
		delete(c.entries, oldest)
	}
}
