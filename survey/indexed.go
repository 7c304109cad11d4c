package survey

import "strconv"

// IndexedAnswers is one answers document read for a definition by
// question index rather than into Answers: no map, and no value boxed
// unless an expression reads it. It is for reading many documents one
// after the other (the charts read a round's at once): Read reuses what
// the previous document took. It holds only the plain documents
// ReadAnswersObject reads; Read says which. What it gives — each
// question's answer, which questions are shown, each indicator — is
// what Answers decoded from the same document (DecodeAnswers) gives
// (FuzzIndexedAnswers checks this through reports.Preparer). Not safe
// for concurrent use; what Read read is valid until the next Read.
type IndexedAnswers struct {
	d     *Definition
	slots []indexedSlot // by question index
	// seen notes, by question index, the keys read of the document: 1
	// its answer, 2 its "other" text.
	seen []uint8
	// hidden says, by question index, that the question is answered but
	// not shown (Shown): later show_if rules do not see its answer.
	hidden []bool
	shown  []bool
	list   []string // the lists' items, one list after the other
	// rule is, by question index, 1 + the index in ruled of the first
	// question with the same show_if rule (0: none). A rule reads only
	// questions before the first question that has it, so it is the same
	// for all of them: Shown evaluates it once (ruled: 0 not yet, 1
	// shown, 2 not).
	rule  []int
	ruled []uint8
}

// AnswerKind is what an answer read by IndexedAnswers is.
type AnswerKind uint8

// The kinds of answers: as Answers holds them, none (no key, or null),
// a string, a json.Number, true or false, a []string.
const (
	NoAnswer AnswerKind = iota
	StringAnswer
	NumberAnswer
	TrueAnswer
	FalseAnswer
	ListAnswer
)

// indexedSlot is one question's answer as read.
type indexedSlot struct {
	kind AnswerKind
	// numOK says that num is the number's value as json.Number.Float64
	// reads it (not so out of float64's range).
	numOK bool
	// other says that its "other" text is a string that is not empty.
	other  bool
	boxed  bool // box is the value as an expression reads it
	num    float64
	text   []byte // a string answer's text
	lo, hi int    // a list's items in list
	box    any
}

// NewIndexedAnswers makes an IndexedAnswers for reading documents of d.
func (d *Definition) NewIndexedAnswers() *IndexedAnswers {
	n := len(d.order)
	a := &IndexedAnswers{d: d, slots: make([]indexedSlot, n), seen: make([]uint8, n), hidden: make([]bool, n),
		shown: make([]bool, n), list: make([]string, 0, 64), rule: make([]int, n), ruled: make([]uint8, n)}
	first := map[string]int{} // a rule's text → its first question
	for i, q := range d.order {
		if q.showIf == nil {
			continue
		}
		k := q.showIf.String()
		if j, ok := first[k]; ok {
			a.rule[i] = j + 1
		} else {
			first[k] = i
			a.rule[i] = i + 1
		}
	}
	return a
}

// Read reads the answers document data (a JSON object). It says false
// for anything but the plain case ReadAnswersObject reads — and for a
// key of the definition's given twice — so that the caller can decode it
// with DecodeAnswers instead (which decides or refuses it); what it read
// then is not to be used.
// Keys the definition does not know are read and left out: no answer
// the definition reads depends on them.
func (a *IndexedAnswers) Read(data []byte) bool {
	clear(a.slots)
	clear(a.seen)
	clear(a.hidden)
	a.list = a.list[:0]
	r := quickReader{d: data, names: a.d.names}
	next := 0 // where the next key is looked for first (answerNames.slot)
	r.space()
	if !r.byte('{') {
		return false
	}
	r.space()
	if r.byte('}') {
		return onlySpace(data[r.i:])
	}
	for {
		r.space()
		key, ok := r.raw()
		if !ok {
			return false
		}
		r.space()
		if !r.byte(':') {
			return false
		}
		r.space()
		at, known := a.d.names.slot(key, &next)
		switch {
		case !known:
			if _, ok := r.value(); !ok {
				return false
			}
		case at.other:
			if a.seen[at.q]&2 != 0 {
				return false
			}
			a.seen[at.q] |= 2
			var s indexedSlot
			if !a.value(&r, &s) {
				return false
			}
			a.slots[at.q].other = s.kind == StringAnswer && len(s.text) > 0
		default:
			if a.seen[at.q]&1 != 0 {
				return false
			}
			a.seen[at.q] |= 1
			if !a.value(&r, &a.slots[at.q]) {
				return false
			}
		}
		r.space()
		if r.byte('}') {
			return onlySpace(data[r.i:])
		}
		if !r.byte(',') {
			return false
		}
	}
}

// value reads a value into s as quickReader.value reads it (null: no
// answer).
func (a *IndexedAnswers) value(r *quickReader, s *indexedSlot) bool {
	if r.i >= len(r.d) {
		return false
	}
	switch c := r.d[r.i]; {
	case c == '"':
		b, ok := r.raw()
		s.kind, s.text = StringAnswer, b
		return ok
	case c == '-' || c >= '0' && c <= '9':
		b, ok := r.numberText()
		if !ok {
			return false
		}
		f, err := strconv.ParseFloat(string(b), 64)
		s.kind, s.num, s.numOK = NumberAnswer, f, err == nil
		return true
	case c == 't':
		s.kind = TrueAnswer
		return r.literal("true")
	case c == 'f':
		s.kind = FalseAnswer
		return r.literal("false")
	case c == 'n':
		return r.literal("null")
	case c == '[':
		r.i++
		s.kind, s.lo = ListAnswer, len(a.list)
		r.space()
		if r.byte(']') {
			s.hi = len(a.list)
			return true
		}
		for {
			r.space()
			item, ok := r.key() // an option's code, mostly
			if !ok {
				return false
			}
			a.list = append(a.list, item)
			r.space()
			if r.byte(']') {
				s.hi = len(a.list)
				return true
			}
			if !r.byte(',') {
				return false
			}
		}
	}
	return false
}

// Kind is what the answer to Questions()[i] is.
func (a *IndexedAnswers) Kind(i int) AnswerKind { return a.slots[i].kind }

// Text is the text of the answer to Questions()[i] when it is a string
// (StringAnswer); the bytes are valid until the next Read.
func (a *IndexedAnswers) Text(i int) []byte { return a.slots[i].text }

// Number is the answer to Questions()[i] when it is a number
// (NumberAnswer) as json.Number.Float64 reads it: ok is false where that
// fails (out of float64's range).
func (a *IndexedAnswers) Number(i int) (f float64, ok bool) { return a.slots[i].num, a.slots[i].numOK }

// List is the answer to Questions()[i] when it is a list (ListAnswer);
// valid until the next Read.
func (a *IndexedAnswers) List(i int) []string {
	s := &a.slots[i]
	return a.list[s.lo:s.hi:s.hi]
}

// OtherText reports whether the "other" text of Questions()[i] is a
// string that is not empty.
func (a *IndexedAnswers) OtherText(i int) bool { return a.slots[i].other }

// Shown is Definition.Shown for the answers read: shown[i] says whether
// Questions()[i] is shown. The slice is a's own, valid until the next
// call.
func (a *IndexedAnswers) Shown() []bool {
	view := indexedView{a: a, shownOnly: true}
	clear(a.ruled)
	for i, q := range a.d.order {
		ok := true
		if r := a.rule[i] - 1; r >= 0 {
			switch a.ruled[r] {
			case 0:
				ok, _ = eval(q.showIf, view).(bool)
				a.ruled[r] = 2
				if ok {
					a.ruled[r] = 1
				}
			case 2:
				ok = false
			}
		}
		a.shown[i] = ok
		// As in Definition.Shown, an answered question that is hidden
		// is not seen by the rules after it.
		a.hidden[i] = !ok && a.slots[i].kind != NoAnswer
	}
	return a.shown
}

// Compute is in.Compute(answers) for the answers read (in is one of the
// definition's indicators).
func (a *IndexedAnswers) Compute(in *Indicator) (v float64, ok bool) {
	v, ok = eval(in.expr, indexedView{a: a}).(float64)
	return v, ok
}

// indexedView is the answers read as an expression reads them: all of
// them, or (shownOnly) without those Shown has found hidden so far.
type indexedView struct {
	a         *IndexedAnswers
	shownOnly bool
}

func (v indexedView) ref(e *Expr) any {
	a := v.a
	i := e.qi - 1
	if i < 0 || i >= len(a.d.order) || a.d.order[i].Code != e.Str {
		// Not checked against this definition: found by its code.
		q := a.d.questions[e.Str]
		if q == nil || q.index >= len(a.d.order) || a.d.order[q.index] != q {
			return nil
		}
		i = q.index
	}
	if v.shownOnly && a.hidden[i] {
		return nil
	}
	s := &a.slots[i]
	if !s.boxed {
		s.box, s.boxed = a.refValue(s), true
	}
	return s.box
}

// refValue is refValue of the answer s as Answers would hold it.
func (a *IndexedAnswers) refValue(s *indexedSlot) any {
	switch s.kind {
	case StringAnswer:
		if v, ok := a.d.names.values[string(s.text)]; ok {
			return v
		}
		return string(s.text)
	case NumberAnswer:
		if s.numOK {
			return s.num
		}
	case TrueAnswer:
		return true
	case FalseAnswer:
		return false
	case ListAnswer:
		return a.list[s.lo:s.hi:s.hi]
	}
	return nil
}
