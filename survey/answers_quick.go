package survey

import (
	"cmp"
	"encoding/binary"
	"encoding/json"
	"slices"
	"strings"
	"unicode/utf16"
	"unicode/utf8"
)

// ReadAnswersObject reads, in one pass, the JSON object of answers that
// starts data (after white space) and returns the answers and how many
// bytes of data it took. It handles only the plain case — string keys
// given once, values that are strings (valid UTF-8, no lone surrogate),
// numbers, true, false, null or arrays of strings — and says ok=false for
// anything else, malformed or not, so that the caller can fall back to
// DecodeAnswers (and its error). Where ok is true the answers are the ones
// DecodeAnswers gives for the same object (FuzzReadAnswersObject checks
// this): nulls are left out, arrays are []string, numbers json.Number.
func ReadAnswersObject(data []byte) (a Answers, n int, ok bool) {
	return readAnswersObject(data, nil)
}

// ReadAnswersObject is the package's ReadAnswersObject (the same answers,
// n and ok for the same data) sharing the strings d knows — question
// codes, "other" keys, option codes — instead of allocating each again:
// for a request's answers to d (the autosave's body).
func (d *Definition) ReadAnswersObject(data []byte) (a Answers, n int, ok bool) {
	return readAnswersObject(data, d.names)
}

// readAnswersObject is ReadAnswersObject, taking the strings it finds in
// names (when not nil) instead of allocating them.
func readAnswersObject(data []byte, names *answerNames) (a Answers, n int, ok bool) {
	r := quickReader{d: data, names: names}
	r.space()
	if !r.byte('{') {
		return nil, 0, false
	}
	a = make(Answers, min(len(data)/32, 512))
	r.space()
	if r.byte('}') {
		return a, r.i, true
	}
	for {
		r.space()
		key, ok := r.key()
		if !ok {
			return nil, 0, false
		}
		if _, dup := a[key]; dup {
			return nil, 0, false
		}
		r.space()
		if !r.byte(':') {
			return nil, 0, false
		}
		r.space()
		v, ok := r.value()
		if !ok {
			return nil, 0, false
		}
		if v == nil {
			// Left out, as DecodeAnswers does; a later repeat of the key
			// goes to the slow path, which refuses or decides it.
			if r.seenNull == nil {
				r.seenNull = map[string]bool{}
			}
			if r.seenNull[key] {
				return nil, 0, false
			}
			r.seenNull[key] = true
		} else {
			if r.seenNull[key] {
				return nil, 0, false
			}
			a[key] = v
		}
		r.space()
		if r.byte('}') {
			return a, r.i, true
		}
		if !r.byte(',') {
			return nil, 0, false
		}
	}
}

// quickReader is ReadAnswersObject's cursor.
type quickReader struct {
	d        []byte
	i        int
	seenNull map[string]bool
	names    *answerNames // nil: every string is made anew
}

// answerNames are the strings a definition's answers are mostly made of —
// question codes and their "other" keys, option codes — each made once
// (newAnswerNames, when the definition is loaded), so that reading many
// responses' answers (the charts read a round's at once) shares them
// instead of allocating each again: keys as strings, and option codes
// also as the value an answer holds (a string in an interface, which
// would be allocated again too).
type answerNames struct {
	keys   map[string]string
	values map[string]any
	// slots are the answer keys of d's questions by name: which
	// question's answer or "other" text each is (IndexedAnswers);
	// ordered the same keys in the order jsonb writes an object's keys
	// (shorter first, then byte by byte), where slot looks first.
	slots   map[string]answerSlot
	ordered []orderedSlot
}

type orderedSlot struct {
	key  string
	slot answerSlot
}

// slot finds key's slot: first among the keys from *next on in jsonb's
// order — the keys of a document the database wrote out come in that
// order, so the next one is mostly there, a few places on, and found
// without hashing it — else by name. A key found in order moves *next
// past it. Which slot it gives does not depend on *next.
func (n *answerNames) slot(key []byte, next *int) (answerSlot, bool) {
	for i := *next; i < len(n.ordered); i++ {
		k := n.ordered[i].key
		if len(k) > len(key) {
			break
		}
		if len(k) == len(key) && string(key) == k {
			*next = i + 1
			return n.ordered[i].slot, true
		}
	}
	s, ok := n.slots[string(key)]
	return s, ok
}

// answerSlot is where an answer key goes: the answer (other false) or
// the "other" text (other true) of d.Questions()[q].
type answerSlot struct {
	q     int
	other bool
}

func newAnswerNames(d *Definition) *answerNames {
	n := &answerNames{keys: map[string]string{}, values: map[string]any{}, slots: map[string]answerSlot{}}
	for i, q := range d.order {
		n.keys[q.Code] = q.Code
		n.slots[q.Code] = answerSlot{q: i}
		if q.Other {
			k := q.OtherKey()
			n.keys[k] = k
			n.slots[k] = answerSlot{q: i, other: true}
		}
		for _, o := range q.AllOptions() {
			n.keys[o.Code] = o.Code
			n.values[o.Code] = o.Code
		}
	}
	for k, s := range n.slots {
		n.ordered = append(n.ordered, orderedSlot{key: k, slot: s})
	}
	slices.SortFunc(n.ordered, func(a, b orderedSlot) int {
		return cmp.Or(cmp.Compare(len(a.key), len(b.key)), strings.Compare(a.key, b.key))
	})
	return n
}

// key reads a string literal as an object's key.
func (r *quickReader) key() (string, bool) {
	b, ok := r.raw()
	if !ok {
		return "", false
	}
	if r.names != nil {
		if s, ok := r.names.keys[string(b)]; ok {
			return s, true
		}
	}
	return string(b), true
}

// strValue reads a string literal as an answer (an interface holding the
// string).
func (r *quickReader) strValue() (any, bool) {
	b, ok := r.raw()
	if !ok {
		return nil, false
	}
	if r.names != nil {
		if v, ok := r.names.values[string(b)]; ok {
			return v, true
		}
	}
	return string(b), true
}

func (r *quickReader) space() {
	for r.i < len(r.d) {
		switch r.d[r.i] {
		case ' ', '\t', '\n', '\r':
			r.i++
		default:
			return
		}
	}
}

// byte takes c if it is next.
func (r *quickReader) byte(c byte) bool {
	if r.i < len(r.d) && r.d[r.i] == c {
		r.i++
		return true
	}
	return false
}

// literal takes the word w (true, false, null) if it is next.
func (r *quickReader) literal(w string) bool {
	if len(r.d)-r.i >= len(w) && string(r.d[r.i:r.i+len(w)]) == w {
		r.i += len(w)
		return true
	}
	return false
}

// value reads a value: string, json.Number, bool, []string, or nil for
// null; ok is false for anything else.
func (r *quickReader) value() (any, bool) {
	if r.i >= len(r.d) {
		return nil, false
	}
	switch c := r.d[r.i]; {
	case c == '"':
		return r.strValue()
	case c == '-' || c >= '0' && c <= '9':
		return r.number()
	case c == 't':
		return true, r.literal("true")
	case c == 'f':
		return false, r.literal("false")
	case c == 'n':
		return nil, r.literal("null")
	case c == '[':
		r.i++
		out := []string{}
		r.space()
		if r.byte(']') {
			return out, true
		}
		for {
			r.space()
			s, ok := r.key() // an option's code, mostly
			if !ok {
				return nil, false
			}
			out = append(out, s)
			r.space()
			if r.byte(']') {
				return out, true
			}
			if !r.byte(',') {
				return nil, false
			}
		}
	}
	return nil, false
}

// number reads a number as JSON writes it: -?(0|[1-9][0-9]*)(.[0-9]+)?([eE][+-]?[0-9]+)?
func (r *quickReader) number() (any, bool) {
	b, ok := r.numberText()
	if !ok {
		return nil, false
	}
	return json.Number(b), true
}

// numberText reads a number as number does, giving its text (data's own
// bytes).
func (r *quickReader) numberText() ([]byte, bool) {
	start := r.i
	r.byte('-')
	switch {
	case r.byte('0'):
	case r.i < len(r.d) && r.d[r.i] >= '1' && r.d[r.i] <= '9':
		r.digits()
	default:
		return nil, false
	}
	if r.byte('.') {
		if r.digits() == 0 {
			return nil, false
		}
	}
	if r.byte('e') || r.byte('E') {
		if !r.byte('+') {
			r.byte('-')
		}
		if r.digits() == 0 {
			return nil, false
		}
	}
	return r.d[start:r.i], true
}

func (r *quickReader) digits() int {
	n := 0
	for r.i < len(r.d) && r.d[r.i] >= '0' && r.d[r.i] <= '9' {
		r.i++
		n++
	}
	return n
}

// raw reads a string literal: valid UTF-8, no control characters, escapes
// decoded; ok is false for anything else and for a lone surrogate (which
// DecodeAnswers keeps as sent). The bytes are data's own when the literal
// has no escape: a caller that keeps them makes a string of them.
func (r *quickReader) raw() ([]byte, bool) {
	if !r.byte('"') {
		return nil, false
	}
	start := r.i
	ascii := true
	// Eight bytes at a time while none of them is a quote, a backslash
	// or a control character (the loop below finds which one is).
	for r.i+8 <= len(r.d) {
		w := binary.LittleEndian.Uint64(r.d[r.i:])
		if stops(w) {
			break
		}
		if w&highBits != 0 {
			ascii = false
		}
		r.i += 8
	}
	for r.i < len(r.d) {
		c := r.d[r.i]
		switch {
		case c == '"':
			s := r.d[start:r.i]
			r.i++
			if !ascii && !utf8.Valid(s) {
				return nil, false
			}
			return s, true
		case c == '\\':
			return r.escaped(start)
		case c < 0x20:
			return nil, false
		case c >= utf8.RuneSelf:
			ascii = false
		}
		r.i++
	}
	return nil, false
}

// The bytes of a word with all eight bits set: lowBits their lowest,
// highBits their highest.
const (
	lowBits  = 0x0101010101010101
	highBits = 0x8080808080808080
)

// stops reports whether one of the eight bytes of w (little-endian) is a
// quote, a backslash or below 0x20: where a string literal's plain run
// stops. (x - lowBits*n) &^ x & highBits is not zero exactly when a byte
// of x is below n (n at most 0x80); a byte equal to c is a zero byte of
// x ^ lowBits*c.
func stops(w uint64) bool {
	q := w ^ (lowBits * '"')
	b := w ^ (lowBits * '\\')
	return ((w-lowBits*0x20)&^w|(q-lowBits)&^q|(b-lowBits)&^b)&highBits != 0
}

// escaped reads the rest of a string literal from start (just after its
// opening quote) that has an escape.
func (r *quickReader) escaped(start int) ([]byte, bool) {
	b := make([]byte, 0, r.i-start+16)
	b = append(b, r.d[start:r.i]...)
	for r.i < len(r.d) {
		c := r.d[r.i]
		switch {
		case c == '"':
			r.i++
			if !utf8.Valid(b) {
				return nil, false
			}
			return b, true
		case c < 0x20:
			return nil, false
		case c != '\\':
			b = append(b, c)
			r.i++
			continue
		}
		r.i++
		if r.i >= len(r.d) {
			return nil, false
		}
		e := r.d[r.i]
		r.i++
		if c, ok := jsonEscape(e); ok {
			b = append(b, c)
			continue
		}
		switch e {
		case 'u':
			x, ok := hex4(r.d[r.i:])
			if !ok {
				return nil, false
			}
			r.i += 4
			if utf16.IsSurrogate(x) {
				if len(r.d)-r.i < 6 || r.d[r.i] != '\\' || r.d[r.i+1] != 'u' {
					return nil, false
				}
				y, ok := hex4(r.d[r.i+2:])
				if !ok {
					return nil, false
				}
				x = utf16.DecodeRune(x, y)
				if x == utf8.RuneError {
					return nil, false
				}
				r.i += 6
			}
			b = utf8.AppendRune(b, x)
		default:
			return nil, false
		}
	}
	return nil, false
}
