package manage

import (
	"bytes"

	"github.com/civitas-lv/surveyd/survey"
)

// decodedDocsBudget is about how many bytes of answers documents (and
// three times as much for their decoded answers) decodedDocs keeps: some
// 2,000 responses of the regional questionnaire (about 1 KB each). A
// round with more keeps none: the documents are let go as soon as they
// pass it, so a big round's tracker is not built beside them.
const decodedDocsBudget = 2 << 20

// decodedDocs keeps the answers documents the tracker decoded, by
// municipality, while they all fit in budget bytes, for the report rows read
// after it in the same snapshot: take gives a document's answers when its
// bytes are the same, so each response is decoded once, not once for the
// tracker and again for the report. The answers are shared: neither the
// tracker nor the reports change them. A nil *decodedDocs keeps nothing.
type decodedDocs struct {
	budget int
	size   int
	full   bool // past budget: nothing kept
	docs   map[string]decodedDoc
}

type decodedDoc struct {
	raw     []byte
	answers survey.Answers
}

// keep keeps a municipality's document and its answers while they all
// fit; once one does not, it lets every one go and keeps no more.
func (d *decodedDocs) keep(code string, raw []byte, a survey.Answers) {
	if d == nil || d.full {
		return
	}
	if d.size+len(raw) > d.budget {
		d.full, d.docs, d.size = true, nil, 0
		return
	}
	if d.docs == nil {
		d.docs = map[string]decodedDoc{}
	}
	d.size += len(raw)
	d.docs[code] = decodedDoc{raw: raw, answers: a}
}

// take gives the answers kept for the municipality if they were decoded
// from the same bytes as raw, and lets them go.
func (d *decodedDocs) take(code string, raw []byte) (survey.Answers, bool) {
	if d == nil {
		return nil, false
	}
	doc, ok := d.docs[code]
	if !ok {
		return nil, false
	}
	delete(d.docs, code)
	d.size -= len(doc.raw)
	if !bytes.Equal(doc.raw, raw) {
		return nil, false
	}
	return doc.answers, true
}
