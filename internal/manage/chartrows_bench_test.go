package manage_test

import (
	"runtime"
	"syscall"
	"testing"

	"github.com/civitas-lv/surveyd/internal/domain"
	"github.com/civitas-lv/surveyd/internal/manage"
	"github.com/civitas-lv/surveyd/internal/store/storetest"
	"github.com/civitas-lv/surveyd/reports"
)

// BenchmarkChartsNothingKept times Charts for the second round of a scale
// set (manage.Scale: 2 rounds of 10,000 responses over 10,000 simulated
// municipalities) with nothing kept, as a server just started has it,
// and reports the CPU time the process used per call (cpu-ms/op: the
// database's work is not in it) and the heap the answers it then keeps
// take (MB-kept, and B/response over the responses kept):
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
	cpu := processCPU(b)
	for b.Loop() {
		manage.DropChartCaches(m)
		if _, err := m.Charts(ctx, op, sv, def, reports.Filter{}, reports.ChartOptions{Lang: "lv"}); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(processCPU(b)-cpu)/1e6/float64(b.N), "cpu-ms/op")
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

// processCPU is the CPU time the process has used, in nanoseconds.
func processCPU(b *testing.B) int64 {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		b.Fatal(err)
	}
	return ru.Utime.Nano() + ru.Stime.Nano()
}
