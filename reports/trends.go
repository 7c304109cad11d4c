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
	// Summary, when not nil, is the aggregate of the round's submitted
	// rows (Aggregate over Rows with the zero Filter, or the same set
	// under another filter) made before: TrendSeries takes the round's
	// figures from it and does not read Rows.
	Summary *Summary
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

	// values counts the figures of the long form (kept in Values or not);
	// series are each round's series by code.
	values int
	series []roundSeries
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
// each round's rows once, and keeps the long form's values (Values).
func Trends(rounds []TrendRound) (*Trend, error) { return trends(rounds, keepValues) }

// TrendSeries computes the series across rounds, given oldest first, as
// Trends does, without the long form (Values stays empty): what the
// charts draw. A round's Summary, when given, stands for its rows, which
// are then not read.
func TrendSeries(rounds []TrendRound) (*Trend, error) { return trends(rounds, noValues) }

// What trends does with the long form's values.
const (
	noValues    = iota // nothing: no pass over them, a round's Summary is used when given
	countValues        // count them (Trend.values)
	keepValues         // keep them (Trend.Values) and count them
)

// roundSeries are a round's series by the codes of its indicators and
// choice questions.
type roundSeries struct {
	ind    map[string]*IndicatorTrend
	choice map[string]*ChoiceTrend
}

// trends computes the series across rounds, given oldest first, reading
// each round's rows once (or none, see noValues); with keepValues it also
// keeps the long form's values (Values), with countValues it only counts
// them (values): the workbook streams them in a second pass (eachValue)
// rather than hold millions of them.
func trends(rounds []TrendRound, values int) (*Trend, error) {
	keep := values == keepValues
	t := &Trend{}
	n := len(rounds)
	var prev roundSeries     // the previous round's series by code
	var valueNames []*string // per Values entry: the Name of its series
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
		cur := roundSeries{ind: map[string]*IndicatorTrend{}, choice: map[string]*ChoiceTrend{}}
		for _, in := range def.Indicators {
			it, ok := prev.ind[in.Code]
			if !ok || !link.Indicators[in.Code] {
				it = &IndicatorTrend{Span: Span{From: i}, Codes: make([]string, n), Medians: make([]float64, n), N: make([]int, n)}
				t.Indicators = append(t.Indicators, it)
			}
			it.To, it.Indicator, it.Codes[i] = i, in, in.Code
			cur.ind[in.Code] = it
		}
		for _, q := range def.Questions() {
			if !trendChoice(q) {
				continue
			}
			from, joined := link.Questions[q.Code]
			ct, ok := prev.choice[from]
			if !joined || !ok {
				ct = &ChoiceTrend{Span: Span{From: i}, Codes: make([]string, n), Answered: make([]int, n)}
				t.Choices = append(t.Choices, ct)
			}
			ct.To, ct.Question, ct.Codes[i] = i, q, q.Code
			cur.choice[q.Code] = ct
		}
		prev = cur
		t.series = append(t.series, cur)

		// One pass: the aggregate, and the values of the long form.
		collect := func(yield func(Row, error) bool) {
			for row, err := range r.Rows {
				if err == nil && row.Status == domain.StatusSubmitted {
					cur.values(def, &row, func(code string, name *string, v any) {
						t.values++
						if keep {
							t.Values = append(t.Values, TrendValue{Round: i, Municipality: row.Municipality, Code: code, Value: v})
							valueNames = append(valueNames, name)
						}
					})
				}
				if !yield(row, err) {
					return
				}
			}
		}
		sum := r.Summary
		if sum == nil || values != noValues {
			rows := collect
			if values == noValues {
				rows = r.Rows
			}
			var err error
			if sum, err = Aggregate(def, rows, Filter{}); err != nil {
				return nil, err
			}
		}
		t.Rounds = append(t.Rounds, TrendRoundInfo{Slug: r.Slug, ReferenceYear: year, Responses: sum.Responses})
		for j, is := range sum.Indicators {
			it := cur.ind[def.Indicators[j].Code]
			it.N[i], it.Medians[i] = is.N, is.Median
		}
		for code, ct := range cur.choice {
			qs := sum.Question(code)
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
		t.Values[k].Series = *valueNames[k]
	}
	sortSeries(t, rounds)
	return t, nil
}

// values calls emit for each figure of the long form a submitted response
// gives in the round: each indicator's value that can be computed, each
// option chosen in a choice question shown; with the code in the round
// and the Name of the series (set once every round is read).
func (rs roundSeries) values(def *survey.Definition, row *Row, emit func(code string, name *string, v any)) {
	for _, in := range def.Indicators {
		if v, ok := in.Compute(row.Answers); ok && !math.IsInf(v, 0) && !math.IsNaN(v) {
			emit(in.Code, &rs.ind[in.Code].Name, v)
		}
	}
	visible := def.Visible(row.Answers)
	for _, q := range def.Questions() {
		ct, ok := rs.choice[q.Code]
		if !ok || !visible[q.Code] {
			continue
		}
		switch v := row.Answers[q.Code].(type) {
		case string:
			emit(q.Code, &ct.Name, v)
		case []string:
			for _, c := range v {
				emit(q.Code, &ct.Name, c)
			}
		}
	}
}

// eachValue reads the rounds again (the same rounds, in the same order, as
// t was computed from) and calls fn with each figure of the long form, in
// the order Values would hold them, stopping at the first error.
func (t *Trend) eachValue(rounds []TrendRound, fn func(TrendValue) error) error {
	if len(rounds) != len(t.series) {
		return fmt.Errorf("reports: %d rounds for a trend of %d", len(rounds), len(t.series))
	}
	var ferr error
	for i, r := range rounds {
		for row, err := range r.Rows {
			if err != nil {
				return err
			}
			if row.Status != domain.StatusSubmitted {
				continue
			}
			t.series[i].values(r.Definition, &row, func(code string, name *string, v any) {
				if ferr == nil {
					ferr = fn(TrendValue{Round: i, Municipality: row.Municipality, Series: *name, Code: code, Value: v})
				}
			})
			if ferr != nil {
				return ferr
			}
		}
	}
	return nil
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
