package reports

import (
	"encoding/json"

	"github.com/civitas-lv/surveyd/survey"
)

// memoBudget is about how much memory the workbook may spend keeping the
// rows of its first pass over a Source, so that its later passes (the
// data sheets, the trends) replay them instead of reading every response
// again. Rows are kept decoded while they fit (rowCost estimates a
// response of the regional questionnaire at 3.5 KB, its measured heap at
// 3.2 KB: some 9,000 responses fit); past that, when every row came with
// its answers document (Row.Raw), they are kept as the documents, about a
// third of that (rawRowCost: some 25,000 responses fit), and decoded again
// on each replay — cheaper than reading them from the database again.
// Past it the rows are let go and every pass reads the Source afresh, as
// before: memory stays bounded whatever the number of responses.
const memoBudget = 32 << 20

// rowMemo is a Source that keeps the rows of its first whole pass while
// they fit in budget (rowCost, then rawRowCost) and gives them again on
// later passes; a pass that is left early or ends with an error keeps
// nothing. The rows are shared between passes: the workbook does not
// change a row's answers or contacts (a pass may change its own copy of a
// Row).
type rowMemo struct {
	src    Source
	budget int
	rows   []Row
	size   int
	// raw: rows holds the rows without their decoded answers (Answers
	// nil, Raw kept), decoded again on replay.
	raw bool
	// state: 0 nothing read yet, 1 a first pass is under way, 2 rows
	// holds a whole pass, 3 no replay (over budget or not whole).
	state int
}

func newRowMemo(src Source, budget int) *rowMemo { return &rowMemo{src: src, budget: budget} }

// whole reports whether the memo holds the rows of a whole pass, given
// again from memory on every later pass.
func (m *rowMemo) whole() bool { return m.state == 2 }

// Source returns the memo as a Source.
func (m *rowMemo) Source() Source { return m.pass }

func (m *rowMemo) pass() Rows {
	switch m.state {
	case 2:
		rows := m.rows
		return func(yield func(Row, error) bool) {
			for _, r := range rows {
				if r.Answers == nil && r.Raw != nil {
					a, err := survey.DecodeAnswers(r.Raw)
					if err != nil {
						yield(Row{}, err)
						return
					}
					r.Answers = a
				}
				if !yield(r, nil) {
					return
				}
			}
		}
	case 0:
		m.state = 1
		return m.first(m.src())
	}
	return m.src()
}

// first passes the rows on and keeps them while they fit.
func (m *rowMemo) first(rows Rows) Rows {
	return func(yield func(Row, error) bool) {
		if m.state != 1 { // this Rows iterated a second time
			for r, err := range rows {
				if !yield(r, err) {
					return
				}
			}
			return
		}
		whole := false
		defer func() {
			if whole && m.state == 1 {
				m.state = 2
				return
			}
			m.state, m.rows = 3, nil
		}()
		for r, err := range rows {
			if err != nil {
				m.state, m.rows = 3, nil
			}
			if m.state == 1 {
				m.keep(r)
			}
			if !yield(r, err) {
				return
			}
		}
		whole = true
	}
}

// keep keeps r if it fits: decoded while the rows kept so far fit, then
// as its answers document (toRaw); when that does not fit either, or a
// row has no document, nothing is kept.
func (m *rowMemo) keep(r Row) {
	if !m.raw {
		if m.size += rowCost(&r); m.size <= m.budget {
			m.rows = append(m.rows, r)
			return
		}
		if !m.toRaw() {
			m.state, m.rows = 3, nil
			return
		}
	}
	if !keptRaw(&r) {
		m.state, m.rows = 3, nil
		return
	}
	if m.size += rawRowCost(&r); m.size > m.budget {
		m.state, m.rows = 3, nil
		return
	}
	m.rows = append(m.rows, r)
}

// keptRaw drops r's decoded answers when it has their document, and
// reports whether r is now kept as its document — or has no answers to
// keep.
func keptRaw(r *Row) bool {
	if r.Raw != nil {
		r.Answers, r.Prepared = nil, nil
		return true
	}
	return len(r.Answers) == 0
}

// toRaw keeps the rows kept so far as their answers documents, if every
// one has its document.
func (m *rowMemo) toRaw() bool {
	size := 0
	for i := range m.rows {
		if m.rows[i].Raw == nil && len(m.rows[i].Answers) > 0 {
			return false
		}
		size += rawRowCost(&m.rows[i])
	}
	for i := range m.rows {
		keptRaw(&m.rows[i])
	}
	m.raw, m.size = true, size
	return true
}

// rowCost estimates the bytes a decoded row holds: the Row, its strings,
// and each answer's map entry and value.
func rowCost(r *Row) int {
	n := rowFixedCost(r)
	for k, v := range r.Answers {
		n += 64 + len(k)
		switch v := v.(type) {
		case string:
			n += 16 + len(v)
		case json.Number:
			n += 16 + len(v)
		case []string:
			n += 24
			for _, s := range v {
				n += 16 + len(s)
			}
		default:
			n += 32
		}
	}
	return n
}

// rawRowCost estimates the bytes a row kept as its answers document holds.
func rawRowCost(r *Row) int { return rowFixedCost(r) + len(r.Raw) }

// rowFixedCost estimates the bytes of a row besides its answers: the Row,
// its municipality's strings and its contacts.
func rowFixedCost(r *Row) int {
	m := &r.Municipality
	n := 400 + len(m.Code) + len(m.NameLV) + len(m.NameEN) + len(m.Kind) + len(m.PlanningRegion) +
		len(m.StatisticalRegion) + len(r.Status)
	for _, c := range r.Contacts {
		n += 16 + len(c)
	}
	return n
}
