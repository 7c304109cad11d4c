package web_test

import (
	"html"

	"github.com/civitas-lv/surveyd/internal/domain"
	"github.com/civitas-lv/surveyd/survey"
)

func parseDef(sv domain.Survey) (*survey.Definition, error) {
	return survey.Parse(sv.Definition, sv.Slug)
}

// htmlEscape mirrors html/template's escaping of text (quotes included).
func htmlEscape(s string) string { return html.EscapeString(s) }
