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
}

func (lw *longWriter) add(muni, code, option string, v any, format string) error {
	lw.vals[0], lw.vals[1] = muni, code
	lw.vals[2] = nil
	if option != "" {
		lw.vals[2] = option
	}
	lw.val.Value, lw.val.StyleID = v, 0
	if format != "" {
		lw.val.StyleID = lw.x.num(format)
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
