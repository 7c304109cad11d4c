package manage_test

import (
	"runtime"
	"testing"

	"github.com/civitas-lv/surveyd/internal/domain"
	"github.com/civitas-lv/surveyd/internal/manage"
	"github.com/civitas-lv/surveyd/internal/store/storetest"
	"github.com/civitas-lv/surveyd/reports"
)

// BenchmarkChartsNothingKept times Charts for the second round of a scale
// set (manage.Scale: 2 rounds of 10,000 responses over 10,000 simulated
// municipalities) with nothing kept, as a server just started has it,
// and reports the heap the answers it then keeps take (MB-kept, and
// B/response over the responses kept):
//
//	go test ./internal/manage -run '^$' -bench ChartsNothingKept -benchtime 3x
func BenchmarkChartsNothingKept(b *testing.B) {
	const n = 10_000
	m := &manage.Manager{Store: storetest.New(b)}
	if _, err := m.LoadMunicipalities(ctx); err != nil {
		b.Fatal(err)
	}
	op := domain.OperatorPrincipal()
	res, err := m.Scale(ctx, op, manage.ScaleSpec{Rounds: 2, Municipalities: n, Responses: 2 * n, Seed: 1})
	if err != nil {
		b.Fatal(err)
	}
	sv := res.Rounds[1]
	def, err := m.Definition(sv)
	if err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		manage.DropChartCaches(m)
		if _, err := m.Charts(ctx, op, sv, def, reports.Filter{}, reports.ChartOptions{Lang: "lv"}); err != nil {
			b.Fatal(err)
		}
	}
	heap := func() uint64 {
		var ms runtime.MemStats
		runtime.GC()
		runtime.ReadMemStats(&ms)
		return ms.HeapAlloc
	}
	kept := manage.ChartAnswersKept(m)
	with := heap()
	manage.DropChartAnswers(m)
	without := heap()
	b.ReportMetric(float64(with-without)/(1<<20), "MB-kept")
	b.ReportMetric(float64(with-without)/float64(kept), "B/response")
}
