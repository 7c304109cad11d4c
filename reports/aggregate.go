package reports

import (
	"encoding/json"
	"math"
	"slices"
	"strconv"

	"github.com/civitas-lv/surveyd/survey"
)

// Summary is the aggregate of a set of responses.
type Summary struct {
	Definition *survey.Definition
	Filter     Filter
	// Responses is how many responses are in the set.
	Responses int
	// Questions holds every question, in definition order.
	Questions []*QuestionSummary
	// Indicators holds every indicator of the definition, in order.
	Indicators []*IndicatorSummary
	// Regions compares the planning regions: responses and indicators.
	Regions []*GroupSummary
}

// QuestionSummary aggregates one question.
type QuestionSummary struct {
	Question *survey.Question
	// Answered counts responses with an answer; NotApplicable those where
	// the question was not shown (show_if false or unknown); Missing those
	// where it was shown and left unanswered.
	Answered, NotApplicable, Missing int
	// Options counts each option (single, multi, yes/no), in display
	// order, "other" last (labelled "Cits", see survey.CategoryLabel). Percent is of Answered: for multiple choice the
	// share of respondents who chose the option, so they may sum past 100.
	Options []OptionCount
	// Numbers summarises numeric answers (nil for other types).
	Numbers *Stats
	// Texts counts free-text answers (text and longtext types), including
	// the "other" texts of choice questions.
	Texts int
}

// OptionCount is how many responses chose an option.
type OptionCount struct {
	Code    string
	Label   survey.Text
	Count   int
	Percent float64
}

// Stats summarises numbers. Quartiles and the median interpolate between
// closest ranks (as Excel's QUARTILE.INC and MEDIAN), so a spreadsheet gives
// the same figures.
type Stats struct {
	N                   int
	Sum, Mean           float64
	Min, Q1, Median, Q3 float64
	Max                 float64
	values              []float64
}

// IndicatorSummary summarises an indicator over the responses where it
// can be computed.
type IndicatorSummary struct {
	Indicator *survey.Indicator
	Stats
}

// GroupSummary is one planning region's part.
type GroupSummary struct {
	Name       string
	Responses  int
	Indicators []*IndicatorSummary
}

// Aggregate reads the rows the filter keeps and summarises them.
func Aggregate(def *survey.Definition, rows Rows, f Filter) (*Summary, error) {
	s := &Summary{Definition: def, Filter: f}
	byCode := map[string]*QuestionSummary{}
	for _, q := range def.Questions() {
		qs := &QuestionSummary{Question: q}
		switch {
		case q.Type.IsChoice():
			for _, o := range q.AllOptions() {
				qs.Options = append(qs.Options, OptionCount{Code: o.Code, Label: q.CategoryLabel(o.Code)})
			}
		case q.Type == survey.YesNo:
			qs.Options = []OptionCount{{Code: "true", Label: survey.Text{LV: "Jā", EN: "Yes"}},
				{Code: "false", Label: survey.Text{LV: "Nē", EN: "No"}}}
		case q.Type.IsNumber():
			qs.Numbers = &Stats{}
		}
		s.Questions = append(s.Questions, qs)
		byCode[q.Code] = qs
	}
	for _, in := range def.Indicators {
		s.Indicators = append(s.Indicators, &IndicatorSummary{Indicator: in})
	}
	// slot[i] is the summary of def.Questions()[i] (by code, as a
	// response's answers are).
	slot := make([]*QuestionSummary, len(def.Questions()))
	for i, q := range def.Questions() {
		slot[i] = byCode[q.Code]
	}
	regions := map[string]*GroupSummary{}
	for r, err := range rows {
		if err != nil {
			return nil, err
		}
		if !f.Keep(r) {
			continue
		}
		s.Responses++
		g := regions[r.Municipality.PlanningRegion]
		if g == nil {
			g = &GroupSummary{Name: r.Municipality.PlanningRegion}
			for _, in := range def.Indicators {
				g.Indicators = append(g.Indicators, &IndicatorSummary{Indicator: in})
			}
			regions[g.Name] = g
		}
		g.Responses++
		p := r.Prepared
		if p == nil || p.def != def {
			p = Prepare(def, r.Answers)
		}
		next := 0 // the next of p.values
		for i, qs := range slot {
			switch st := p.state[i]; {
			case st&shown == 0:
				qs.NotApplicable++
			case st&answered == 0:
				qs.Missing++
			default:
				qs.Answered++
				qs.count(p.values[next])
				next++
				if st&otherText != 0 {
					qs.Texts++
				}
			}
		}
		for i, v := range p.indicators {
			if !math.IsNaN(v) {
				s.Indicators[i].add(v)
				g.Indicators[i].add(v)
			}
		}
	}
	for _, qs := range s.Questions {
		for i := range qs.Options {
			qs.Options[i].Percent = pct(qs.Options[i].Count, qs.Answered)
		}
		if qs.Numbers != nil {
			qs.Numbers.finish()
		}
	}
	for _, is := range s.Indicators {
		is.finish()
	}
	for _, g := range regions {
		for _, is := range g.Indicators {
			is.finish()
		}
		s.Regions = append(s.Regions, g)
	}
	// Region names are Latvian in either language.
	survey.SortByName(s.Regions, "lv", func(g *GroupSummary) string { return g.Name })
	return s, nil
}

// Prepared is a response's answers as Aggregate reads them under one
// definition: which questions are shown, each one's answer, whether its
// "other" text is filled in, each indicator's value. Making it (Prepare)
// evaluates the show-if rules and the indicators, most of what
// aggregating costs: a caller that keeps a response's Prepared (Row's)
// while the response is unchanged aggregates it again for much less. It
// is not changed once made, and may be shared.
type Prepared struct {
	def *survey.Definition
	// state is by the index of def.Questions(): shown, answered (and
	// shown), otherText (answered, with its "other" text filled in);
	// values are the answers of the questions answered, in that order.
	state  []uint8
	values []any
	// indicators are by the index of def.Indicators: the value, or NaN
	// where it cannot be computed (or is infinite).
	indicators []float64
}

// The bits of Prepared.state.
const (
	shown = 1 << iota
	answered
	otherText
)

// Prepare reads answers as Aggregate does under def (see Prepared).
func Prepare(def *survey.Definition, answers survey.Answers) *Prepared {
	qs := def.Questions()
	p := &Prepared{def: def, state: make([]uint8, len(qs)), indicators: make([]float64, len(def.Indicators))}
	visible := def.Shown(answers, nil)
	n := 0
	for i, q := range qs {
		if _, ok := answers[q.Code]; ok && visible[i] {
			n++
		}
	}
	p.values = make([]any, 0, n)
	for i, q := range qs {
		if !visible[i] {
			continue
		}
		p.state[i] = shown
		v, ok := answers[q.Code]
		if !ok {
			continue
		}
		p.state[i] |= answered
		p.values = append(p.values, preparedValue(q, v))
		if !q.Other {
			continue
		}
		if t, ok := answers[q.OtherKey()].(string); ok && t != "" {
			p.state[i] |= otherText
		}
	}
	for i, in := range def.Indicators {
		p.indicators[i] = math.NaN()
		if v, ok := in.Compute(answers); ok && !math.IsInf(v, 0) && !math.IsNaN(v) {
			p.indicators[i] = v
		}
	}
	return p
}

// preparedValue is what Aggregate needs of an answer to q: an option's
// code, the codes chosen, a yes or no as they are; a number as its value
// (nothing when it has none); of a text only that it is one.
func preparedValue(q *survey.Question, v any) any {
	switch x := v.(type) {
	case string:
		if q.Type != survey.Single {
			return textAnswer{}
		}
	case json.Number:
		f, err := x.Float64()
		if err != nil {
			return nil
		}
		return numberAnswer(f)
	}
	return v
}

// textAnswer and numberAnswer are a text answer and a number answer as
// Prepared keeps them (preparedValue).
type (
	textAnswer   struct{}
	numberAnswer float64
)

// Definition is the definition p was made under.
func (p *Prepared) Definition() *survey.Definition { return p.def }

// Question returns a question's summary by code (nil if unknown).
func (s *Summary) Question(code string) *QuestionSummary {
	for _, qs := range s.Questions {
		if qs.Question.Code == code {
			return qs
		}
	}
	return nil
}

func (qs *QuestionSummary) count(v any) {
	q := qs.Question
	switch x := v.(type) {
	case string:
		if q.Type == survey.Single {
			qs.bump(x)
		} else {
			qs.Texts++
		}
	case []string:
		for _, c := range x {
			qs.bump(c)
		}
	case bool:
		qs.bump(strconv.FormatBool(x))
	case json.Number:
		if f, err := x.Float64(); err == nil && qs.Numbers != nil {
			qs.Numbers.add(f)
		}
	case textAnswer:
		qs.Texts++
	case numberAnswer:
		if qs.Numbers != nil {
			qs.Numbers.add(float64(x))
		}
	}
}

func (qs *QuestionSummary) bump(code string) {
	for i := range qs.Options {
		if qs.Options[i].Code == code {
			qs.Options[i].Count++
			return
		}
	}
}

func (st *Stats) add(v float64) {
	st.values = append(st.values, v)
}

func (st *Stats) finish() {
	v := st.values
	st.N = len(v)
	if st.N == 0 {
		return
	}
	slices.Sort(v)
	st.Sum = 0
	for _, x := range v {
		st.Sum += x
	}
	st.Mean = st.Sum / float64(st.N)
	st.Min, st.Max = v[0], v[st.N-1]
	st.Q1, st.Median, st.Q3 = quantile(v, .25), quantile(v, .5), quantile(v, .75)
}

// Values returns a copy of the numbers summarised, sorted (for
// distributions).
func (st *Stats) Values() []float64 { return slices.Clone(st.values) }

// quantile interpolates between closest ranks of sorted values (R type 7).
func quantile(sorted []float64, p float64) float64 {
	h := p * float64(len(sorted)-1)
	lo := math.Floor(h)
	i := int(lo)
	if i+1 >= len(sorted) {
		return sorted[len(sorted)-1]
	}
	return sorted[i] + (h-lo)*(sorted[i+1]-sorted[i])
}

func pct(n, of int) float64 {
	if of == 0 {
		return 0
	}
	return 100 * float64(n) / float64(of)
}
