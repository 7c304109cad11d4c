package survey

import (
	"encoding/json"
	"strconv"
	"unicode/utf8"
)

// decodeAnswersFast decodes what DecodeAnswers decodes, for the common
// shape only — one object whose values are strings, numbers, true, false,
// null or arrays of strings, valid UTF-8 with no \u escape of a surrogate —
// giving exactly what DecodeAnswers gives, several times faster (no
// reflection, no intermediate map). ok is false for anything else (and
// for any error): DecodeAnswers then decodes it the general way.
func decodeAnswersFast(data []byte) (a Answers, ok bool) {
	if !utf8.Valid(data) || mayHaveSurrogateEscape(data) {
		return nil, false
	}
	d := fastDecoder{data: data}
	d.space()
	if !d.byte('{') {
		return nil, false
	}
	a = Answers{}
	d.space()
	if d.byte('}') {
		return a, d.end()
	}
	for {
		d.space()
		key, ok := d.str()
		if !ok {
			return nil, false
		}
		d.space()
		if !d.byte(':') {
			return nil, false
		}
		d.space()
		v, ok := d.value()
		if !ok {
			return nil, false
		}
		if v == nil {
			delete(a, key) // null: unanswered, whatever came before
		} else {
			a[key] = v
		}
		d.space()
		if d.byte(',') {
			continue
		}
		if d.byte('}') {
			return a, d.end()
		}
		return nil, false
	}
}

type fastDecoder struct {
	data []byte
	i    int
}

func (d *fastDecoder) space() {
	for d.i < len(d.data) {
		switch d.data[d.i] {
		case ' ', '\t', '\n', '\r':
			d.i++
		default:
			return
		}
	}
}

// byte consumes c if it is next.
func (d *fastDecoder) byte(c byte) bool {
	if d.i < len(d.data) && d.data[d.i] == c {
		d.i++
		return true
	}
	return false
}

// end reports whether nothing but white space is left.
func (d *fastDecoder) end() bool {
	d.space()
	return d.i == len(d.data)
}

// value reads a string, a number, true, false, null (nil) or an array of
// strings.
func (d *fastDecoder) value() (any, bool) {
	if d.i >= len(d.data) {
		return nil, false
	}
	switch c := d.data[d.i]; {
	case c == '"':
		return d.str()
	case c == '-' || c >= '0' && c <= '9':
		return d.number()
	case c == '[':
		d.i++
		list := []string{}
		d.space()
		if d.byte(']') {
			return list, true
		}
		for {
			d.space()
			if d.i >= len(d.data) || d.data[d.i] != '"' {
				return nil, false
			}
			s, ok := d.str()
			if !ok {
				return nil, false
			}
			list = append(list, s)
			d.space()
			if d.byte(',') {
				continue
			}
			if d.byte(']') {
				return list, true
			}
			return nil, false
		}
	case d.word("true"):
		return true, true
	case d.word("false"):
		return false, true
	case d.word("null"):
		return nil, true
	}
	return nil, false
}

// word consumes w if it is next.
func (d *fastDecoder) word(w string) bool {
	if len(d.data)-d.i >= len(w) && string(d.data[d.i:d.i+len(w)]) == w {
		d.i += len(w)
		return true
	}
	return false
}

// number reads a number as JSON writes one, kept as written.
func (d *fastDecoder) number() (any, bool) {
	start := d.i
	d.byte('-')
	digits := func() int {
		n := 0
		for d.i < len(d.data) && d.data[d.i] >= '0' && d.data[d.i] <= '9' {
			d.i++
			n++
		}
		return n
	}
	if d.byte('0') {
		// a leading zero stands alone
	} else if digits() == 0 {
		return nil, false
	}
	if d.byte('.') && digits() == 0 {
		return nil, false
	}
	if d.byte('e') || d.byte('E') {
		if !d.byte('+') {
			d.byte('-')
		}
		if digits() == 0 {
			return nil, false
		}
	}
	return json.Number(d.data[start:d.i]), true
}

// str reads a string literal (the data are valid UTF-8 and hold no
// escaped surrogate).
func (d *fastDecoder) str() (string, bool) {
	if !d.byte('"') {
		return "", false
	}
	start := d.i
	for d.i < len(d.data) {
		switch c := d.data[d.i]; {
		case c == '"':
			s := string(d.data[start:d.i])
			d.i++
			return s, true
		case c == '\\':
			return d.escaped(start)
		case c < 0x20:
			return "", false
		default:
			d.i++
		}
	}
	return "", false
}

// escaped reads the rest of a string literal from start that has an
// escape at d.i.
func (d *fastDecoder) escaped(start int) (string, bool) {
	b := append([]byte(nil), d.data[start:d.i]...)
	for d.i < len(d.data) {
		c := d.data[d.i]
		switch {
		case c == '"':
			d.i++
			return string(b), true
		case c < 0x20:
			return "", false
		case c != '\\':
			b = append(b, c)
			d.i++
			continue
		}
		if d.i+1 >= len(d.data) {
			return "", false
		}
		d.i += 2
		switch e := d.data[d.i-1]; e {
		case '"', '\\', '/':
			b = append(b, e)
		case 'b':
			b = append(b, '\b')
		case 'f':
			b = append(b, '\f')
		case 'n':
			b = append(b, '\n')
		case 'r':
			b = append(b, '\r')
		case 't':
			b = append(b, '\t')
		case 'u':
			if len(d.data)-d.i < 4 {
				return "", false
			}
			n, err := strconv.ParseUint(string(d.data[d.i:d.i+4]), 16, 32)
			if err != nil {
				return "", false
			}
			d.i += 4
			b = utf8.AppendRune(b, rune(n))
		default:
			return "", false
		}
	}
	return "", false
}
