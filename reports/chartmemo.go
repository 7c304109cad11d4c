package reports

import (
	"encoding/binary"
	"math"

	"github.com/civitas-lv/surveyd/internal/lru"
	"github.com/civitas-lv/surveyd/survey"
)

// chartMemoKept bounds a ChartMemo: how many charts it keeps at most, and
// how many bytes of keys and options (the keys of distributions hold
// every value: at 10,000 responses about 80 KB each, the option about
// 200 KB).
const (
	chartMemoKept  = 1024
	chartMemoBytes = 64 << 20
)

// ChartMemo keeps charts built before, each under everything it was made
// of — its kind, the definition, the language, whether tables only, and
// every figure of the summary it shows, written out in full (not
// hashed) — so that a chart set built again after a change rebuilds only
// the charts whose figures changed. A chart given from it is shared and
// must not be changed. The zero value is ready; safe for concurrent use.
//
// With a memo, ChartOptions.T must depend on ChartOptions.Lang only: the
// wording is not part of the key.
type ChartMemo struct {
	kept lru.Cache[chartMemoKey, *Chart]
}

type chartMemoKey struct {
	def     *survey.Definition // held: the pointer stays this definition's
	figures string
}

func (m *ChartMemo) get(k chartMemoKey) *Chart {
	c, _ := m.kept.Get(k, nil)
	return c
}

func (m *ChartMemo) put(k chartMemoKey, c *Chart) {
	size := len(k.figures) + len(c.Option) + 512
	if size > chartMemoBytes/4 {
		return
	}
	m.kept.Put(k, c, size, chartMemoKept, chartMemoBytes)
}

// chartFigures writes out what a chart is made of, each part
// self-delimiting, so that two keys are equal only when every part is.
type chartFigures struct{ b []byte }

func (f *chartFigures) int(n int) { f.b = binary.AppendVarint(f.b, int64(n)) }

func (f *chartFigures) float(v float64) {
	f.b = binary.LittleEndian.AppendUint64(f.b, math.Float64bits(v))
}

func (f *chartFigures) str(s string) {
	f.int(len(s))
	f.b = append(f.b, s...)
}

func (f *chartFigures) stats(st *Stats) {
	f.int(st.N)
	for _, v := range []float64{st.Sum, st.Mean, st.Min, st.Q1, st.Median, st.Q3, st.Max} {
		f.float(v)
	}
	f.int(len(st.values))
	for _, v := range st.values {
		f.float(v)
	}
}

func (f *chartFigures) counts(qs *QuestionSummary) {
	f.int(qs.Answered)
	f.int(qs.NotApplicable)
	f.int(qs.Missing)
	f.int(len(qs.Options))
	for _, oc := range qs.Options {
		f.str(oc.Code)
		f.str(oc.Label.In("lv"))
		f.str(oc.Label.In("en"))
		f.int(oc.Count)
		f.float(oc.Percent)
	}
	if qs.Numbers != nil {
		f.int(1)
		f.stats(qs.Numbers)
	} else {
		f.int(0)
	}
}

// memo gives the chart kept for what build's chart is made of (the kind
// and figures written by figures), or builds it and keeps it. Without a
// memo it only builds it.
func (b *chartBuilder) memo(kind string, figures func(*chartFigures), build func() *Chart) *Chart {
	m := b.o.Memo
	if m == nil {
		return build()
	}
	f := &chartFigures{}
	f.str(kind)
	f.str(b.o.Lang)
	if b.o.TablesOnly {
		f.int(1)
	} else {
		f.int(0)
	}
	figures(f)
	k := chartMemoKey{def: b.s.Definition, figures: string(f.b)}
	if c := m.get(k); c != nil {
		return c
	}
	errBefore := b.err
	c := build()
	if b.err == errBefore {
		m.put(k, c)
	}
	return c
}
