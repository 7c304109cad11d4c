package manage

import (
	"context"
	"time"

	"github.com/civitas-lv/surveyd/internal/domain"
	"github.com/civitas-lv/surveyd/reports"
)

// Feedback builds the feedback report of one municipality for the round
// from the submitted answers, read in one snapshot, as its officials will
// read it: a preview for coordinators (domain.AccessCoordinate), released
// or not (reports.ErrNotInRound when the municipality has not submitted).
func (m *Manager) Feedback(ctx context.Context, p domain.Principal, sv domain.Survey, municipality, lang string) (*reports.Feedback, error) {
	if err := p.Require(domain.AccessCoordinate); err != nil {
		return nil, err
	}
	return m.feedback(ctx, sv, municipality, lang)
}

// feedback builds the feedback report of one municipality (Feedback), for
// whoever the caller has let through.
func (m *Manager) feedback(ctx context.Context, sv domain.Survey, municipality, lang string) (*reports.Feedback, error) {
	var out *reports.Feedback
	err := m.feedbackAll(ctx, sv, []string{municipality}, lang, func(f *reports.Feedback) error {
		out = f
		return nil
	})
	if err == nil && out == nil {
		err = reports.ErrNotInRound
	}
	return out, err
}

// FeedbackAll builds, from one snapshot, the feedback report of every
// municipality that submitted (only those in codes, when given) and calls fn
// with each, in alphabetical order; for coordinators
// (domain.AccessCoordinate), released or not. For a round made from an
// earlier one, each report shows the municipality's own answers there
// beside this year's (reports.FeedbackPrevious).
func (m *Manager) FeedbackAll(ctx context.Context, p domain.Principal, sv domain.Survey, codes []string, lang string,
	fn func(*reports.Feedback) error) error {
	if err := p.Require(domain.AccessCoordinate); err != nil {
		return err
	}
	return m.feedbackAll(ctx, sv, codes, lang, fn)
}

// feedbackAll builds the feedback reports (FeedbackAll), for whoever the
// caller has let through.
func (m *Manager) feedbackAll(ctx context.Context, sv domain.Survey, codes []string, lang string, fn func(*reports.Feedback) error) error {
	def, err := m.Definition(sv)
	if err != nil {
		return err
	}
	pub, err := m.publishable(ctx, sv, def)
	if err != nil {
		return err
	}
	want := map[string]bool{}
	for _, c := range codes {
		want[c] = true
	}
	prevDef, prevYear, prevAnswers, err := m.previousAnswers(ctx, sv)
	if err != nil {
		return err
	}
	return m.results(ctx, sv, def, false, lang, func(src reports.Source, _ Tracker) error {
		var rows []reports.Row
		for r, err := range src() {
			if err != nil {
				return err
			}
			rows = append(rows, r)
		}
		in := reports.FeedbackInput{Definition: def, Title: def.Title, ReferenceYear: def.ReferenceYear, Rows: rows,
			Publishable: pub, Lang: lang, Generated: time.Now().In(m.tz())}
		for _, r := range rows {
			if r.Status != domain.StatusSubmitted || len(want) > 0 && !want[r.Municipality.Code] {
				continue
			}
			in.Municipality = r.Municipality.Code
			if prevDef != nil { // only the municipality's own answers of last round
				in.Previous = &reports.FeedbackPrevious{Definition: prevDef, ReferenceYear: prevYear,
					Answers: prevAnswers[r.Municipality.Code]}
			}
			f, err := reports.BuildFeedback(in)
			if err != nil {
				return err
			}
			if err := fn(f); err != nil {
				return err
			}
		}
		return nil
	})
}
