package reports

import (
	"bytes"
	"context"
	"errors"
	"sync/atomic"
	"testing"
	"time"
)

// countdown is a context that is cancelled at its n-th look (Err), so a
// test can end a build at each of the places it checks.
type countdown struct {
	context.Context
	left, looks atomic.Int64
}

func newCountdown(n int64) *countdown {
	c := &countdown{Context: context.Background()}
	c.left.Store(n)
	return c
}

func (c *countdown) Err() error {
	c.looks.Add(1)
	if c.left.Add(-1) < 0 {
		return context.Canceled
	}
	return nil
}

// The workbook writer looks at its context between rows, columns, sheets
// and the parts of the file, and stops when it is done: nothing reaches
// the writer after that.
func TestWriteXLSXStopsWhenCancelled(t *testing.T) {
	t.Parallel()
	def, rows := xlsxRows(t)
	opt := XLSXOptions{Personal: true, Status: xlsxStatus, Generated: time.Date(2026, 11, 26, 12, 0, 0, 0, time.UTC)}
	all := newCountdown(1 << 40)
	var full bytes.Buffer
	if err := WriteXLSXContext(all, &full, def, sliceSource(rows, nil), opt); err != nil {
		t.Fatal(err)
	}
	looks := all.looks.Load()
	if looks < int64(2*len(rows)+20) {
		t.Fatalf("the writer looked at its context %d times for %d rows", looks, len(rows))
	}
	for _, n := range []int64{0, 1, looks / 4, looks / 2, 3 * looks / 4, looks - 1} {
		var buf bytes.Buffer
		err := WriteXLSXContext(newCountdown(n), &buf, def, sliceSource(rows, nil), opt)
		if !errors.Is(err, context.Canceled) {
			t.Errorf("cancelled at look %d of %d: %v", n, looks, err)
		}
		if buf.Len() != 0 {
			t.Errorf("cancelled at look %d of %d: %d bytes written", n, looks, buf.Len())
		}
	}
}

// The charts are built one by one, each after a look at the context.
func TestBuildChartsStopsWhenCancelled(t *testing.T) {
	t.Parallel()
	s := chartTestSummary(t, Filter{})
	all := newCountdown(1 << 40)
	cs, err := BuildChartsContext(all, s, ChartOptions{Lang: "lv", T: chartTestT, Rate: chartTestRate})
	if err != nil {
		t.Fatal(err)
	}
	looks := all.looks.Load()
	if n := int64(len(cs.All())); looks < n {
		t.Fatalf("%d looks at the context for %d charts", looks, n)
	}
	for _, n := range []int64{0, looks / 2, looks - 1} {
		_, err := BuildChartsContext(newCountdown(n), s, ChartOptions{Lang: "lv", T: chartTestT, Rate: chartTestRate})
		if !errors.Is(err, context.Canceled) {
			t.Errorf("cancelled at look %d of %d: %v", n, looks, err)
		}
	}
}

// A workbook whose long sheet is written early on a goroutine of its own
// (startLongEarly: the regional questionnaire's 43 responses, kept in
// memory) stops wherever it is cancelled, the goroutine's looks at the
// context included: the error, nothing written, no goroutine left.
func TestLongEarlyStopsWhenCancelled(t *testing.T) {
	defer noLeak(t)()
	in := benchData(t, 43)
	all := newCountdown(1 << 40)
	if err := WriteXLSXContext(all, &bytes.Buffer{}, in.def, sliceSource(in.rows, nil), benchOptions); err != nil {
		t.Fatal(err)
	}
	looks := all.looks.Load()
	for n := int64(0); n < looks; n += max(looks/50, 1) {
		var buf bytes.Buffer
		err := WriteXLSXContext(newCountdown(n), &buf, in.def, sliceSource(in.rows, nil), benchOptions)
		if !errors.Is(err, context.Canceled) {
			t.Errorf("cancelled at look %d of %d: %v", n, looks, err)
		}
		if buf.Len() != 0 {
			t.Errorf("cancelled at look %d of %d: %d bytes written", n, looks, buf.Len())
		}
	}
}
