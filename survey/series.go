package survey

import (
	"fmt"
	"slices"
	"strings"
)

// Series: a question code means the same thing in every round of a series,
// so that a trend across rounds compares like with like.
//
// A question of a round continues the previous round's question of the
// same code — or of the code its renamed_from names — unless it says
// breaks_series: true, which starts a new series in this round (earlier
// rounds are never joined to it). Continuing is allowed only when nothing
// that breaks comparison changed (SeriesChanges):
//
//   - the type: any change (int to decimal too: the answers were given
//     under different rules);
//   - the option codes: an option added, removed or renamed (the automatic
//     "other" option counts as one; the order and the options' texts may
//     change);
//   - the question's Latvian text, the text respondents answered: compared
//     after collapsing runs of white space, trimming and ignoring letter
//     case and a final '.', ':' or '?', so that a typo fixed in spacing or
//     capitals is no break but any changed word is. The English text, the
//     help, limits, show_if and required are not compared: they clarify or
//     check, they do not change what is asked.
//
// CompareSeries lists where a round's definition changes a continued
// question without saying so; a round made from the previous one is
// refused with these problems. Link says what continues what, for trends.
//
// Indicators have no marks of their own: an indicator continues the
// previous round's indicator of the same code when its formula is the same
// (reading the renamed questions under their old codes) and every question
// it reads continues its series; otherwise its trend starts anew.

// SeriesProblem is one question of the next round that would join a series
// it cannot honestly continue.
type SeriesProblem struct {
	// Code is the question's code in the next round; PrevCode the code it
	// continues in the previous one ("" when renamed_from names a code the
	// previous round lacks).
	Code, PrevCode string
	// Changes says what changed, one phrase each (English, like the
	// loader's messages).
	Changes []string
}

func (p SeriesProblem) String() string {
	head := fmt.Sprintf("question %q", p.Code)
	if p.PrevCode != "" && p.PrevCode != p.Code {
		head += fmt.Sprintf(" (renamed from %q)", p.PrevCode)
	}
	return head + ": " + strings.Join(p.Changes, "; ") +
		" — mark it breaks_series: true to start a new trend, or keep it comparable"
}

// SeriesError is CompareSeries' problems as an error.
type SeriesError struct{ Problems []SeriesProblem }

func (e *SeriesError) Error() string {
	lines := make([]string, len(e.Problems))
	for i, p := range e.Problems {
		lines[i] = p.String()
	}
	return "the questionnaire changes questions of the previous round without saying so:\n  " + strings.Join(lines, "\n  ")
}

// CheckSeries is CompareSeries as an error: nil when there is no problem.
func CheckSeries(prev, next *Definition) error {
	if ps := CompareSeries(prev, next); len(ps) > 0 {
		return &SeriesError{Problems: ps}
	}
	return nil
}

// CompareSeries lists, in next's order, every question of next that
// continues a question of prev (by its code or renamed_from) with a change
// that breaks comparison and no breaks_series: true; a renamed_from naming
// a code prev lacks. (A code renamed away cannot be used again in the same
// round: the loader refuses a renamed_from naming one of the round's codes.)
func CompareSeries(prev, next *Definition) []SeriesProblem {
	var out []SeriesProblem
	for _, q := range next.Questions() {
		if q.BreaksSeries {
			continue
		}
		if q.RenamedFrom != "" {
			pq := prev.Question(q.RenamedFrom)
			if pq == nil {
				out = append(out, SeriesProblem{Code: q.Code, Changes: []string{
					fmt.Sprintf("renamed_from names %q, which the previous round (%s) does not have", q.RenamedFrom, prev.Slug)}})
				continue
			}
			if ch := SeriesChanges(pq, q); len(ch) > 0 {
				out = append(out, SeriesProblem{Code: q.Code, PrevCode: pq.Code, Changes: ch})
			}
			continue
		}
		pq := prev.Question(q.Code)
		if pq == nil {
			continue // a new question
		}
		if ch := SeriesChanges(pq, q); len(ch) > 0 {
			out = append(out, SeriesProblem{Code: q.Code, PrevCode: q.Code, Changes: ch})
		}
	}
	return out
}

// SeriesChanges lists the changes from prev to next that break comparison
// (see the rules above); none means next may continue prev's series.
func SeriesChanges(prev, next *Question) []string {
	var out []string
	if prev.Type != next.Type {
		out = append(out, fmt.Sprintf("type changed from %s to %s", prev.Type, next.Type))
	}
	if prev.Type.IsChoice() || next.Type.IsChoice() {
		was, now := optionCodes(prev), optionCodes(next)
		var added, removed []string
		for _, c := range now {
			if !slices.Contains(was, c) {
				added = append(added, c)
			}
		}
		for _, c := range was {
			if !slices.Contains(now, c) {
				removed = append(removed, c)
			}
		}
		if len(added) > 0 {
			out = append(out, "options added: "+strings.Join(added, ", "))
		}
		if len(removed) > 0 {
			out = append(out, "options removed: "+strings.Join(removed, ", "))
		}
	}
	if comparableText(prev.Text.LV) != comparableText(next.Text.LV) {
		out = append(out, fmt.Sprintf("question text (lv) changed from %q to %q", prev.Text.LV, next.Text.LV))
	}
	return out
}

func optionCodes(q *Question) []string {
	var out []string
	for _, o := range q.AllOptions() {
		out = append(out, o.Code)
	}
	return out
}

// comparableText is a question text as far as it matters for comparison:
// words separated by single spaces, lower-case, without a final '.', ':'
// or '?'.
func comparableText(s string) string {
	s = strings.ToLower(strings.Join(strings.Fields(s), " "))
	return strings.TrimRight(s, ".:? ")
}

// Link says how next continues prev.
type Link struct {
	// Questions maps each question code of next that continues a series
	// to the code it had in prev.
	Questions map[string]string
	// Indicators holds each indicator code of next that continues prev's
	// indicator of the same code.
	Indicators map[string]bool
}

// LinkSeries says which questions and indicators of next continue prev's
// series. It joins only what CompareSeries accepts: a question with a
// problem is not joined (its trend starts anew), so a trend stays honest
// even across a round whose definition was never compared.
func LinkSeries(prev, next *Definition) Link {
	l := Link{Questions: map[string]string{}, Indicators: map[string]bool{}}
	for _, q := range next.Questions() {
		if q.BreaksSeries {
			continue
		}
		from := q.Code
		if q.RenamedFrom != "" {
			from = q.RenamedFrom
		}
		pq := prev.Question(from)
		if pq == nil || len(SeriesChanges(pq, q)) > 0 {
			continue
		}
		l.Questions[q.Code] = pq.Code
	}
	for _, in := range next.Indicators {
		var pin *Indicator
		for _, p := range prev.Indicators {
			if p.Code == in.Code {
				pin = p
			}
		}
		if pin == nil || in.expr == nil || pin.expr == nil {
			continue
		}
		joined := true
		for _, ref := range in.expr.Refs() {
			if _, ok := l.Questions[ref]; !ok {
				joined = false
			}
		}
		if joined && renamedExpr(in.expr, l.Questions).String() == pin.expr.String() {
			l.Indicators[in.Code] = true
		}
	}
	return l
}

// renamedExpr is a copy of e reading each question under the code names
// maps it to.
func renamedExpr(e *Expr, names map[string]string) *Expr {
	if e == nil {
		return nil
	}
	c := *e
	if c.Op == opRef {
		if n, ok := names[c.Str]; ok {
			c.Str = n
		}
	}
	c.Args = make([]*Expr, len(e.Args))
	for i, a := range e.Args {
		c.Args[i] = renamedExpr(a, names)
	}
	return &c
}

// checkSeriesMarks checks breaks_series and renamed_from within one
// definition (what the previous round has is CompareSeries' business).
func (d *Definition) checkSeriesMarks(c *checker) {
	named := map[string]string{}
	for _, q := range d.order {
		if q.RenamedFrom == "" {
			continue
		}
		where := fmt.Sprintf("question %q", q.Code)
		switch {
		case !codeRe.MatchString(q.RenamedFrom):
			c.add(where, "renamed_from %q is not a question code (a letter, then a–z, 0–9 and _)", q.RenamedFrom)
		case q.RenamedFrom == q.Code:
			c.add(where, "renamed_from names the question's own code")
		case d.questions[q.RenamedFrom] != nil:
			c.add(where, "renamed_from %q names a question of this questionnaire; it must name the code the question had in the previous round", q.RenamedFrom)
		case named[q.RenamedFrom] != "":
			c.add(where, "renamed_from %q is also named by question %q; a code continues as one question only", q.RenamedFrom, named[q.RenamedFrom])
		}
		if q.BreaksSeries {
			c.add(where, "breaks_series and renamed_from together: a renamed question continues its trend, a break starts a new one — keep one")
		}
		if named[q.RenamedFrom] == "" {
			named[q.RenamedFrom] = q.Code
		}
	}
}

// ForNextRound returns a copy of d to start the next round's questionnaire
// from: the same, without breaks_series and renamed_from, which speak
// about d's previous round only (kept, a copied renamed_from would name a
// code the new previous round — d — lacks, and a copied breaks_series
// would break the trend again every year).
func (d *Definition) ForNextRound() *Definition {
	c, err := Parse(d.JSON(), "")
	if err != nil {
		panic(err) // d was checked; its JSON reads back
	}
	for _, q := range c.order {
		q.BreaksSeries, q.RenamedFrom = false, ""
	}
	return c
}
