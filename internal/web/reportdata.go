package web

import (
	"context"

	"github.com/civitas-lv/surveyd/internal/store"
	"github.com/civitas-lv/surveyd/reports"
	"github.com/civitas-lv/surveyd/survey"
)

// reportSource adapts the store's cursor to the rows reports read: the
// submitted snapshot when there is one, else the working copy. Contacts
// (personal data) are added only when withContacts.
func (s *Server) reportSource(ctx context.Context, sv store.Survey, withContacts bool) (reports.Source, error) {
	var contacts map[string][]store.Contact
	if withContacts {
		var err error
		if contacts, err = s.store.Contacts(ctx); err != nil {
			return nil, err
		}
	}
	return func() reports.Rows {
		return func(yield func(reports.Row, error) bool) {
			for r, err := range s.store.ReportRows(ctx, sv.ID) {
				if err != nil {
					yield(reports.Row{}, err)
					return
				}
				row, err := reportRow(r)
				for _, c := range contacts[r.Code] {
					row.Contacts = append(row.Contacts, c.Email)
				}
				if !yield(row, err) || err != nil {
					return
				}
			}
		}
	}, nil
}

func reportRow(r store.ReportRow) (reports.Row, error) {
	row := reports.Row{Municipality: reports.Municipality{Code: r.Code, NameLV: r.NameLV, NameEN: r.NameEN,
		Kind: r.Kind, PlanningRegion: r.PlanningRegion, StatisticalRegion: r.StatisticalRegion},
		Status: reports.StatusNone, SubmittedAt: r.SubmittedAt, UpdatedAt: r.UpdatedAt, Answers: survey.Answers{}}
	if r.Status == nil {
		return row, nil
	}
	row.Status = *r.Status
	data := []byte(r.AnswersJSON)
	if r.SubmittedJSON != nil {
		data = r.SubmittedJSON
	}
	a, err := survey.DecodeAnswers(data)
	row.Answers = a
	return row, err
}
