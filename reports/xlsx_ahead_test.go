package reports

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"runtime"
	"strconv"
	"sync/atomic"
	"testing"
	"time"

	"github.com/civitas-lv/surveyd/internal/domain"
	"github.com/civitas-lv/surveyd/survey"
	"github.com/xuri/excelize/v2"
)

// numberedRows yields n rows coded "0", "1", … and then, when failAt ≥ 0,
// err in place of row failAt. It counts the rows it made in *made and
// whether it is running in *running.
func numberedRows(n, failAt int, err error, made, running *atomic.Int64) Rows {
	return func(yield func(Row, error) bool) {
		running.Add(1)
		defer running.Add(-1)
		for i := range n {
			if i == failAt {
				yield(Row{}, err)
				return
			}
			made.Add(1)
			if !yield(Row{Municipality: domain.Municipality{Code: strconv.Itoa(i)}}, nil) {
				return
			}
		}
	}
}

// noLeak fails t when goroutines started during the test are still
// running a moment after it.
func noLeak(t *testing.T) func() {
	t.Helper()
	before := runtime.NumGoroutine()
	return func() {
		t.Helper()
		deadline := time.Now().Add(2 * time.Second)
		for runtime.NumGoroutine() > before {
			if time.Now().After(deadline) {
				t.Fatalf("goroutines: %d before, %d after", before, runtime.NumGoroutine())
			}
			time.Sleep(time.Millisecond)
		}
	}
}

func TestReadAheadKeepsOrderAndPrepares(t *testing.T) {
	defer noLeak(t)()
	for _, n := range []int{0, 1, aheadBatch - 1, aheadBatch, aheadBatch + 1, aheadBatch*aheadBatches*3 + 7} {
		var made, running atomic.Int64
		prep := func(r *Row) { r.Status = "prepared " + r.Municipality.Code }
		i := 0
		for r, err := range readAhead(numberedRows(n, -1, nil, &made, &running), prep) {
			if err != nil {
				t.Fatal(err)
			}
			if want := strconv.Itoa(i); r.Municipality.Code != want || r.Status != "prepared "+want {
				t.Fatalf("n=%d: row %d is %q, %q", n, i, r.Municipality.Code, r.Status)
			}
			i++
		}
		if i != n || running.Load() != 0 {
			t.Fatalf("n=%d: %d rows, source still running: %v", n, i, running.Load() != 0)
		}
	}
}

func TestReadAheadErrorEndsTheRows(t *testing.T) {
	defer noLeak(t)()
	boom := errors.New("boom")
	for _, failAt := range []int{0, 5, aheadBatch, 200} {
		var made, running atomic.Int64
		prepared := 0
		i, got := 0, error(nil)
		for r, err := range readAhead(numberedRows(1000, failAt, boom, &made, &running), func(*Row) { prepared++ }) {
			if err != nil {
				got = err
				continue // the rows must end after their error
			}
			if r.Municipality.Code != strconv.Itoa(i) {
				t.Fatalf("row %d is %q", i, r.Municipality.Code)
			}
			i++
		}
		if !errors.Is(got, boom) || i != failAt || prepared != failAt || running.Load() != 0 {
			t.Fatalf("failAt=%d: error %v after %d rows (%d prepared), source running: %v", failAt, got, i, prepared,
				running.Load() != 0)
		}
	}
}

func TestReadAheadStopsEarly(t *testing.T) {
	defer noLeak(t)()
	var made, running atomic.Int64
	i := 0
	for range readAhead(numberedRows(100000, -1, nil, &made, &running), nil) {
		if i++; i == 10 {
			break
		}
	}
	// Stopped and waited for before the loop returned: nothing of the
	// source runs after it, and it read at most a few batches ahead.
	if running.Load() != 0 {
		t.Fatal("the source still runs after the loop")
	}
	if n := made.Load(); n > int64(aheadBatch*(aheadBatches+3)) {
		t.Fatalf("read %d rows ahead of 10", n)
	}
}

func TestReadAheadPanics(t *testing.T) {
	defer noLeak(t)()
	defer func() {
		if p := recover(); fmt.Sprint(p) != "prep" {
			t.Fatalf("recovered %v", p)
		}
	}()
	var made, running atomic.Int64
	for range readAhead(numberedRows(100, -1, nil, &made, &running), func(r *Row) {
		if r.Municipality.Code == "40" {
			panic("prep")
		}
	}) {
	}
	t.Fatal("no panic")
}

// A workbook whose context is cancelled in the middle of its data sheets
// stops with the context's error, its source not running any more and no
// goroutine left; and one whose source fails in the middle of either pass
// returns that error.
func TestWriteXLSXReadAheadStops(t *testing.T) {
	def, three := xlsxRows(t)
	var rows []Row
	for len(rows) < 600 {
		rows = append(rows, three...)
	}
	boom := errors.New("boom")
	for _, tc := range []struct {
		name     string
		cancelAt int // the read row that cancels ctx (counting both passes), or -1
		failAt   int // the read row that fails instead, or -1
	}{
		{"cancelled in pass 1", 100, -1},
		{"cancelled in pass 2", len(rows) + 100, -1},
		{"fails in pass 1", -1, 100},
		{"fails in pass 2", -1, len(rows) + 100},
	} {
		t.Run(tc.name, func(t *testing.T) {
			defer noLeak(t)()
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			var read, running atomic.Int64
			src := func() Rows {
				return func(yield func(Row, error) bool) {
					running.Add(1)
					defer running.Add(-1)
					for _, r := range rows {
						n := int(read.Add(1))
						if n == tc.failAt {
							yield(Row{}, boom)
							return
						}
						if n == tc.cancelAt {
							cancel()
						}
						if err := ctx.Err(); err != nil {
							yield(Row{}, err)
							return
						}
						if !yield(r, nil) {
							return
						}
					}
				}
			}
			// No memo: every pass reads src.
			var buf bytes.Buffer
			err := writeXLSX(ctx, &buf, def, src, XLSXOptions{Generated: generated}, 1<<20, 0)
			want := boom
			if tc.cancelAt >= 0 {
				want = context.Canceled
			}
			if !errors.Is(err, want) {
				t.Fatalf("error %v, want %v", err, want)
			}
			if running.Load() != 0 || buf.Len() != 0 {
				t.Fatalf("source still running: %v; %d bytes written", running.Load() != 0, buf.Len())
			}
		})
	}
}

func TestLongAsideKeepsOrder(t *testing.T) {
	defer noLeak(t)()
	for _, n := range []int{0, 1, longBatch, longBatch*longBatches*3 + 5} {
		var got []string
		a := startLongAside(func(r *Row) error { got = append(got, r.Municipality.Code); return nil })
		for i := range n {
			if err := a.add(&Row{Municipality: domain.Municipality{Code: strconv.Itoa(i)}}); err != nil {
				t.Fatal(err)
			}
		}
		if err := a.finish(); err != nil {
			t.Fatal(err)
		}
		a.stop() // after finish: nothing to do
		if len(got) != n {
			t.Fatalf("n=%d: %d written", n, len(got))
		}
		for i, c := range got {
			if c != strconv.Itoa(i) {
				t.Fatalf("n=%d: row %d is %q", n, i, c)
			}
		}
	}
}

// The first error of writing stops the goroutine: add returns it (once
// the batches waiting are full) or finish does, and nothing is written
// after it.
func TestLongAsideError(t *testing.T) {
	defer noLeak(t)()
	boom := errors.New("boom")
	for _, failAt := range []int{0, 5, longBatch * 2} {
		written := 0
		a := startLongAside(func(r *Row) error {
			if r.Municipality.Code == strconv.Itoa(failAt) {
				return boom
			}
			written++
			return nil
		})
		var err error
		added := 0
		for i := range 10000 {
			if err = a.add(&Row{Municipality: domain.Municipality{Code: strconv.Itoa(i)}}); err != nil {
				break
			}
			added++
		}
		if err == nil {
			err = a.finish()
		}
		a.stop()
		if !errors.Is(err, boom) || written != failAt || added > failAt+longBatch*(longBatches+2) {
			t.Fatalf("failAt=%d: %v after %d written, %d added", failAt, err, written, added)
		}
	}
}

// stop before finish (the caller failed) drops what is left and returns
// once the goroutine has.
func TestLongAsideStop(t *testing.T) {
	defer noLeak(t)()
	var written atomic.Int64
	release := make(chan struct{})
	a := startLongAside(func(*Row) error { <-release; written.Add(1); return nil })
	for i := range longBatch * 3 {
		if err := a.add(&Row{Municipality: domain.Municipality{Code: strconv.Itoa(i)}}); err != nil {
			t.Fatal(err)
		}
	}
	stopped := make(chan struct{})
	go func() { a.stop(); close(stopped) }()
	<-a.quit // told to stop while it writes the first row
	close(release)
	<-stopped
	if n := written.Load(); n > 1 {
		t.Fatalf("%d rows written after stop", n)
	}
}

func TestLongAsidePanics(t *testing.T) {
	defer noLeak(t)()
	defer func() {
		if p := recover(); fmt.Sprint(p) != "write" {
			t.Fatalf("recovered %v", p)
		}
	}()
	a := startLongAside(func(*Row) error { panic("write") })
	for i := range longBatch {
		_ = a.add(&Row{Municipality: domain.Municipality{Code: strconv.Itoa(i)}})
	}
	_ = a.finish()
	t.Fatal("no panic")
}

// TestLongAsideSameWorkbook: the workbook's parts are the same byte for
// byte whether the long sheet is written on a goroutine of its own or
// beside the wide sheet, also when the long sheet continues on further
// pages (while the wide one does not) and with rows the filter leaves out.
func TestLongAsideSameWorkbook(t *testing.T) {
	in := benchData(t, 40)
	def, rows := xlsxRows(t)
	for _, c := range []struct {
		name  string
		def   *survey.Definition
		rows  []Row
		opt   XLSXOptions
		limit int
	}{
		{"small", def, rows, XLSXOptions{Generated: generated, TimeZone: riga, Personal: true, Status: xlsxStatus}, excelize.TotalRows},
		{"40", in.def, in.rows, XLSXOptions{Generated: generated}, excelize.TotalRows},
		{"40, long pages", in.def, in.rows, XLSXOptions{Generated: generated, Personal: true}, 300},
		{"40, both pages", in.def, in.rows, XLSXOptions{Generated: generated, Personal: true}, 20},
	} {
		t.Run(c.name, func(t *testing.T) {
			write := func(inline bool) map[string]string {
				var buf bytes.Buffer
				if err := writeXLSXWays(context.Background(), &buf, c.def, sliceSource(c.rows, nil), c.opt, c.limit, memoBudget,
					buildWays{longInline: inline}); err != nil {
					t.Fatal(err)
				}
				return xlsxParts(t, buf.Bytes())
			}
			aside, inline := write(false), write(true)
			if len(aside) != len(inline) {
				t.Errorf("%d parts, %d inline", len(aside), len(inline))
			}
			for part, want := range inline {
				if aside[part] != want {
					t.Errorf("part %s differs from the one written inline", part)
				}
			}
		})
	}
}

// TestLongCount: longCount counts the rows longValues makes, for the real
// questionnaire's synthetic responses and the test questionnaire's rows
// (other texts, answers of unexpected types, empty lists among them).
func TestLongCount(t *testing.T) {
	t.Parallel()
	in := benchData(t, 1000)
	def, rows := xlsxRows(t)
	odd := Row{Answers: survey.Answers{}}
	for _, q := range def.Questions() {
		switch q.Type {
		case survey.Multi:
			odd.Answers[q.Code] = []string{} // chose nothing: no row
		default:
			odd.Answers[q.Code] = []string{"a", "b"} // not what the type wants: one row
		}
		if q.Other {
			odd.Answers[q.OtherKey()] = "cits"
		}
	}
	for _, c := range []struct {
		def  *survey.Definition
		rows []Row
	}{{in.def, in.rows}, {def, append(rows, odd)}} {
		for _, personal := range []bool{false, true} {
			x, err := newWorkbook(c.def, XLSXOptions{Personal: personal})
			if err != nil {
				t.Fatal(err)
			}
			total := 0
			for i := range c.rows {
				made := 0
				_ = x.longValues(&c.rows[i], func(string, string, any, string) error { made++; return nil })
				if n := x.longCount(&c.rows[i]); n != made {
					t.Fatalf("row %d: counted %d, made %d", i, n, made)
				}
				total += made
			}
			if total < len(c.rows) {
				t.Errorf("%d rows made for %d responses", total, len(c.rows))
			}
			x.f.Close()
		}
	}
}
