package reports

import (
	"encoding/json"
	"fmt"

	"github.com/civitas-lv/surveyd/survey"
)

// TrendSummaryFormat names how EncodeTrendSummary writes an aggregate and
// what Aggregate counts into it. A trend summary is kept in the database
// beside this number, and one of another number is not read: raise it
// whenever what TrendSeries takes from a Summary changes, or how
// Aggregate computes it (the responses counted, the options' counts and
// percents, the indicators' N and medians), so that a summary written by
// code that counted otherwise is made again rather than shown.
// TestTrendSummaryFormatPinned fails on such a change until it is raised.
const TrendSummaryFormat = 1

// trendSummary is what TrendSeries reads of an earlier round's aggregate:
// how many responses it counts, each indicator's N and median (in the
// definition's order), and each charted choice question's answered count
// and options (every single and multiple choice question that is not
// personal, in the definition's order).
type trendSummary struct {
	Format     int                  `json:"format"`
	Responses  int                  `json:"responses"`
	Indicators []trendSummaryFigure `json:"indicators"`
	Choices    []trendSummaryChoice `json:"choices"`
}

type trendSummaryFigure struct {
	Code   string  `json:"code"`
	N      int     `json:"n"`
	Median float64 `json:"median"`
}

type trendSummaryChoice struct {
	Code     string              `json:"code"`
	Answered int                 `json:"answered"`
	Options  []trendSummaryCount `json:"options"`
}

type trendSummaryCount struct {
	Code    string  `json:"code"`
	Count   int     `json:"count"`
	Percent float64 `json:"percent"`
}

// trendChoice says whether TrendSeries follows q across rounds (trends
// and the trend summary both ask it, so that a summary holds every
// question a trend reads).
func trendChoice(q *survey.Question) bool { return q.Type.IsChoice() && !q.Personal }

// EncodeTrendSummary writes what TrendSeries reads of s, an aggregate of
// a round's submitted responses (TrendRound.Summary), so that it can be
// kept and read back by DecodeTrendSummary instead of the round being read
// and aggregated again. It holds only counts, percents and medians: no
// answer of any one response, and nothing of a personal question. A
// figure that JSON cannot hold (an infinite median) is an error: such a
// summary is not kept.
func EncodeTrendSummary(s *Summary) ([]byte, error) {
	def := s.Definition
	if def == nil || len(s.Indicators) != len(def.Indicators) {
		return nil, fmt.Errorf("reports: a trend summary needs the aggregate of a whole definition")
	}
	out := trendSummary{Format: TrendSummaryFormat, Responses: s.Responses,
		Indicators: make([]trendSummaryFigure, len(s.Indicators))}
	for i, is := range s.Indicators {
		out.Indicators[i] = trendSummaryFigure{Code: is.Indicator.Code, N: is.N, Median: is.Median}
	}
	for _, qs := range s.Questions {
		if !trendChoice(qs.Question) {
			continue
		}
		c := trendSummaryChoice{Code: qs.Question.Code, Answered: qs.Answered, Options: make([]trendSummaryCount, len(qs.Options))}
		for k, o := range qs.Options {
			c.Options[k] = trendSummaryCount{Code: o.Code, Count: o.Count, Percent: o.Percent}
		}
		out.Choices = append(out.Choices, c)
	}
	return json.Marshal(out)
}

// DecodeTrendSummary reads a summary written by EncodeTrendSummary back as
// an aggregate of def under filter f, for TrendRound.Summary and nothing
// else: it holds what TrendSeries reads — Responses, each indicator's N
// and Median, each followed choice question's Answered and Options — and
// no other figure (no question that is not a choice, no numbers, no
// regions). It is an error when data is of another format or does not
// fit def: its indicators, choice questions or options are not def's, in
// def's order.
func DecodeTrendSummary(def *survey.Definition, f Filter, data []byte) (*Summary, error) {
	var in trendSummary
	if err := json.Unmarshal(data, &in); err != nil {
		return nil, fmt.Errorf("reports: a trend summary: %w", err)
	}
	if in.Format != TrendSummaryFormat {
		return nil, fmt.Errorf("reports: a trend summary of format %d, not %d", in.Format, TrendSummaryFormat)
	}
	misfit := func(what string) error {
		return fmt.Errorf("reports: a trend summary does not fit the questionnaire: %s", what)
	}
	if len(in.Indicators) != len(def.Indicators) {
		return nil, misfit("its indicators")
	}
	s := &Summary{Definition: def, Filter: f, Responses: in.Responses}
	for i, ind := range def.Indicators {
		fig := in.Indicators[i]
		if fig.Code != ind.Code {
			return nil, misfit("indicator " + ind.Code)
		}
		s.Indicators = append(s.Indicators, &IndicatorSummary{Indicator: ind, Stats: Stats{N: fig.N, Median: fig.Median}})
	}
	k := 0
	for _, q := range def.Questions() {
		if !trendChoice(q) {
			continue
		}
		if k >= len(in.Choices) || in.Choices[k].Code != q.Code {
			return nil, misfit("question " + q.Code)
		}
		c := in.Choices[k]
		k++
		opts := q.AllOptions()
		if len(c.Options) != len(opts) {
			return nil, misfit("the options of " + q.Code)
		}
		qs := &QuestionSummary{Question: q, Answered: c.Answered, Options: make([]OptionCount, len(opts))}
		for j, o := range opts {
			if c.Options[j].Code != o.Code {
				return nil, misfit("the options of " + q.Code)
			}
			qs.Options[j] = OptionCount{Code: o.Code, Label: q.CategoryLabel(o.Code), Count: c.Options[j].Count,
				Percent: c.Options[j].Percent}
		}
		s.Questions = append(s.Questions, qs)
	}
	if k != len(in.Choices) {
		return nil, misfit("its questions")
	}
	return s, nil
}
