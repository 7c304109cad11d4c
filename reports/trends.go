package reports

import (
	"cmp"
	"fmt"
	"math"
	"slices"

	"github.com/civitas-lv/surveyd/internal/domain"
	"github.com/civitas-lv/surveyd/survey"
)

// TrendRound is one round for Trends: its questionnaire, reference year and
// responses. Only submitted responses count.
type TrendRound struct {
	// Slug names the round (in the workbook and the charts).
	Slug       string
	Definition *survey.Definition
	// ReferenceYear is the round's; 0 means the definition's.
	ReferenceYear int
	Rows          Rows
}

// Trend is how the indicators and the choice questions moved across rounds.
// A series joins consecutive rounds only where survey.LinkSeries joins them:
// the same code or renamed_from, no breaks_series, nothing changed that
// breaks comparison. A question that breaks starts a new series in its
// round; the earlier rounds belong to another series, never to it.
type Trend struct {
	// Rounds are the rounds given, in the order given (oldest first).
	Rounds []TrendRoundInfo
	// Indicators and Choices are the series, in the order of the latest
	// round's definition they reach, then older ones.
	Indicators []*IndicatorTrend
	Choices    []*ChoiceTrend
	// Values are the figures behind the series in long form: per round and
	// municipality, each indicator value and each chosen option.
	Values []TrendValue
}

// TrendRoundInfo describes a round of a Trend.
type TrendRoundInfo struct {
	Slug          string
	ReferenceYear int
	// Responses is how many submitted responses the round has.
	Responses int
}

// Span is the rounds a series covers: From..To, indexes into Trend.Rounds
// (a series is always a run of consecutive rounds).
type Span struct{ From, To int }

// In reports whether round i is in the span.
func (s Span) In(i int) bool { return i >= s.From && i <= s.To }

// Rounds is how many rounds the span covers.
func (s Span) Rounds() int { return s.To - s.From + 1 }

// IndicatorTrend is one indicator's series.
type IndicatorTrend struct {
	// Name identifies the series: its latest code, with the reference
	// years it covers when another series has the same code.
	Name string
	Span
	// Indicator is the indicator in the series' latest round.
	Indicator *survey.Indicator
	// Codes is the indicator's code per round ("" outside the span).
	Codes []string
	// Medians is the median per round over the responses where it can be
	// computed; N the number of those responses (0 outside the span, and
	// then the median means nothing).
	Medians []float64
	N       []int
}

// ChoiceTrend is one single or multi question's series.
type ChoiceTrend struct {
	Name string
	Span
	// Question is the question in the series' latest round.
	Question *survey.Question
	// Codes is the question's code per round ("" outside the span).
	Codes []string
	// Answered counts the responses that answered it, per round.
	Answered []int
	// Options are the latest round's options ("other" last).
	Options []OptionTrend
}

// OptionTrend is one option's share by round.
type OptionTrend struct {
	Code  string
	Label survey.Text
	// Count and Percent per round; Percent is of the answered responses
	// (for a multi question the share choosing it, so they may sum past
	// 100).
	Count   []int
	Percent []float64
}

// TrendValue is one figure of the long form: an indicator's value
// (float64) or a chosen option's code (string).
type TrendValue struct {
	Round        int
	Municipality domain.Municipality
	// Series is the Name of the series; Code the code in that round.
	Series string
	Code   string
	Value  any
}

// Within keeps the rows of the filter's regions and kind, whatever their
// status: what a trend reads under a filter (it counts the submitted
// ones only).
func (f Filter) Within(rows Rows) Rows {
	f.Statuses = []string{domain.StatusSubmitted, domain.StatusReturned, domain.StatusDraft, domain.StatusNone}
	return func(yield func(Row, error) bool) {
		for r, err := range rows {
			if err == nil && !f.Keep(r) {
				continue
			}
			if !yield(r, err) {
				return
			}
		}
	}
}

// Trends computes the series across rounds, given oldest first. It reads
// each round's rows once.
func Trends(rounds []TrendRound) (*Trend, error) {
	t := &Trend{}
	n := len(rounds)
	var prevInd, prevChoice map[string]int // code in the previous round → series
	var valueSeries []int                  // per Values entry: its series (a choice's as -1-index)
	for i, r := range rounds {
		def := r.Definition
		if def == nil {
			return nil, fmt.Errorf("reports: round %d (%s) has no definition", i+1, r.Slug)
		}
		year := r.ReferenceYear
		if year == 0 {
			year = def.ReferenceYear
		}
		link := survey.Link{}
		if i > 0 {
			link = survey.LinkSeries(rounds[i-1].Definition, def)
		}
		curInd, curChoice := map[string]int{}, map[string]int{}
		for _, in := range def.Indicators {
			s, ok := prevInd[in.Code]
			if !ok || !link.Indicators[in.Code] {
				s = len(t.Indicators)
				t.Indicators = append(t.Indicators, &IndicatorTrend{Span: Span{From: i}, Codes: make([]string, n),
					Medians: make([]float64, n), N: make([]int, n)})
			}
			it := t.Indicators[s]
			it.To, it.Indicator, it.Codes[i] = i, in, in.Code
			curInd[in.Code] = s
		}
		for _, q := range def.Questions() {
			if !q.Type.IsChoice() || q.Personal {
				continue
			}
			from, joined := link.Questions[q.Code]
			s, ok := prevChoice[from]
			if !joined || !ok {
				s = len(t.Choices)
				t.Choices = append(t.Choices, &ChoiceTrend{Span: Span{From: i}, Codes: make([]string, n), Answered: make([]int, n)})
			}
			ct := t.Choices[s]
			ct.To, ct.Question, ct.Codes[i] = i, q, q.Code
			curChoice[q.Code] = s
		}
		prevInd, prevChoice = curInd, curChoice

		// One pass: the aggregate, and the values of the long form.
		collect := func(yield func(Row, error) bool) {
			for row, err := range r.Rows {
				if err == nil && row.Status == domain.StatusSubmitted {
					for _, in := range def.Indicators {
						if v, ok := in.Compute(row.Answers); ok && !math.IsInf(v, 0) && !math.IsNaN(v) {
							t.Values = append(t.Values, TrendValue{Round: i, Municipality: row.Municipality, Code: in.Code, Value: v})
							valueSeries = append(valueSeries, curInd[in.Code])
						}
					}
					visible := def.Visible(row.Answers)
					for _, q := range def.Questions() {
						s, ok := curChoice[q.Code]
						if !ok || !visible[q.Code] {
							continue
						}
						var codes []string
						switch v := row.Answers[q.Code].(type) {
						case string:
							codes = []string{v}
						case []string:
							codes = v
						}
						for _, c := range codes {
							t.Values = append(t.Values, TrendValue{Round: i, Municipality: row.Municipality, Code: q.Code, Value: c})
							valueSeries = append(valueSeries, -1-s)
						}
					}
				}
				if !yield(row, err) {
					return
				}
			}
		}
		sum, err := Aggregate(def, collect, Filter{})
		if err != nil {
			return nil, err
		}
		t.Rounds = append(t.Rounds, TrendRoundInfo{Slug: r.Slug, ReferenceYear: year, Responses: sum.Responses})
		for j, is := range sum.Indicators {
			it := t.Indicators[curInd[def.Indicators[j].Code]]
			it.N[i], it.Medians[i] = is.N, is.Median
		}
		for code, s := range curChoice {
			qs := sum.Question(code)
			ct := t.Choices[s]
			ct.Answered[i] = qs.Answered
			ct.setRound(i, n, qs)
		}
	}
	for _, ct := range t.Choices {
		ct.keepLatestOptions()
	}
	names := map[string]int{}
	for _, it := range t.Indicators {
		names[it.Indicator.Code]++
	}
	for _, it := range t.Indicators {
		it.Name = seriesName(it.Indicator.Code, names, it.Span, t.Rounds)
	}
	names = map[string]int{}
	for _, ct := range t.Choices {
		names[ct.Question.Code]++
	}
	for _, ct := range t.Choices {
		ct.Name = seriesName(ct.Question.Code, names, ct.Span, t.Rounds)
	}
	for k := range t.Values {
		if s := valueSeries[k]; s >= 0 {
			t.Values[k].Series = t.Indicators[s].Name
		} else {
			t.Values[k].Series = t.Choices[-1-s].Name
		}
	}
	sortSeries(t, rounds)
	return t, nil
}

// seriesName is the series' latest code, with the reference years it
// covers when two series end with the same code.
func seriesName(code string, names map[string]int, s Span, rounds []TrendRoundInfo) string {
	if names[code] < 2 {
		return code
	}
	from, to := rounds[s.From].ReferenceYear, rounds[s.To].ReferenceYear
	if from == to {
		return fmt.Sprintf("%s (%d)", code, from)
	}
	return fmt.Sprintf("%s (%d–%d)", code, from, to)
}

// setRound records round i's option counts (by code: a series keeps its
// option codes).
func (ct *ChoiceTrend) setRound(i, n int, qs *QuestionSummary) {
	for _, oc := range qs.Options {
		var ot *OptionTrend
		for k := range ct.Options {
			if ct.Options[k].Code == oc.Code {
				ot = &ct.Options[k]
			}
		}
		if ot == nil {
			ct.Options = append(ct.Options, OptionTrend{Code: oc.Code, Count: make([]int, n), Percent: make([]float64, n)})
			ot = &ct.Options[len(ct.Options)-1]
		}
		ot.Label = oc.Label
		ot.Count[i], ot.Percent[i] = oc.Count, oc.Percent
	}
}

// keepLatestOptions orders the options as the latest round shows them.
func (ct *ChoiceTrend) keepLatestOptions() {
	var out []OptionTrend
	for _, o := range ct.Question.AllOptions() {
		for _, ot := range ct.Options {
			if ot.Code == o.Code {
				ot.Label = ct.Question.CategoryLabel(o.Code)
				out = append(out, ot)
			}
		}
	}
	ct.Options = out
}

// sortSeries puts the series that reach the latest round first, in its
// definition's order, then the older ones by where they end (latest first)
// and their order there.
func sortSeries(t *Trend, rounds []TrendRound) {
	indPos := func(it *IndicatorTrend) int {
		return slices.Index(rounds[it.To].Definition.Indicators, it.Indicator)
	}
	slices.SortStableFunc(t.Indicators, func(a, b *IndicatorTrend) int {
		return cmp.Or(cmp.Compare(b.To, a.To), cmp.Compare(indPos(a), indPos(b)))
	})
	qPos := func(ct *ChoiceTrend) int {
		return slices.Index(rounds[ct.To].Definition.Questions(), ct.Question)
	}
	slices.SortStableFunc(t.Choices, func(a, b *ChoiceTrend) int {
		return cmp.Or(cmp.Compare(b.To, a.To), cmp.Compare(qPos(a), qPos(b)))
	})
}
