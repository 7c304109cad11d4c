package reports

// The feedback report of one municipality: its answers beside those of
// every municipality that submitted and of its planning region. Built by
// BuildFeedback from the round's rows; written by WriteFeedbackHTML
// (feedback_html.go) and WriteFeedbackXLSX (feedback_xlsx.go). Everything
// in a Feedback is already in the report's language and already filtered
// for what the municipality may see: a writer cannot show more than the
// builder let in.
//
// What another municipality's answers may reveal, and how the builder
// keeps to it:
//   - Only answers of submitted responses count; personal questions, the
//     contacts and the "other" texts of choice questions never enter.
//   - Free text of others only for questions Publishable marks (and that
//     can be published at all: text and longtext that is not personal),
//     named by municipality, as the coordinators decided.
//   - Closed and numeric questions only as aggregates, per comparison
//     group (all municipalities; the planning region). A group with fewer
//     than FeedbackMinGroup answers to a question shows none of its
//     figures: no shares, no median or quartiles, no rank, no distribution
//     — each of them would let a reader with their own answer work out
//     another's (a share of 2, the median of 3). The region's figures are
//     also hidden when the rest of the municipalities (all less the
//     region) have fewer than FeedbackMinGroup answers: subtracting the
//     region's counts from everybody's would reveal those few. A hidden
//     group is described only by how many municipalities of it submitted
//     at all (the tracker's figure), never by how many answered the
//     question, which could reveal an answer that decides whether the
//     question is shown.

import (
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"math/big"
	"strconv"
	"strings"
	"time"

	"github.com/civitas-lv/surveyd/internal/domain"
	"github.com/civitas-lv/surveyd/internal/wording"
	"github.com/civitas-lv/surveyd/survey"
)

// ErrNotInRound refuses a feedback report for a municipality that has no
// submitted answers in the round.
var ErrNotInRound = errors.New("the municipality has no submitted answers in this round")

// FeedbackMinGroup is the fewest answers a comparison group needs for its
// figures to be shown.
const FeedbackMinGroup = 5

// FeedbackInput is what one municipality's feedback report is built from.
type FeedbackInput struct {
	Definition    *survey.Definition
	Title         survey.Text
	ReferenceYear int
	// Municipality is the code of the municipality the report is for.
	Municipality string
	// Rows are every municipality's rows of the round (the answers that
	// count); only submitted ones enter the report. Contacts are ignored.
	Rows []Row
	// Publishable lists the free-text questions whose answers may be shown
	// to other municipalities (manage.Publishable); no other free text of
	// another municipality ever appears.
	Publishable map[string]bool
	// Lang is "lv" or "en".
	Lang string
	// Generated is when the data was read, shown on the report (in its
	// own time zone).
	Generated time.Time
	// Previous is the round before this one in its series with the
	// municipality's own answers there, shown beside this year's
	// (feedback_previous.go); nil for none.
	Previous *FeedbackPrevious
}

// Feedback is one municipality's feedback report: its answers beside
// everyone's. Build it with BuildFeedback; write it with WriteFeedbackHTML
// and WriteFeedbackXLSX. Every text in it is in Lang.
type Feedback struct {
	Lang          string
	Title         string
	ReferenceYear int
	Municipality  domain.Municipality
	// Respondents counts the submitted municipalities compared with (the
	// municipality itself included).
	Respondents int
	Generated   time.Time
	// Region is the municipality's planning region (its name as the
	// reference data has it, "Vidzemes"); RegionRespondents counts the
	// region's submitted municipalities, itself included.
	Region            string
	RegionRespondents int
	// Summary says, per area, where the municipality differs from most.
	Summary []*FeedbackSummary
	// Sections are the questionnaire's areas that have something to show.
	Sections []*FeedbackSection
}

// Kinds of FeedbackItem.
const (
	FeedbackNumber    = "number"    // a numeric question
	FeedbackChoice    = "choice"    // single, multiple choice or yes/no
	FeedbackIndicator = "indicator" // one of the definition's indicators
)

// States of the municipality's own answer to an item.
const (
	FeedbackAnswered      = "answered"
	FeedbackHidden        = "hidden"         // the question was not shown (show_if)
	FeedbackUnanswered    = "unanswered"     // shown, not answered
	FeedbackNotComputable = "not_computable" // an indicator missing a figure
)

// FeedbackSection is one area of the questionnaire.
type FeedbackSection struct {
	Code, Title string
	Items       []*FeedbackItem
	// Texts are the publishable free-text questions of the area with every
	// submitted municipality's answer.
	Texts []*FeedbackTexts
}

// FeedbackItem is one closed or numeric question, or an indicator: the
// municipality's own answer and the comparison groups.
type FeedbackItem struct {
	// Code is the question's or the indicator's code.
	Code string
	Kind string
	// Title is the question's wording or the indicator's name.
	Title     string
	Question  *survey.Question  // nil for an indicator
	Indicator *survey.Indicator // nil for a question
	Multi     bool              // multiple choice: options are counted apart
	// State is one of FeedbackAnswered, FeedbackHidden, FeedbackUnanswered,
	// FeedbackNotComputable; StateText says it in words when not answered.
	State     string
	StateText string
	// OwnText is the answer as people read it ("120 000,00 EUR", "Jā",
	// "Projektu konkursi; Telpas bez maksas"); OwnValue the number (numbers
	// and indicators).
	OwnText  string
	OwnValue float64
	// PrevYear and PrevText are the municipality's own answer in the
	// previous round (its reference year, the answer as people read it)
	// when the item continues its series there and it answered; PrevText
	// is empty otherwise.
	PrevYear int
	PrevText string
	// Groups are all municipalities, then the planning region.
	Groups []*FeedbackGroup
	// Options of a choice question, in display order ("other" last).
	Options []*FeedbackOption
	// Sentences say in words how the municipality's choices compare with
	// all municipalities' ("15 no 27 pašvaldībām izvēlējās … — jūs arī").
	Sentences []string
	// Bins is the distribution of a number over all municipalities (none
	// when that group is hidden); Split when each bin also counts the
	// region's municipalities apart from the others.
	Bins  []FeedbackBin
	Split bool
	// ChartTitle and ChartDesc are the distribution chart's text
	// alternative.
	ChartTitle, ChartDesc string
	// whole: the values are whole numbers (bins of whole numbers).
	whole bool
}

// FeedbackGroup is a comparison group's figures for one item. A hidden
// group (Shown false) carries only its name, Respondents and Note.
type FeedbackGroup struct {
	Name   string
	Region bool
	// Respondents counts the group's submitted municipalities.
	Respondents int
	// Shown is false when the group has too few answers (see the package
	// notes at the top of feedback.go); Note then says so.
	Shown bool
	Note  string
	// N counts the answers to the item in the group.
	N int
	// Numbers and indicators: quartiles (as Excel's QUARTILE.INC) and the
	// median, as numbers and as text.
	Q1, Median, Q3             float64
	Q1Text, MedianText, Q3Text string
	// Rank is the municipality's place, 1 for the largest value, equal
	// values sharing a place (0 when it has no value); Position is +1
	// above the median, 0 equal to it, -1 below; Standing says both in
	// words: "virs mediānas; 11. vieta no 27".
	Rank     int
	Position int
	Standing string
}

// FeedbackOption is one option of a choice question: whether the
// municipality chose it and how many of each group did.
type FeedbackOption struct {
	Code, Label string
	Own         bool
	// Counts, Percents (0–100, of the group's answers) and PercentTexts
	// ("71,4 %") per group, parallel to the item's Groups; zero and empty
	// for a hidden group.
	Counts       []int
	Percents     []float64
	PercentTexts []string
}

// FeedbackBin is one interval of a distribution.
type FeedbackBin struct {
	Label  string
	Lo, Hi float64
	// Count is how many of all municipalities' values fall in it; Region
	// how many of the region's (when the item is Split).
	Count, Region int
	// Own marks the bin of the municipality's own value.
	Own bool
}

// FeedbackTexts is a publishable free-text question with the answers of
// every submitted municipality that answered it.
type FeedbackTexts struct {
	Code, Question string
	Answers        []FeedbackText
}

// FeedbackText is one municipality's free-text answer.
type FeedbackText struct {
	Municipality string
	Own          bool
	Text         string
}

// FeedbackSummary is one area's summary: what the municipality does that
// most others do not (Ahead: a choice fewer than half made, a number in
// the top quartile), and the reverse (Behind: a choice most made and it
// did not, a number in the bottom quartile). At most feedbackSummaryLines
// lines each; MoreAhead and MoreBehind count those left out.
type FeedbackSummary struct {
	Code, Title           string
	Ahead, Behind         []FeedbackLine
	MoreAhead, MoreBehind int
}

// FeedbackLine is one line of a summary: the item it is about (its code,
// for a link), the question and what stands out.
type FeedbackLine struct {
	Item, Question, Text string
}

// feedbackSummaryLines is how many lines each list of an area's summary
// has at most: "a few lines per area".
const feedbackSummaryLines = 5

// BuildFeedback builds the feedback report of in.Municipality
// (ErrNotInRound when it has not submitted).
func BuildFeedback(in FeedbackInput) (*Feedback, error) {
	if in.Definition == nil {
		return nil, errors.New("reports: no definition")
	}
	lang := "lv"
	if in.Lang == "en" {
		lang = "en"
	}
	var submitted []Row
	own := -1
	for _, r := range in.Rows {
		if r.Status != domain.StatusSubmitted {
			continue
		}
		if r.Municipality.Code == in.Municipality {
			own = len(submitted)
		}
		r.Contacts = nil // never needed, never kept
		submitted = append(submitted, r)
	}
	if own < 0 {
		return nil, ErrNotInRound
	}
	me := submitted[own]
	f := &Feedback{Lang: lang, Title: in.Title.In(lang), ReferenceYear: in.ReferenceYear, Municipality: me.Municipality,
		Generated: in.Generated, Region: me.Municipality.PlanningRegion}
	if f.Title == "" {
		f.Title = in.Definition.Title.In(lang)
	}
	rows := func(yield func(Row, error) bool) {
		for _, r := range submitted {
			if !yield(r, nil) {
				return
			}
		}
	}
	all, err := Aggregate(in.Definition, rows, Filter{})
	if err != nil {
		return nil, err
	}
	region, err := Aggregate(in.Definition, rows, Filter{PlanningRegion: f.Region})
	if err != nil {
		return nil, err
	}
	f.Respondents, f.RegionRespondents = all.Responses, region.Responses
	b := &feedbackBuilder{f: f, lang: lang, def: in.Definition, me: me, visible: in.Definition.Visible(me.Answers),
		all: all, region: region}

	indicatorsOf := map[string][]int{}
	for i, ind := range in.Definition.Indicators {
		sec := indicatorSection(in.Definition, ind)
		if sec == "" && len(in.Definition.Sections) > 0 { // a formula naming no question: with the last area
			sec = in.Definition.Sections[len(in.Definition.Sections)-1].Code
		}
		indicatorsOf[sec] = append(indicatorsOf[sec], i)
	}
	for _, sec := range in.Definition.Sections {
		fs := &FeedbackSection{Code: sec.Code, Title: sec.Title.In(lang)}
		for _, q := range sec.Questions {
			switch {
			case q.Personal:
				continue // never compared, never shown
			case q.Type.IsChoice() || q.Type == survey.YesNo:
				fs.Items = append(fs.Items, b.choice(q))
			case q.Type.IsNumber():
				fs.Items = append(fs.Items, b.number(q))
			case q.CanPublish() && in.Publishable[q.Code]:
				fs.Texts = append(fs.Texts, b.texts(q, submitted))
			}
		}
		for _, i := range indicatorsOf[sec.Code] {
			fs.Items = append(fs.Items, b.indicator(i))
		}
		if len(fs.Items) == 0 && len(fs.Texts) == 0 {
			continue
		}
		f.Sections = append(f.Sections, fs)
		if s := b.summary(fs); s != nil {
			f.Summary = append(f.Summary, s)
		}
	}
	b.previous(in.Previous)
	return f, nil
}

// feedbackBuilder holds what building one report needs.
type feedbackBuilder struct {
	f           *Feedback
	lang        string
	def         *survey.Definition
	me          Row
	visible     map[string]bool
	all, region *Summary
}

func (b *feedbackBuilder) t(key string, args ...any) string {
	return feedbackWord(b.lang, key, args...)
}

// state is the municipality's own answer's state for a question.
func (b *feedbackBuilder) state(q *survey.Question) (string, any) {
	if !b.visible[q.Code] {
		return FeedbackHidden, nil
	}
	v, ok := b.me.Answers[q.Code]
	if !ok {
		return FeedbackUnanswered, nil
	}
	return FeedbackAnswered, v
}

func (b *feedbackBuilder) stateText(state string) string {
	switch state {
	case FeedbackHidden:
		return b.t("state.hidden")
	case FeedbackUnanswered:
		return b.t("state.unanswered")
	case FeedbackNotComputable:
		return b.t("state.notcomputable")
	}
	return ""
}

// groups makes the two comparison groups of an item from the answers
// each has to it, deciding what each may show.
func (b *feedbackBuilder) groups(nAll, nRegion int) (all, region *FeedbackGroup) {
	all = &FeedbackGroup{Name: b.t("group.all"), Respondents: b.f.Respondents, N: nAll}
	region = &FeedbackGroup{Name: b.regionName(false), Region: true, Respondents: b.f.RegionRespondents, N: nRegion}
	switch {
	case all.Respondents < FeedbackMinGroup:
		all.Note = b.t("few", all.Respondents)
	case nAll < FeedbackMinGroup:
		all.Note = b.t("few", nAll)
	default:
		all.Shown = true
	}
	rest := nAll - nRegion
	switch {
	case region.Respondents < FeedbackMinGroup:
		region.Note = b.t("few", region.Respondents)
	case nRegion < FeedbackMinGroup:
		region.Note = b.t("few.question")
	case rest > 0 && rest < FeedbackMinGroup:
		region.Note = b.t("few.rest")
	default:
		region.Shown = true
	}
	for _, g := range []*FeedbackGroup{all, region} {
		if !g.Shown {
			g.N = 0
		}
	}
	return all, region
}

// regionName is the planning region's name: "Vidzemes plānošanas
// reģions" in full, "Vidzemes reģions" short; in English the name
// without its Latvian genitive ending ("Vidzeme planning region").
func (b *feedbackBuilder) regionName(full bool) string {
	return feedbackRegionName(b.f.Region, b.lang, full)
}

func feedbackRegionName(name, lang string, full bool) string {
	if lang == "en" {
		if base, ok := strings.CutSuffix(name, "s"); ok && (strings.HasSuffix(base, "a") || strings.HasSuffix(base, "e")) {
			name = base
		}
	}
	if full {
		return feedbackWord(lang, "region.full", name)
	}
	return feedbackWord(lang, "region.short", name)
}

// ---------------------------------------------------------------------
// Numbers and indicators

// number compares a numeric question.
func (b *feedbackBuilder) number(q *survey.Question) *FeedbackItem {
	it := &FeedbackItem{Code: q.Code, Kind: FeedbackNumber, Title: q.Text.In(b.lang), Question: q}
	state, v := b.state(q)
	it.State = state
	if n, ok := v.(json.Number); ok {
		if f, err := n.Float64(); err == nil {
			it.OwnValue = f
			if r, ok := new(big.Rat).SetString(n.String()); ok {
				it.OwnText = survey.FormatQuantity(q.Type, r, b.lang)
			}
		}
	} else if state == FeedbackAnswered {
		it.State = FeedbackUnanswered // not a number: nothing to compare
	}
	it.StateText = b.stateText(it.State)
	format := func(v float64) string { return feedbackQuantity(q, v, b.lang) }
	b.numbers(it, b.all.Question(q.Code).Numbers, b.region.Question(q.Code).Numbers, format,
		q.Type == survey.Int || q.Type == survey.Year)
	return it
}

// indicator compares one of the definition's indicators.
func (b *feedbackBuilder) indicator(i int) *FeedbackItem {
	in := b.def.Indicators[i]
	it := &FeedbackItem{Code: in.Code, Kind: FeedbackIndicator, Title: in.Text.In(b.lang), Indicator: in,
		State: FeedbackNotComputable}
	format := func(v float64) string { return feedbackIndicatorValue(in, v, b.lang) }
	if v, ok := in.Compute(b.me.Answers); ok && !math.IsInf(v, 0) && !math.IsNaN(v) {
		it.State, it.OwnValue, it.OwnText = FeedbackAnswered, v, format(v)
	}
	it.StateText = b.stateText(it.State)
	b.numbers(it, &b.all.Indicators[i].Stats, &b.region.Indicators[i].Stats, format, false)
	return it
}

// numbers fills a number's or an indicator's groups, standing and
// distribution.
func (b *feedbackBuilder) numbers(it *FeedbackItem, all, region *Stats, format func(float64) string, whole bool) {
	ga, gr := b.groups(all.N, region.N)
	it.Groups = []*FeedbackGroup{ga, gr}
	for _, gs := range []struct {
		g  *FeedbackGroup
		st *Stats
	}{{ga, all}, {gr, region}} {
		g, st := gs.g, gs.st
		if !g.Shown {
			continue
		}
		g.Q1, g.Median, g.Q3 = st.Q1, st.Median, st.Q3
		g.Q1Text, g.MedianText, g.Q3Text = format(st.Q1), format(st.Median), format(st.Q3)
		if it.State != FeedbackAnswered {
			continue
		}
		g.Rank = 1
		for _, v := range st.values {
			if v > it.OwnValue {
				g.Rank++
			}
		}
		g.Position = compareToMedian(it.OwnValue, st.Median)
		g.Standing = b.standing(g.Position, g.Rank, g.N)
	}
	if !ga.Shown {
		return
	}
	sorted := all.Values()
	bins := histogram(sorted, whole)
	it.whole = whole
	it.Split = gr.Shown && gr.N < ga.N
	for _, bn := range bins {
		it.Bins = append(it.Bins, FeedbackBin{Label: bn.label(b.lang), Lo: bn.lo, Hi: bn.hi})
	}
	for _, v := range sorted {
		it.Bins[binOf(it.Bins, v)].Count++
	}
	if it.Split {
		for _, v := range region.Values() {
			it.Bins[binOf(it.Bins, v)].Region++
		}
	}
	if it.State == FeedbackAnswered {
		it.Bins[binOf(it.Bins, it.OwnValue)].Own = true
	}
	it.ChartTitle = b.t("chart.title", it.Title)
	var parts []string
	for _, bn := range it.Bins {
		parts = append(parts, fmt.Sprintf("%s: %d", bn.Label, bn.Count))
	}
	desc := b.t("chart.desc", ga.N, strings.Join(parts, "; "), ga.MedianText, ga.Q1Text, ga.Q3Text)
	if it.State == FeedbackAnswered {
		desc += " " + b.t("chart.desc.own", it.OwnText)
	}
	it.ChartDesc = desc
}

// binOf is the bin a value falls in: the last whose lower edge it reaches.
func binOf(bins []FeedbackBin, v float64) int {
	for i := len(bins) - 1; i > 0; i-- {
		if v >= bins[i].Lo {
			return i
		}
	}
	return 0
}

// compareToMedian is +1 above the median, -1 below, 0 equal (to within
// rounding: an interpolated median is a computed figure).
func compareToMedian(v, median float64) int {
	if math.Abs(v-median) <= 1e-9*math.Max(1, math.Abs(median)) {
		return 0
	}
	if v > median {
		return 1
	}
	return -1
}

// standing says where a value stands: "virs mediānas; 11. vieta no 27".
func (b *feedbackBuilder) standing(pos, rank, n int) string {
	word := map[int]string{1: "above", 0: "equal", -1: "below"}[pos]
	return b.t(word) + "; " + b.rank(rank, n)
}

func (b *feedbackBuilder) rank(rank, n int) string {
	r := strconv.Itoa(rank) // "11. vieta"
	if b.lang == "en" {
		r = ordinal(rank) // "11th"
	}
	return b.t("rank", r, n)
}

// ordinal writes an English ordinal number: 1st, 2nd, 3rd, 4th, 11th, 21st.
func ordinal(n int) string {
	suffix := "th"
	if n%100 < 11 || n%100 > 13 {
		switch n % 10 {
		case 1:
			suffix = "st"
		case 2:
			suffix = "nd"
		case 3:
			suffix = "rd"
		}
	}
	return fmt.Sprintf("%d%s", n, suffix)
}

// feedbackQuantity writes a figure of a numeric question (a median, a
// quartile) for people in its unit: money with two decimals, whole
// numbers' statistics with at most one.
func feedbackQuantity(q *survey.Question, v float64, lang string) string {
	_, places := chartPlaces(q)
	r := survey.FloatRat(v, places)
	switch q.Type {
	case survey.Money:
		return survey.FormatMoney(survey.FloatRat(v, survey.MoneyPlaces), lang)
	case survey.Percent:
		return survey.FormatPercent(r, lang)
	case survey.Year:
		return survey.FormatNumber(r, lang, false)
	}
	return survey.FormatNumber(r, lang, true)
}

// feedbackIndicatorValue writes an indicator's value with its unit and
// decimals.
func feedbackIndicatorValue(in *survey.Indicator, v float64, lang string) string {
	p := indicatorPlaces(in)
	switch in.Unit {
	case "EUR":
		return survey.FormatMoney(survey.FloatRat(v, survey.MoneyPlaces), lang)
	case "%":
		return survey.FormatPercent(survey.FloatRat(v, p), lang)
	case "":
		return survey.FormatFixed(survey.FloatRat(v, p), p, lang)
	}
	return survey.FormatFixed(survey.FloatRat(v, p), p, lang) + "\u00a0" + in.Unit
}

// ---------------------------------------------------------------------
// Choices

// choice compares a single, multiple choice or yes/no question.
func (b *feedbackBuilder) choice(q *survey.Question) *FeedbackItem {
	it := &FeedbackItem{Code: q.Code, Kind: FeedbackChoice, Title: q.Text.In(b.lang), Question: q,
		Multi: q.Type == survey.Multi}
	state, v := b.state(q)
	chosen := map[string]bool{}
	switch x := v.(type) {
	case string:
		chosen[x] = true
	case []string:
		for _, c := range x {
			chosen[c] = true
		}
	case bool:
		chosen[fmt.Sprint(x)] = true
	}
	if state == FeedbackAnswered && len(chosen) == 0 {
		state = FeedbackUnanswered
	}
	it.State, it.StateText = state, b.stateText(state)
	qa, qr := b.all.Question(q.Code), b.region.Question(q.Code)
	ga, gr := b.groups(qa.Answered, qr.Answered)
	it.Groups = []*FeedbackGroup{ga, gr}
	var labels []string
	for i, o := range qa.Options {
		opt := &FeedbackOption{Code: o.Code, Label: o.Label.In(b.lang), Own: chosen[o.Code],
			Counts: make([]int, 2), Percents: make([]float64, 2), PercentTexts: make([]string, 2)}
		for g, src := range []OptionCount{o, qr.Options[i]} {
			if it.Groups[g].Shown {
				opt.Counts[g], opt.Percents[g] = src.Count, src.Percent
				opt.PercentTexts[g] = survey.FormatPercent(survey.FloatRat(src.Percent, 1), b.lang)
			}
		}
		if opt.Own {
			labels = append(labels, opt.Label)
		}
		it.Options = append(it.Options, opt)
	}
	if it.State == FeedbackAnswered {
		it.OwnText = strings.Join(labels, "; ")
	}
	if ga.Shown && it.State == FeedbackAnswered {
		it.Sentences = b.sentences(it, ga.N)
	}
	return it
}

// sentences say how the municipality's choices compare with all
// municipalities': each option it chose ("— jūs arī"), and each it did not
// choose that more than half did (multiple choice) or that was chosen more
// often than its own (one answer: the most frequent one).
func (b *feedbackBuilder) sentences(it *FeedbackItem, n int) []string {
	verb := "chose"
	if it.Question.Type == survey.YesNo {
		verb = "said"
	}
	say := func(o *FeedbackOption, own bool) string {
		c := o.Counts[0]
		switch {
		case own && c == 1:
			return b.t("sent."+verb+".only", o.Label, n)
		case own:
			return b.t("sent."+verb+".also", c, b.ofMunicipalities(n), o.Label)
		}
		return b.t("sent."+verb+".not", c, b.ofMunicipalities(n), o.Label)
	}
	var out []string
	if it.Multi {
		for _, o := range it.Options {
			switch {
			case o.Own:
				out = append(out, say(o, true))
			case 2*o.Counts[0] > n:
				out = append(out, say(o, false))
			}
		}
		return out
	}
	var mine, top *FeedbackOption
	for _, o := range it.Options {
		if o.Own && mine == nil {
			mine = o
		}
		if top == nil || o.Counts[0] > top.Counts[0] {
			top = o
		}
	}
	if mine == nil {
		return nil
	}
	out = append(out, say(mine, true))
	if top != mine && top.Counts[0] > mine.Counts[0] {
		out = append(out, say(top, false))
	}
	return out
}

// ofMunicipalities is "27 pašvaldībām" (after "no"; "21 pašvaldības", as
// Latvian takes the singular after numbers ending in 1 but not 11), "27
// municipalities".
func (b *feedbackBuilder) ofMunicipalities(n int) string {
	if b.lang == "en" {
		return countNoun(n, "municipality", "municipalities", false)
	}
	return countNoun(n, "pašvaldības", "pašvaldībām", true)
}

// municipalities is "27 pašvaldības", "21 pašvaldība", "27
// municipalities".
func municipalities(n int, lang string) string {
	if lang == "en" {
		return countNoun(n, "municipality", "municipalities", false)
	}
	return countNoun(n, "pašvaldība", "pašvaldības", true)
}

// countNoun writes n with the noun's form (wording.Count: Latvian takes
// the singular after numbers ending in 1 except those ending in 11).
func countNoun(n int, singular, plural string, lv bool) string {
	l := wording.EN
	if lv {
		l = wording.LV
	}
	return wording.Count(l, n, singular, plural)
}

// ---------------------------------------------------------------------
// Publishable free text

// texts lists every submitted municipality's answer to a publishable
// free-text question, by municipality name.
func (b *feedbackBuilder) texts(q *survey.Question, rows []Row) *FeedbackTexts {
	ft := &FeedbackTexts{Code: q.Code, Question: q.Text.In(b.lang)}
	for _, r := range rows {
		s, ok := r.Answers[q.Code].(string)
		if !ok || strings.TrimSpace(s) == "" || !b.def.Visible(r.Answers)[q.Code] {
			continue
		}
		name := r.Municipality.Name(b.lang)
		if name == "" {
			name = r.Municipality.NameLV
		}
		ft.Answers = append(ft.Answers, FeedbackText{Municipality: name, Own: r.Municipality.Code == b.me.Municipality.Code,
			Text: s})
	}
	survey.SortByName(ft.Answers, b.lang, func(t FeedbackText) string { return t.Municipality })
	return ft
}

// ---------------------------------------------------------------------
// Summary

// summary is an area's summary lines, from the items compared with all
// municipalities; nil when none of them can be compared.
func (b *feedbackBuilder) summary(fs *FeedbackSection) *FeedbackSummary {
	s := &FeedbackSummary{Code: fs.Code, Title: fs.Title}
	comparable := false
	ahead := func(it *FeedbackItem, text string) {
		if len(s.Ahead) < feedbackSummaryLines {
			s.Ahead = append(s.Ahead, FeedbackLine{Item: it.Code, Question: it.Title, Text: text})
		} else {
			s.MoreAhead++
		}
	}
	behind := func(it *FeedbackItem, text string) {
		if len(s.Behind) < feedbackSummaryLines {
			s.Behind = append(s.Behind, FeedbackLine{Item: it.Code, Question: it.Title, Text: text})
		} else {
			s.MoreBehind++
		}
	}
	for _, it := range fs.Items {
		g := it.Groups[0]
		if !g.Shown || it.State != FeedbackAnswered {
			continue
		}
		comparable = true
		if it.Kind == FeedbackChoice {
			for _, o := range it.Options {
				line := b.t("sum.choice", o.Label, o.Counts[0], b.ofMunicipalities(g.N))
				switch {
				case o.Own && 2*o.Counts[0] < g.N:
					ahead(it, line)
				case !o.Own && it.Multi && 2*o.Counts[0] > g.N:
					behind(it, line)
				}
			}
			continue
		}
		if it.Question != nil && it.Question.Type == survey.Year {
			continue // a later year is not "more"
		}
		switch {
		case it.OwnValue > g.Q3:
			ahead(it, b.t("sum.number", b.t("top"), b.rank(g.Rank, g.N), it.OwnText, g.MedianText))
		case it.OwnValue < g.Q1:
			behind(it, b.t("sum.number", b.t("bottom"), b.rank(g.Rank, g.N), it.OwnText, g.MedianText))
		}
	}
	if !comparable {
		return nil
	}
	return s
}

// ---------------------------------------------------------------------
// Wording

// feedbackWord is the wording of key in lang, filled with args (the
// catalog's "feedbackreport." keys, see argNames). The report is written
// by the CLI as well as the service.
func feedbackWord(lang, key string, args ...any) string {
	if !wording.Default().Has("feedbackreport." + key) {
		return key
	}
	return word(lang, "feedbackreport."+key, args...)
}

// feedbackWhen writes a moment for people: "2026. gada 29. novembrī plkst.
// 14:02", "29 November 2026, 14:02".
func feedbackWhen(t time.Time, lang string) string {
	return wording.Date(wording.Lang(lang), t, wording.Locative)
}
