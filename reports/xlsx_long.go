package reports

import (
	"encoding/json"
	"errors"
	"strconv"

	"github.com/civitas-lv/surveyd/survey"
	"github.com/xuri/excelize/v2"
)

// longWriter writes the long sheet: one row per answer value, continued
// on numbered pages past Excel's row limit.
type longWriter struct {
	x    *workbook
	p    *pagedSheet
	vals []any
	val  excelize.Cell
	// nums, when not nil, are the styles of the values' number formats
	// (longNums), for a goroutine of its own: x.nums is not read then.
	nums map[string]int
}

func newLongWriter(x *workbook, p *pagedSheet) *longWriter {
	lw := &longWriter{x: x, p: p, vals: make([]any, 4)}
	lw.vals[3] = &lw.val
	return lw
}

func (lw *longWriter) add(muni, code, option string, v any, format string) error {
	lw.vals[0], lw.vals[1] = muni, code
	lw.vals[2] = nil
	if option != "" {
		lw.vals[2] = option
	}
	lw.val.Value, lw.val.StyleID = v, 0
	if format != "" {
		if lw.nums == nil {
			lw.val.StyleID = lw.x.num(format)
		} else if id, ok := lw.nums[format]; ok {
			lw.val.StyleID = id
		} else {
			return errors.New("reports: no style made for the number format " + format)
		}
	}
	return lw.p.add(lw.vals)
}

func (lw *longWriter) response(r *Row) error {
	muni := r.Municipality.Code
	return lw.x.longValues(r, func(code, option string, v any, format string) error {
		return lw.add(muni, code, option, v, format)
	})
}

// longValues calls emit for each row of the long sheet a response gives:
// the question (or "other" text) code, the option code, the value and its
// number format.
func (x *workbook) longValues(r *Row, emit func(code, option string, v any, format string) error) error {
	for _, q := range x.questions {
		v, ok := r.Answers[q.Code]
		if ok && v != nil {
			var err error
			switch q.Type {
			case survey.Single:
				s, isStr := v.(string)
				if !isStr {
					err = emit(q.Code, "", textOf(v), "")
				} else {
					err = emit(q.Code, s, x.optionLabel(q, s), "")
				}
			case survey.Multi:
				list, isList := v.([]string)
				if !isList {
					err = emit(q.Code, "", textOf(v), "")
				}
				for _, c := range list {
					if err = emit(q.Code, c, x.optionLabel(q, c), ""); err != nil {
						break
					}
				}
			case survey.YesNo:
				if b, isBool := v.(bool); isBool {
					err = emit(q.Code, strconv.FormatBool(b), x.yesNo(b), "")
				} else {
					err = emit(q.Code, "", textOf(v), "")
				}
			default:
				if n, isNum := v.(json.Number); isNum && q.Type.IsNumber() {
					err = emit(q.Code, "", numberValue(q, n), x.numberFormat(q))
				} else {
					err = emit(q.Code, "", textOf(v), "")
				}
			}
			if err != nil {
				return err
			}
		}
		if q.Other {
			if s, ok := r.Answers[q.OtherKey()].(string); ok && s != "" {
				if err := emit(q.OtherKey(), "", s, ""); err != nil {
					return err
				}
			}
		}
	}
	return nil
}

// longCount is how many rows of the long sheet r gives (longValues's
// emits), counted without making them: pass 1 counts them for every
// response, and making them looks up labels, parses numbers and builds
// number formats.
func (x *workbook) longCount(r *Row) int {
	n := 0
	for _, q := range x.questions {
		if v, ok := r.Answers[q.Code]; ok && v != nil {
			if list, isList := v.([]string); isList && q.Type == survey.Multi {
				n += len(list)
			} else {
				n++
			}
		}
		if q.Other {
			if s, ok := r.Answers[q.OtherKey()].(string); ok && s != "" {
				n++
			}
		}
	}
	return n
}

// Responses handed to the long sheet's goroutine: longBatch in each, at
// most longBatches waiting.
const (
	longBatch   = 32
	longBatches = 4
)

// longAside writes the long sheet's rows (write, a longWriter's response)
// on a goroutine of its own, the responses handed to it in batches, in
// their order. The first error of
// its writing stops it; add returns it from then on, and finish too. The
// responses handed over are not changed afterwards (a batch is a copy of
// each Row; their answers are only read).
type longAside struct {
	write func(*Row) error
	batch []Row
	work  chan []Row
	quit  chan struct{} // closed by stop: drop what is left
	done  chan struct{} // closed when the goroutine has returned
	err   error         // the goroutine's, read after done
	panic any           // the goroutine's panic, raised again by finish or stop
	ended bool          // work closed
}

// startLongAside starts the goroutine calling write.
func startLongAside(write func(*Row) error) *longAside {
	a := &longAside{write: write, batch: make([]Row, 0, longBatch), work: make(chan []Row, longBatches),
		quit: make(chan struct{}), done: make(chan struct{})}
	go a.run()
	return a
}

func (a *longAside) run() {
	defer close(a.done)
	defer func() {
		if p := recover(); p != nil {
			a.panic = p
		}
	}()
	for b := range a.work {
		for i := range b {
			select {
			case <-a.quit:
				return
			default:
			}
			if err := a.write(&b[i]); err != nil {
				a.err = err
				return
			}
		}
	}
}

// add hands r over (copied), sending the batch when it is full.
func (a *longAside) add(r *Row) error {
	a.batch = append(a.batch, *r)
	if len(a.batch) < longBatch {
		return nil
	}
	return a.send()
}

func (a *longAside) send() error {
	select {
	case a.work <- a.batch:
		a.batch = make([]Row, 0, longBatch)
		return nil
	case <-a.done:
		return a.failed()
	}
}

// failed is the goroutine's error once it has returned early.
func (a *longAside) failed() error {
	if a.err != nil {
		return a.err
	}
	return errors.New("reports: the long sheet stopped")
}

// finish sends what is left, waits until every row is written and returns
// the first error of writing them.
func (a *longAside) finish() error {
	if len(a.batch) > 0 {
		if err := a.send(); err != nil {
			return err
		}
	}
	a.ended = true
	close(a.work)
	<-a.done
	if a.panic != nil {
		panic(a.panic)
	}
	return a.err
}

// stop ends the goroutine, dropping what it has not written, and waits for
// it (after finish, it has ended already).
func (a *longAside) stop() {
	if a.ended {
		return
	}
	a.ended = true
	close(a.quit)
	close(a.work)
	<-a.done
	if a.panic != nil {
		panic(a.panic)
	}
}

// longEarly writes the long sheet's rows on a goroutine of its own from
// before the summary is streamed (startLongEarly) until writeData waits
// for it: its rows are then written beside the summary's and the wide
// sheet's, not only beside the wide sheet's (longAside), so on two cores
// the long sheet, the largest, no longer holds the workbook up.
type longEarly struct {
	p       *pagedSheet
	quit    chan struct{} // closed by stop: write no more
	done    chan struct{} // closed when the goroutine has returned
	err     error         // the goroutine's, read after done
	panic   any           // the goroutine's panic, raised again by wait
	stopped bool
}

// startLongEarly starts writing the long sheet on a goroutine of its own
// when the rows of the first pass were kept (rowMemo: they are replayed
// there from memory, the Source is not read) and each data sheet takes
// one page (the goroutine then touches nothing of the file but its own
// StreamWriter: no page is added to the file meanwhile); else it does
// nothing and writeData writes the long sheet. It makes the data sheets'
// styles first, in the order writeData makes them, so that they are
// numbered as always and the goroutine only reads the ones it needs.
// Called after the summary's cells are set (its styles made) and before
// they are streamed.
func (x *workbook) startLongEarly() {
	if x.err != nil || x.longInline || x.widePages != 1 || x.longPages != 1 || x.memo == nil || !x.memo.whole() {
		return
	}
	hs, _ := x.dataStyles(nil)
	if x.err != nil {
		return
	}
	long := x.longSheet(hs)
	if x.err = long.open(0); x.err != nil {
		return
	}
	lw := newLongWriter(x, long)
	lw.nums = x.longNums()
	if x.err != nil {
		return
	}
	e := &longEarly{p: long, quit: make(chan struct{}), done: make(chan struct{})}
	rows := x.memo.Source()()
	go func() {
		defer close(e.done)
		defer func() {
			if p := recover(); p != nil {
				e.panic = p
			}
		}()
		for r, err := range rows {
			if err == nil {
				err = x.ctx.Err()
			}
			if err != nil {
				e.err = err
				return
			}
			select {
			case <-e.quit:
				return
			default:
			}
			if !x.opt.Filter.Keep(r) {
				continue
			}
			if err := lw.response(&r); err != nil {
				e.err = err
				return
			}
		}
	}()
	x.early = e
}

// wait waits until every row is written and returns the first error of
// writing them.
func (e *longEarly) wait() error {
	<-e.done
	e.stopped = true
	if e.panic != nil {
		panic(e.panic)
	}
	return e.err
}

// stopLong stops the long sheet's early goroutine, if any runs, dropping
// what it has not written, and waits for it.
func (x *workbook) stopLong() {
	e := x.early
	if e == nil || e.stopped {
		return
	}
	e.stopped = true
	close(e.quit)
	<-e.done
	if e.panic != nil {
		panic(e.panic)
	}
}
