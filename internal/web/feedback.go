package web

// The staff preview of a municipality's feedback report: the report's HTML
// (reports.WriteFeedbackHTML, the same fragment the respondent's results
// page embeds) inside the workspace layout, and the same report as .xlsx.

import (
	"bytes"
	"html/template"
	"net/http"
	"net/url"
	"strings"
	"unicode"

	"github.com/civitas-lv/surveyd/reports"
	"github.com/gin-gonic/gin"
)

// feedbackPage is the preview: the page gives the <h1>, the report's
// fragment starts at <h2>.
type feedbackPage struct {
	Page
	RoundTitle   string
	Municipality string
	TrackerURL   string
	XLSXURL      string
	OtherLangURL string
	OtherLang    lang
	Report       template.HTML
}

// feedbackPreview shows one municipality's feedback report as its
// officials will read it (404 when it has no submitted answers).
func (s *Server) feedbackPreview(c *gin.Context) error {
	l := s.lang(c)
	sv, def, err := s.loadRound(c)
	if err != nil {
		return err
	}
	f, err := s.manage.Feedback(c.Request.Context(), actor(c), sv, c.Param("code"), string(l))
	if err != nil {
		return err
	}
	var body bytes.Buffer
	if err := reports.WriteFeedbackHTML(&body, f, false); err != nil {
		return err
	}
	name := f.Municipality.Name(string(l))
	if name == "" {
		name = f.Municipality.NameLV
	}
	other := en
	if l == en {
		other = lv
	}
	base := "/surveys/" + url.PathEscape(sv.Slug) + "/feedback/" + url.PathEscape(f.Municipality.Code)
	p := feedbackPage{Page: s.page(c, l.T("feedback.title", "municipality", name)), RoundTitle: def.Title.In(string(l)), Municipality: name,
		TrackerURL: "/surveys/" + url.PathEscape(sv.Slug), XLSXURL: base + "/report.xlsx?lang=" + string(l),
		OtherLangURL: base + "?lang=" + string(other), OtherLang: other,
		// The fragment is html/template's output: escaped there.
		Report: template.HTML(body.String())}
	c.Header("Cache-Control", "no-store")
	s.render(c, http.StatusOK, "feedback.html", p)
	return nil
}

// feedbackXLSX downloads the same report as an Excel workbook.
func (s *Server) feedbackXLSX(c *gin.Context) error {
	l := s.lang(c)
	sv, _, err := s.loadRound(c)
	if err != nil {
		return err
	}
	f, err := s.manage.Feedback(c.Request.Context(), actor(c), sv, c.Param("code"), string(l))
	if err != nil {
		return err
	}
	w := &attachment{c: c, name: FeedbackFilename(sv.Slug, f.Municipality.Code, string(l))}
	if err := reports.WriteFeedbackXLSX(w, f); err != nil {
		if !w.started {
			return err
		}
		s.log.Error("feedback workbook cut short", "request_id", requestID(c), "survey", sv.Slug, "error", err)
		c.Abort()
	}
	return nil
}

// FeedbackFilename names a municipality's feedback workbook:
// regional-2025-cesis-atgriezeniska-saite.xlsx, …-feedback.xlsx in English.
// Anything but ASCII letters, digits, '-', '_' and '.' becomes '_'.
func FeedbackFilename(slug, code, lang string) string {
	safe := func(s string) string {
		return strings.Map(func(r rune) rune {
			if r < 128 && (unicode.IsLetter(r) || unicode.IsDigit(r) || r == '-' || r == '_' || r == '.') {
				return r
			}
			return '_'
		}, s)
	}
	kind := "atgriezeniska-saite"
	if lang == "en" {
		kind = "feedback"
	}
	return safe(slug) + "-" + safe(code) + "-" + kind + ".xlsx"
}
