package reports

import (
	"bytes"
	"context"
	"fmt"
	"math/rand/v2"
	"runtime"
	"runtime/metrics"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/civitas-lv/surveyd/internal/domain"
	"github.com/civitas-lv/surveyd/internal/refdata"
	"github.com/civitas-lv/surveyd/survey"
	"github.com/xuri/excelize/v2"
)

// Benchmarks of the workbook (make bench):
//
//	BenchmarkWorkbook/responses=N         WriteXLSX over N synthetic responses of the real
//	                                      questionnaire from an in-memory Source: every sheet,
//	                                      the charts, both passes (",cache": with an XLSXCache
//	                                      filled before, as Export writes it)
//	BenchmarkRawStreamWriter/responses=N  a bare excelize StreamWriter writing the same
//	                                      wide-sheet cells, precomputed in memory
//	BenchmarkBaseline/responses=N         WriteBaselineXLSX over the same Source: the
//	                                      wide and long cells in one pass, nothing else
//	                                      (the yardstick the workbook is read beside:
//	                                      ≤ 1.5× its time at every size, ≤ 20 ms at 43)
//
// Besides time and allocations each reports the file size, the peak live
// heap (as the garbage collector last marked it, sampled every 2 ms) above
// what the input itself takes, which shows what grows with N, and the
// process's CPU time per operation (user + system, garbage collector
// included: on a shared machine it varies less than the wall time).

// 43 is the real number of municipalities; the others show how time and
// memory grow.
var benchSizes = []int{43, 1000, 10000}

type benchInput struct {
	def  *survey.Definition
	rows []Row
}

var benchCache = struct {
	sync.Mutex
	m map[int]benchInput
}{m: map[int]benchInput{}}

// benchData makes n submitted responses to regional-2025 with
// survey.Synthesize, cycling through the 43 municipalities, each with a
// contact; made once per size and process.
func benchData(b testing.TB, n int) benchInput {
	b.Helper()
	benchCache.Lock()
	defer benchCache.Unlock()
	if in, ok := benchCache.m[n]; ok {
		return in
	}
	def, _, err := survey.Builtin("regional-2025")
	if err != nil {
		b.Fatal(err)
	}
	munis, err := refdata.Municipalities()
	if err != nil {
		b.Fatal(err)
	}
	rng := rand.New(rand.NewPCG(1, uint64(n)))
	at := time.Date(2026, 11, 20, 10, 0, 0, 0, time.UTC)
	rows := make([]Row, n)
	for i := range rows {
		m := munis[i%len(munis)]
		a, err := def.Synthesize(rng, nil)
		if err != nil {
			b.Fatal(err)
		}
		sub := at.Add(time.Duration(i) * time.Minute)
		rows[i] = Row{Municipality: domain.Municipality{Code: fmt.Sprintf("%s-%d", m.Code, i/len(munis)), NameLV: m.NameLV,
			NameEN: m.NameEN, Kind: m.Kind, PlanningRegion: m.PlanningRegion, StatisticalRegion: m.StatisticalRegion},
			Status: domain.StatusSubmitted, SubmittedAt: &sub, UpdatedAt: &sub, Answers: a,
			Contacts: []string{"kontakts@" + m.Code + ".lv"}}
	}
	in := benchInput{def: def, rows: rows}
	benchCache.m[n] = in
	return in
}

var benchOptions = XLSXOptions{Personal: true, Generated: time.Date(2026, 11, 26, 12, 0, 0, 0, time.UTC)}

// wideMatrix is the wide sheet exactly as WriteXLSX fills it: the two
// header rows and a row of cell values per response.
func wideMatrix(b *testing.B, in benchInput) [][]any {
	b.Helper()
	x, err := newWorkbook(in.def, benchOptions)
	if err != nil {
		b.Fatal(err)
	}
	defer x.f.Close()
	head, codes := make([]any, len(x.wide)), make([]any, len(x.wide))
	for i, c := range x.wide {
		head[i], codes[i] = c.header, c.code
	}
	out := [][]any{head, codes}
	for _, r := range in.rows {
		row := make([]any, len(x.wide))
		for i := range x.wide {
			row[i] = x.wide[i].value(x, &r)
		}
		out = append(out, row)
	}
	return out
}

// countWriter counts what would have been sent.
type countWriter struct{ n int64 }

func (w *countWriter) Write(p []byte) (int, error) { w.n += int64(len(p)); return len(p), nil }

// heapPeak samples the live heap while a benchmark runs.
type heapPeak struct {
	stop, done chan struct{}
	base, peak uint64
	cpu        time.Duration
}

func startHeapPeak() *heapPeak {
	runtime.GC()
	h := &heapPeak{stop: make(chan struct{}), done: make(chan struct{})}
	sample := []metrics.Sample{{Name: "/gc/heap/live:bytes"}}
	metrics.Read(sample)
	h.base = sample[0].Value.Uint64()
	h.cpu = cpuTime()
	go func() {
		defer close(h.done)
		t := time.NewTicker(2 * time.Millisecond)
		defer t.Stop()
		for {
			metrics.Read(sample)
			h.peak = max(h.peak, sample[0].Value.Uint64())
			select {
			case <-h.stop:
				return
			case <-t.C:
			}
		}
	}()
	return h
}

func (h *heapPeak) report(b *testing.B) {
	close(h.stop)
	<-h.done
	b.ReportMetric(float64(h.peak-min(h.base, h.peak))/(1<<20), "peak-live-heap-MB")
	b.ReportMetric(float64(cpuTime()-h.cpu)/float64(time.Millisecond)/float64(b.N), "cpu-ms/op")
}

// cpuTime is the process's CPU time so far, user and system.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// BenchmarkWorkbook/responses=N,cache writes the workbook with an
// XLSXCache, as Export does with the Manager's: filled by a build before
// the timed ones.
func BenchmarkWorkbook(b *testing.B) {
	for _, n := range benchSizes {
		in := benchData(b, n)
		for _, cached := range []bool{false, true} {
			if cached && n != benchSizes[0] {
				continue
			}
			name := fmt.Sprintf("responses=%d", n)
			opt := benchOptions
			if cached {
				name += ",cache"
				opt.Cache = &XLSXCache{}
				if err := WriteXLSX(&countWriter{}, in.def, sliceSource(in.rows, nil), opt); err != nil {
					b.Fatal(err)
				}
			}
			b.Run(name, func(b *testing.B) {
				src := sliceSource(in.rows, nil)
				var size int64
				b.ReportAllocs()
				h := startHeapPeak()
				for b.Loop() {
					w := &countWriter{}
					if err := WriteXLSX(w, in.def, src, opt); err != nil {
						b.Fatal(err)
					}
					size = w.n
				}
				h.report(b)
				b.ReportMetric(float64(size)/(1<<20), "file-MB")
			})
		}
	}
}

func BenchmarkBaseline(b *testing.B) {
	for _, n := range benchSizes {
		in := benchData(b, n)
		b.Run(fmt.Sprintf("responses=%d", n), func(b *testing.B) {
			src := sliceSource(in.rows, nil)
			var size int64
			b.ReportAllocs()
			h := startHeapPeak()
			for b.Loop() {
				w := &countWriter{}
				if err := WriteBaselineXLSX(context.Background(), w, in.def, src, benchOptions); err != nil {
					b.Fatal(err)
				}
				size = w.n
			}
			h.report(b)
			b.ReportMetric(float64(size)/(1<<20), "file-MB")
		})
	}
}

func BenchmarkRawStreamWriter(b *testing.B) {
	for _, n := range benchSizes {
		matrix := wideMatrix(b, benchData(b, n))
		b.Run(fmt.Sprintf("responses=%d", n), func(b *testing.B) {
			var size int64
			b.ReportAllocs()
			h := startHeapPeak()
			for b.Loop() {
				f := excelize.NewFile()
				sw, err := f.NewStreamWriter("Sheet1")
				if err != nil {
					b.Fatal(err)
				}
				for i, row := range matrix {
					if err := sw.SetRow(cellName(1, i+1), row); err != nil {
						b.Fatal(err)
					}
				}
				if err := sw.Flush(); err != nil {
					b.Fatal(err)
				}
				w := &countWriter{}
				if err := f.Write(w); err != nil {
					b.Fatal(err)
				}
				f.Close()
				size = w.n
			}
			h.report(b)
			b.ReportMetric(float64(size)/(1<<20), "file-MB")
		})
	}
}

// TestBaselineWritesTheDataCells: the benchmarks' yardstick writes the
// wide sheet's rows and the long sheet's answer values of the same
// responses.
func TestBaselineWritesTheDataCells(t *testing.T) {
	in := benchData(t, 50)
	var buf bytes.Buffer
	if err := WriteBaselineXLSX(context.Background(), &buf, in.def, sliceSource(in.rows, nil), benchOptions); err != nil {
		t.Fatal(err)
	}
	f, err := excelize.OpenReader(&buf)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	wide, err := f.GetRows("Sheet1")
	if err != nil {
		t.Fatal(err)
	}
	if len(wide) != 2+len(in.rows) {
		t.Errorf("wide rows = %d, want %d", len(wide), 2+len(in.rows))
	}
	long, err := f.GetRows("Long 1")
	if err != nil {
		t.Fatal(err)
	}
	x, err := newWorkbook(in.def, benchOptions)
	if err != nil {
		t.Fatal(err)
	}
	defer x.f.Close()
	want := 1
	for i := range in.rows {
		_ = x.longValues(&in.rows[i], func(string, string, any, string) error { want++; return nil })
	}
	if len(long) != want || want < 2*len(in.rows) {
		t.Errorf("long rows = %d, want %d", len(long), want)
	}
}
