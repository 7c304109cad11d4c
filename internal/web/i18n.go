package web

import (
	"strings"
	"time"

	"github.com/civitas-lv/surveyd/internal/wording"
)

// lang is the language of a page: "lv" (default) or "en".
type lang string

const (
	lv lang = "lv"
	en lang = "en"
)

// T returns the message of the wording catalog (internal/wording) in the
// language, its placeholders filled from name, value pairs:
// l.T("saved.at", "date", when). An unknown key is returned as it is.
func (l lang) T(key string, args ...any) string {
	return wording.T(wording.Lang(l), key, args...)
}

// raw returns the message with its placeholders unfilled (for the form's
// script, which fills them itself).
func (l lang) raw(key string) string { return wording.Default().Raw(wording.Lang(l), key) }

// chartArgs names, in order, the arguments reports.BuildCharts and
// reports.KeyFigures pass to ChartOptions.T: reports asks positionally
// (its tests show the arguments as a list), the catalog by name.
var chartArgs = map[string][]string{
	"chart.note.choice":     {"answered", "notapplicable", "missing"},
	"chart.note.number":     {"answered", "notapplicable", "missing"},
	"chart.note.regions":    {"count"},
	"chart.note.indicator":  {"count"},
	"chart.indicator.title": {"indicator"},
	"chart.median.of":       {"indicator"},
}

// chartT is T for the chart builders (reports.ChartOptions.T).
func (l lang) chartT(key string, args ...any) string {
	names := chartArgs[key]
	pairs := make([]any, 0, 2*len(args))
	for i, a := range args {
		name := "?"
		if i < len(names) {
			name = names[i]
		}
		pairs = append(pairs, name, a)
	}
	return l.T(key, pairs...)
}

// The grammatical case of a Latvian date (wording.Date).
const (
	genitive = wording.Genitive // no/kopš 1. decembra
	dative   = wording.Dative   // līdz 15. decembrim
	locative = wording.Locative // 3. decembrī
)

// when formats a moment for people: "2026. gada 15. decembrim plkst. 23:59"
// in Latvian (in the case asked), "15 December 2026, 23:59" in English.
func (l lang) when(t time.Time, c wording.Case) string { return wording.Date(wording.Lang(l), t, c) }

// pickLang chooses the page language: ?lang= first, then the lang cookie,
// else Latvian.
func pickLang(query, cookie string) lang {
	for _, v := range []string{query, cookie} {
		switch strings.ToLower(v) {
		case "en":
			return en
		case "lv":
			return lv
		}
	}
	return lv
}
