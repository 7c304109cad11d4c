package reports

import (
	"errors"
	"fmt"
	"html/template"
	"io"
	"time"

	"github.com/civitas-lv/surveyd/survey"
	"github.com/xuri/excelize/v2"
)

// ErrNotInRound refuses a feedback report for a municipality that has no
// submitted answers in the round.
var ErrNotInRound = errors.New("the municipality has no submitted answers in this round")

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
	// Generated is when the data was read, shown on the report.
	Generated time.Time
}

// Feedback is one municipality's feedback report: its answers beside
// everyone's. Build it with BuildFeedback; write it with WriteFeedbackHTML
// and WriteFeedbackXLSX.
type Feedback struct {
	Lang          string
	Title         string
	ReferenceYear int
	Municipality  Municipality
	// Respondents counts the submitted municipalities compared with.
	Respondents int
	Generated   time.Time
}

// BuildFeedback builds the feedback report of in.Municipality
// (ErrNotInRound when it has not submitted).
func BuildFeedback(in FeedbackInput) (*Feedback, error) {
	f := &Feedback{Lang: in.Lang, Title: in.Title.In(in.Lang), ReferenceYear: in.ReferenceYear, Generated: in.Generated}
	found := false
	for _, r := range in.Rows {
		if r.Status != StatusSubmitted {
			continue
		}
		f.Respondents++
		if r.Municipality.Code == in.Municipality {
			f.Municipality, found = r.Municipality, true
		}
	}
	if !found {
		return nil, ErrNotInRound
	}
	return f, nil
}

var feedbackHTML = template.Must(template.New("feedback").Parse(`{{define "body"}}<section class="feedback">
<h1>{{.Title}}</h1>
<p>{{.Municipality.Name .Lang}}</p>
</section>{{end}}{{define "doc"}}<!doctype html>
<html lang="{{.Lang}}"><head><meta charset="utf-8"><title>{{.Title}}</title></head>
<body>{{template "body" .}}</body></html>{{end}}`))

// WriteFeedbackHTML writes the report as HTML: the body to embed in a page
// of the service (standalone false), or a whole document with its styles
// inline, to keep or send as a file (standalone true).
func WriteFeedbackHTML(w io.Writer, f *Feedback, standalone bool) error {
	name := "body"
	if standalone {
		name = "doc"
	}
	return feedbackHTML.ExecuteTemplate(w, name, f)
}

// WriteFeedbackXLSX writes the report as an Excel workbook.
func WriteFeedbackXLSX(w io.Writer, f *Feedback) error {
	x := excelize.NewFile()
	defer x.Close()
	if err := x.SetCellStr("Sheet1", "A1", fmt.Sprintf("%s — %s", f.Title, f.Municipality.Name(f.Lang))); err != nil {
		return err
	}
	_, err := x.WriteTo(w)
	return err
}
