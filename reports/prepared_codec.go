package reports

import (
	"encoding/binary"
	"errors"
	"math"

	"github.com/civitas-lv/surveyd/survey"
)

// PreparedFormat names how AppendPrepared writes a response's Prepared
// and what Prepare makes of answers. A prepared form is kept in the
// database beside this number (and the questionnaire's SHA-256), and one
// of another number is not read: raise it whenever Prepare reads answers
// otherwise (which questions are shown, what an answer adds, the
// indicators) or the encoding changes, so that a form written by code
// that prepared otherwise is made again from the answers rather than
// counted. TestPreparedFormatPinned fails on such a change until it is
// raised.
const PreparedFormat = 1

// ErrPreparedForm is returned by Preparer.Decode for bytes that are not a
// prepared form of the Preparer's questionnaire in PreparedFormat.
var ErrPreparedForm = errors.New("reports: not a prepared form of this questionnaire")

// AppendPrepared appends p's encoding to b: the format (one byte), then
// the state of each question, the numbers, the options counted and the
// indicators, each list after its length (unsigned varints; the numbers
// and indicators as 8-byte IEEE 754 values, little-endian, NaN kept).
// It holds no text of any answer: which questions are shown and
// answered, each number of a number question, each option chosen, each
// indicator's value. Preparer.Decode reads it back under the same
// questionnaire.
func AppendPrepared(b []byte, p *Prepared) []byte {
	b = append(b, PreparedFormat)
	b = binary.AppendUvarint(b, uint64(len(p.state)))
	b = append(b, p.state...)
	b = appendFloats(b, p.nums)
	b = binary.AppendUvarint(b, uint64(len(p.picks)))
	for _, k := range p.picks {
		b = binary.AppendUvarint(b, uint64(k))
	}
	return appendFloats(b, p.indicators)
}

func appendFloats(b []byte, v []float64) []byte {
	b = binary.AppendUvarint(b, uint64(len(v)))
	for _, f := range v {
		b = binary.LittleEndian.AppendUint64(b, math.Float64bits(f))
	}
	return b
}

// Decode reads a prepared form written by AppendPrepared under the
// Preparer's questionnaire: the same Prepared as Prepare made, cut from
// the Preparer's slabs. Bytes of another format, made under another
// questionnaire (other questions, options or indicators) or not made by
// AppendPrepared at all give ErrPreparedForm, never a Prepared that
// Aggregate could not count.
func (pr *Preparer) Decode(data []byte) (*Prepared, error) {
	b := &pr.b
	b.start(pr.def)
	d := formReader{data: data}
	if d.byte() != PreparedFormat || d.uvarint() != uint64(len(b.state)) {
		return nil, ErrPreparedForm
	}
	copy(b.state, d.bytes(len(b.state)))
	n := d.uvarint()
	if n > uint64(len(b.state)) {
		return nil, ErrPreparedForm
	}
	for range n {
		b.nums = append(b.nums, d.float())
	}
	n = d.uvarint()
	if n > uint64(len(d.data)) { // a varint takes a byte at least
		return nil, ErrPreparedForm
	}
	for range n {
		k := d.uvarint()
		if k > math.MaxUint32 {
			return nil, ErrPreparedForm
		}
		b.picks = append(b.picks, uint32(k))
	}
	if d.uvarint() != uint64(len(b.indicators)) {
		return nil, ErrPreparedForm
	}
	for i := range b.indicators {
		b.indicators[i] = d.float()
	}
	if d.bad || len(d.data) != 0 || !b.consistent() {
		return nil, ErrPreparedForm
	}
	return pr.slab.done(b), nil
}

// consistent reports whether b is what Aggregate can count under its
// questionnaire: each question's state as Prepare sets it (answered only
// if shown, one kind at most and only if answered, "other" text only
// where the question has it), a number for each number answer of a
// number question, and for each answer counting options how many and
// which, each one of the question's summary's options.
func (b *preparing) consistent() bool {
	nums, picks := b.nums, b.picks
	for i, st := range b.state {
		q := b.qs[i]
		if st&^(shown|answered|otherText|kindText|kindNumber|kindPicks) != 0 ||
			st&answered != 0 && st&shown == 0 || st&^(shown|answered) != 0 && st&answered == 0 ||
			st&otherText != 0 && !q.Other {
			return false
		}
		switch st & (kindText | kindNumber | kindPicks) {
		case 0, kindText:
		case kindNumber:
			if !q.Type.IsNumber() || len(nums) == 0 {
				return false
			}
			nums = nums[1:]
		case kindPicks:
			if len(picks) == 0 || uint64(picks[0]) >= uint64(len(picks)) {
				return false
			}
			n := int(picks[0])
			for _, k := range picks[1 : 1+n] {
				if int64(k) >= int64(summaryOptions(q)) {
					return false
				}
			}
			picks = picks[1+n:]
		default:
			return false
		}
	}
	return len(nums) == 0 && len(picks) == 0
}

// summaryOptions is how many options Aggregate's summary of q has: those
// an answer's picks index.
func summaryOptions(q *survey.Question) int {
	switch {
	case q.Type.IsChoice():
		return len(q.AllOptions())
	case q.Type == survey.YesNo:
		return 2
	}
	return 0
}

// formReader reads a prepared form; bad is set once it runs short or a
// varint is malformed (every read after gives zeros).
type formReader struct {
	data []byte
	bad  bool
}

func (d *formReader) byte() byte {
	if len(d.data) == 0 {
		d.bad = true
		return 0
	}
	c := d.data[0]
	d.data = d.data[1:]
	return c
}

func (d *formReader) uvarint() uint64 {
	v, n := binary.Uvarint(d.data)
	if n <= 0 {
		d.bad, d.data = true, nil
		return 0
	}
	d.data = d.data[n:]
	return v
}

func (d *formReader) bytes(n int) []byte {
	if len(d.data) < n {
		d.bad, d.data = true, nil
		return nil
	}
	b := d.data[:n]
	d.data = d.data[n:]
	return b
}

func (d *formReader) float() float64 {
	b := d.bytes(8)
	if b == nil {
		return 0
	}
	return math.Float64frombits(binary.LittleEndian.Uint64(b))
}
