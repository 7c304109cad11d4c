package reports

import (
	"encoding/json"
	"math"
	"math/big"
	"strings"

	"github.com/civitas-lv/surveyd/survey"
)

// FeedbackPrevious is the round before the report's in its series, for
// "this year beside last year": only the municipality's own answers there
// (nothing of another municipality's).
type FeedbackPrevious struct {
	Definition *survey.Definition
	// ReferenceYear is the round's; 0 means the definition's.
	ReferenceYear int
	// Answers are the municipality's submitted answers in that round; nil
	// when it did not submit there.
	Answers survey.Answers
}

// previous puts the municipality's own answer in the previous round beside
// each item that continues its series there (survey.LinkSeries: the same
// code or renamed_from, nothing changed that breaks comparison, no
// breaks_series), when the question was shown to it there and answered
// (an indicator: when it can be computed).
func (b *feedbackBuilder) previous(p *FeedbackPrevious) {
	if p == nil || p.Definition == nil || p.Answers == nil {
		return
	}
	year := p.ReferenceYear
	if year == 0 {
		year = p.Definition.ReferenceYear
	}
	link := survey.LinkSeries(p.Definition, b.def)
	visible := p.Definition.Visible(p.Answers)
	for _, sec := range b.f.Sections {
		for _, it := range sec.Items {
			var text string
			switch {
			case it.Indicator != nil:
				if link.Indicators[it.Code] {
					text = b.previousIndicator(p, it)
				}
			case it.Question != nil:
				if from, ok := link.Questions[it.Code]; ok && visible[from] {
					text = b.previousAnswer(p.Definition.Question(from), p.Answers[from], it)
				}
			}
			if text != "" {
				it.PrevYear, it.PrevText = year, text
			}
		}
	}
}

func (b *feedbackBuilder) previousIndicator(p *FeedbackPrevious, it *FeedbackItem) string {
	for _, in := range p.Definition.Indicators {
		if in.Code != it.Code {
			continue
		}
		if v, ok := in.Compute(p.Answers); ok && !math.IsInf(v, 0) && !math.IsNaN(v) {
			return feedbackIndicatorValue(it.Indicator, v, b.lang)
		}
	}
	return ""
}

// previousAnswer writes an answer of the previous round as this round's
// item writes its own: a quantity, or the chosen options' labels (a
// series keeps its option codes, so this round's labels name them).
func (b *feedbackBuilder) previousAnswer(q *survey.Question, v any, it *FeedbackItem) string {
	if q == nil || v == nil {
		return ""
	}
	label := func(code string) string {
		for _, o := range it.Options {
			if o.Code == code {
				return o.Label
			}
		}
		return ""
	}
	switch x := v.(type) {
	case json.Number:
		if r, ok := new(big.Rat).SetString(x.String()); ok && q.Type.IsNumber() {
			return survey.FormatQuantity(q.Type, r, b.lang)
		}
	case string:
		return label(x)
	case bool:
		if x {
			return label("true")
		}
		return label("false")
	case []string:
		chosen := map[string]bool{}
		for _, c := range x {
			chosen[c] = true
		}
		var labels []string
		for _, o := range it.Options { // in this round's order, as its own answer
			if chosen[o.Code] {
				labels = append(labels, o.Label)
			}
		}
		return strings.Join(labels, "; ")
	}
	return ""
}
