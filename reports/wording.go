package reports

import (
	"strconv"

	"github.com/civitas-lv/surveyd/internal/wording"
)

// The reports' wording is in the service's catalog (internal/wording):
// the workbook's under "workbook.", the feedback report's under
// "feedbackreport.", the contact list's under "contactfile.". The lookup
// helpers (workbook.t, feedbackWord, contactWord) take the key without
// that prefix and their arguments in order, as the report's code and
// templates pass them; argNames names the placeholders the arguments fill,
// in that order.
var argNames = map[string][]string{
	"workbook.cb.max_length": {"n"},
	"workbook.cb.other_text": {"field"},
	"workbook.sum.reference": {"year"},
	"workbook.sum.continued": {"sheet", "sheets"},
	"workbook.trend.chart":   {"indicator"},

	"feedbackreport.doc.title":       {"municipality"},
	"feedbackreport.intro.round":     {"title", "year"},
	"feedbackreport.intro.compared":  {"all", "region", "region_count"},
	"feedbackreport.intro.generated": {"when"},
	"feedbackreport.intro.few":       {"min"},
	"feedbackreport.region.short":    {"name"},
	"feedbackreport.region.full":     {"name"},
	"feedbackreport.few":             {"n"},
	"feedbackreport.stat.caption":    {"question"},
	"feedbackreport.choice.group":    {"group", "n"},
	"feedbackreport.choice.caption":  {"question"},
	"feedbackreport.sent.chose.also": {"count", "of", "answer"},
	"feedbackreport.sent.chose.not":  {"count", "of", "answer"},
	"feedbackreport.sent.chose.only": {"answer", "n"},
	"feedbackreport.sent.said.also":  {"count", "of", "answer"},
	"feedbackreport.sent.said.not":   {"count", "of", "answer"},
	"feedbackreport.sent.said.only":  {"answer", "n"},
	"feedbackreport.sum.more":        {"n", "section"},
	"feedbackreport.sum.choice":      {"answer", "count", "of"},
	"feedbackreport.sum.number":      {"where", "rank", "own", "median"},
	"feedbackreport.rank":            {"rank", "n"},
	"feedbackreport.chart.title":     {"question"},
	"feedbackreport.chart.desc":      {"n", "intervals", "median", "q1", "q3"},
	"feedbackreport.chart.desc.own":  {"value"},
	"feedbackreport.x.count":         {"group"},
	"feedbackreport.x.pct":           {"group"},
	"feedbackreport.prev":            {"year"},
	"feedbackreport.prev.indicator":  {"year"},
}

// catalogLang is the catalog's language for a report's: English for "en",
// Latvian otherwise.
func catalogLang(lang string) wording.Lang {
	if lang == "en" {
		return wording.EN
	}
	return wording.LV
}

// word is the catalog's message key in lang with its placeholders filled
// from args in the order argNames gives (an argument without a name shows
// as a missing placeholder, as the catalog shows every mistake).
func word(lang, key string, args ...any) string {
	if len(args) == 0 {
		return wording.T(catalogLang(lang), key)
	}
	names := argNames[key]
	pairs := make([]any, 0, 2*len(args))
	for i, a := range args {
		name := "arg" + strconv.Itoa(i+1)
		if i < len(names) {
			name = names[i]
		}
		pairs = append(pairs, name, a)
	}
	return wording.T(catalogLang(lang), key, pairs...)
}
