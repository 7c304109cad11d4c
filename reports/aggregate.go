package reports

import (
	"encoding/json"
	"math"
	"runtime"
	"slices"
	"strconv"
	"sync"
	"sync/atomic"

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
		nums, picks := p.nums, p.picks // what is left of them
		for i, qs := range slot {
			switch st := p.state[i]; {
			case st&shown == 0:
				qs.NotApplicable++
			case st&answered == 0:
				qs.Missing++
			default:
				qs.Answered++
				switch {
				case st&kindText != 0:
					qs.Texts++
				case st&kindNumber != 0:
					qs.Numbers.add(nums[0])
					nums = nums[1:]
				case st&kindPicks != 0:
					n := int(picks[0])
					for _, k := range picks[1 : 1+n] {
						qs.Options[k].Count++
					}
					picks = picks[1+n:]
				}
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
	var stats []*Stats
	for _, qs := range s.Questions {
		for i := range qs.Options {
			qs.Options[i].Percent = pct(qs.Options[i].Count, qs.Answered)
		}
		if qs.Numbers != nil {
			stats = append(stats, qs.Numbers)
		}
	}
	for _, is := range s.Indicators {
		stats = append(stats, &is.Stats)
	}
	for _, g := range regions {
		for _, is := range g.Indicators {
			stats = append(stats, &is.Stats)
		}
		s.Regions = append(s.Regions, g)
	}
	finishAll(stats)
	// Region names are Latvian in either language.
	survey.SortByName(s.Regions, "lv", func(g *GroupSummary) string { return g.Name })
	return s, nil
}

// Prepared is a response's answers as Aggregate reads them under one
// definition: which questions are shown, what each answer adds to its
// question's summary, whether its "other" text is filled in, each
// indicator's value. Making it (Prepare, Preparer) evaluates the show-if
// rules and the indicators and finds the options chosen, most of what
// aggregating costs: a caller that keeps a response's Prepared (Row's)
// while the response is unchanged aggregates it again for much less. It
// keeps no pointers but its definition (the garbage collector does not
// look into it). It is not changed once made, and may be shared.
type Prepared struct {
	def *survey.Definition
	// state is by the index of def.Questions(): shown, answered (and
	// shown), otherText (answered, with its "other" text filled in), and
	// for an answered question what its answer adds (the kind bits): nothing,
	// a text, a number (the next of nums), or options counted (the next
	// of picks: how many, then each one's index in the question's
	// summary's Options).
	state []uint8
	nums  []float64
	picks []uint32
	// indicators are by the index of def.Indicators: the value, or NaN
	// where it cannot be computed (or is infinite).
	indicators []float64
}

// The bits of Prepared.state.
const (
	shown = 1 << iota
	answered
	otherText
	kindText   // the answer counts as a text
	kindNumber // the answer is a number of a number question
	kindPicks  // the answer counts options
)

// Prepare reads answers as Aggregate does under def (see Prepared).
func Prepare(def *survey.Definition, answers survey.Answers) *Prepared {
	var b preparing
	b.start(def)
	visible := def.Shown(answers, nil)
	for i, q := range b.qs {
		if !visible[i] {
			continue
		}
		b.state[i] = shown
		v, ok := answers[q.Code]
		if !ok {
			continue
		}
		b.state[i] |= answered
		switch x := v.(type) {
		case string:
			prepText(&b, i, x)
		case json.Number:
			f, err := x.Float64()
			b.number(i, f, err == nil)
		case bool:
			prepPick(&b, i, strconv.FormatBool(x))
		case []string:
			b.list(i, x)
		}
		if !q.Other {
			continue
		}
		if t, ok := answers[q.OtherKey()].(string); ok && t != "" {
			b.state[i] |= otherText
		}
	}
	for i, in := range def.Indicators {
		v, ok := in.Compute(answers)
		b.indicator(i, v, ok)
	}
	return b.done()
}

// Preparer makes Prepared straight from answers documents of one
// definition: Prepare(def, def.DecodeAnswers(data)), the same for every
// document, made without the Answers map for plain documents
// (survey.IndexedAnswers); others are decoded and prepared as that says.
// Not safe for concurrent use: one per goroutine.
type Preparer struct {
	def *survey.Definition
	ia  *survey.IndexedAnswers
	b   preparing
	// slab is what the Prepared it makes are cut from.
	slab preparedSlab
}

// preparedSlab is memory for many Prepared, allocated a few at a time:
// their structs, and their bytes and numbers. A round's answers are made
// in a few dozen allocations per 1,000 rather than 5,000. It allocates for 1,
// 2, 4 … Prepared at a time, at most preparedSlabMost, so that a Preparer
// used for a few documents (the responses saved since a round was read)
// does not allocate for many; a Prepared keeps what it was cut from (its
// slab's part) while it is kept, at most preparedSlabMost times its own
// size.
type preparedSlab struct {
	n   int // how many Prepared the last allocation was for
	ps  []Prepared
	u8  []uint8
	f64 []float64
	u32 []uint32
}

const preparedSlabMost = 64

// cut is a copy of v in what is left of free, or in new memory for as
// many as n such (at least v).
func cut[T uint8 | uint32 | float64](free *[]T, v []T, n int) []T {
	if len(*free) < len(v) {
		*free = make([]T, max(len(v), n*len(v)))
	}
	out := (*free)[:len(v):len(v)]
	copy(out, v)
	*free = (*free)[len(v):]
	return out
}

// NewPreparer makes a Preparer for documents of def.
func NewPreparer(def *survey.Definition) *Preparer {
	return &Preparer{def: def, ia: def.NewIndexedAnswers()}
}

// Prepare is Prepare(def, def.DecodeAnswers(data)), or DecodeAnswers'
// error.
func (pr *Preparer) Prepare(data []byte) (*Prepared, error) {
	ia := pr.ia
	if !ia.Read(data) {
		answers, err := pr.def.DecodeAnswers(data)
		if err != nil {
			return nil, err
		}
		return Prepare(pr.def, answers), nil
	}
	b := &pr.b
	b.start(pr.def)
	visible := ia.Shown()
	for i, q := range b.qs {
		if !visible[i] {
			continue
		}
		b.state[i] = shown
		switch ia.Kind(i) {
		case survey.NoAnswer:
			continue
		case survey.StringAnswer:
			prepText(b, i, ia.Text(i))
		case survey.NumberAnswer:
			f, ok := ia.Number(i)
			b.number(i, f, ok)
		case survey.TrueAnswer:
			prepPick(b, i, "true")
		case survey.FalseAnswer:
			prepPick(b, i, "false")
		case survey.ListAnswer:
			b.list(i, ia.List(i))
		}
		b.state[i] |= answered
		if q.Other && ia.OtherText(i) {
			b.state[i] |= otherText
		}
	}
	for i, in := range pr.def.Indicators {
		v, ok := ia.Compute(in)
		b.indicator(i, v, ok)
	}
	return pr.slab.done(b), nil
}

// preparing is a Prepared being made; a Preparer reuses one, so that
// only what the Prepared keeps is allocated for each document.
type preparing struct {
	def        *survey.Definition
	qs         []*survey.Question
	state      []uint8
	nums       []float64
	picks      []uint32
	indicators []float64
}

func (b *preparing) start(def *survey.Definition) {
	b.def, b.qs = def, def.Questions()
	if cap(b.state) < len(b.qs) {
		b.state = make([]uint8, len(b.qs))
	}
	b.state = b.state[:len(b.qs)]
	clear(b.state)
	b.nums, b.picks = b.nums[:0], b.picks[:0]
	if cap(b.indicators) < len(def.Indicators) {
		b.indicators = make([]float64, len(def.Indicators))
	}
	b.indicators = b.indicators[:len(def.Indicators)]
}

// prepText notes the string answer s of question i: an option chosen of a
// single choice question, else a text.
func prepText[S string | []byte](b *preparing, i int, s S) {
	if b.qs[i].Type != survey.Single {
		b.state[i] |= kindText
		return
	}
	prepPick(b, i, s)
}

// number notes the number answer f of question i (ok false: one that
// float64 cannot hold, which counts for nothing): a number of a number
// question.
func (b *preparing) number(i int, f float64, ok bool) {
	if ok && b.qs[i].Type.IsNumber() {
		b.state[i] |= kindNumber
		b.nums = append(b.nums, f)
	}
}

// prepPick notes an answer of question i that counts the option code (none
// when the question's summary has no such option).
func prepPick[S string | []byte](b *preparing, i int, code S) {
	b.state[i] |= kindPicks
	if k := optionIndex(b.qs[i], code); k >= 0 {
		b.picks = append(b.picks, 1, uint32(k))
	} else {
		b.picks = append(b.picks, 0)
	}
}

// list notes the list answer codes of question i: each option counted.
func (b *preparing) list(i int, codes []string) {
	b.state[i] |= kindPicks
	at := len(b.picks)
	b.picks = append(b.picks, 0)
	for _, c := range codes {
		if k := optionIndex(b.qs[i], c); k >= 0 {
			b.picks = append(b.picks, uint32(k))
		}
	}
	b.picks[at] = uint32(len(b.picks) - at - 1)
}

func (b *preparing) indicator(i int, v float64, ok bool) {
	b.indicators[i] = math.NaN()
	if ok && !math.IsInf(v, 0) && !math.IsNaN(v) {
		b.indicators[i] = v
	}
}

// done is the Prepared b made, cut from s.
func (s *preparedSlab) done(b *preparing) *Prepared {
	if len(s.ps) == 0 {
		s.n = min(max(2*s.n, 1), preparedSlabMost)
		s.ps = make([]Prepared, s.n)
	}
	p := &s.ps[0]
	s.ps = s.ps[1:]
	*p = Prepared{def: b.def, state: cut(&s.u8, b.state, s.n), indicators: cut(&s.f64, b.indicators, s.n)}
	if len(b.nums) > 0 {
		p.nums = cut(&s.f64, b.nums, s.n)
	}
	if len(b.picks) > 0 {
		p.picks = cut(&s.u32, b.picks, s.n)
	}
	return p
}

// done is the Prepared made, with slices of its own.
func (b *preparing) done() *Prepared {
	p := &Prepared{def: b.def, state: slices.Clone(b.state), indicators: slices.Clone(b.indicators)}
	if len(b.nums) > 0 {
		p.nums = slices.Clone(b.nums)
	}
	if len(b.picks) > 0 {
		p.picks = slices.Clone(b.picks)
	}
	return p
}

// optionIndex is the index of the option code in the Options of q's
// summary (as Aggregate makes them), the first that has it; -1 when none
// has.
func optionIndex[S string | []byte](q *survey.Question, code S) int {
	switch {
	case q.Type.IsChoice():
		for i, o := range q.Options {
			if o.Code == string(code) {
				return i
			}
		}
		if q.Other && string(code) == survey.OtherCode {
			return len(q.Options)
		}
	case q.Type == survey.YesNo:
		switch string(code) {
		case "true":
			return 0
		case "false":
			return 1
		}
	}
	return -1
}

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

func (st *Stats) add(v float64) {
	st.values = append(st.values, v)
}

// finishAll finishes every one of stats: on every core when they hold
// many numbers (sorting them is most of what finishing costs — at 10,000
// responses a few ms), else one after the other.
func finishAll(stats []*Stats) {
	n := 0
	for _, st := range stats {
		n += len(st.values)
	}
	workers := min(runtime.GOMAXPROCS(0), len(stats))
	if n < finishAllSpread || workers < 2 {
		for _, st := range stats {
			st.finish()
		}
		return
	}
	var next atomic.Int64
	var wg sync.WaitGroup
	for range workers {
		wg.Go(func() {
			for i := int(next.Add(1)) - 1; i < len(stats); i = int(next.Add(1)) - 1 {
				stats[i].finish()
			}
		})
	}
	wg.Wait()
}

// finishAllSpread is the fewest numbers finishAll finishes on every core.
const finishAllSpread = 20_000

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
