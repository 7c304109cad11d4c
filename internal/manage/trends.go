package manage

import (
	"context"
	"errors"
	"fmt"
	"slices"

	"github.com/civitas-lv/surveyd/internal/domain"
	"github.com/civitas-lv/surveyd/internal/store"
	"github.com/civitas-lv/surveyd/reports"
	"github.com/civitas-lv/surveyd/survey"
)

// MaxTrendRounds is how many rounds a trend covers at most, the round
// itself included: the earlier ones reach back that far along the rounds'
// sources.
const MaxTrendRounds = 10

// earlierRounds lists the rounds before sv in its series, oldest first:
// the round it was made from (domain.Survey.PreviousSurveyID), that
// round's source, and so on, at most MaxTrendRounds-1 of them. A round
// whose source is gone (ON DELETE SET NULL) starts the series.
func (m *Manager) earlierRounds(ctx context.Context, sv domain.Survey) ([]domain.Survey, error) {
	var out []domain.Survey
	seen := map[int64]bool{sv.ID: true}
	for id := sv.PreviousSurveyID; id != nil && !seen[*id] && len(out) < MaxTrendRounds-1; {
		seen[*id] = true
		prev, err := m.Store.SurveyByID(ctx, *id)
		if errors.Is(err, domain.ErrNotFound) {
			break
		}
		if err != nil {
			return nil, err
		}
		out = append(out, prev)
		id = prev.PreviousSurveyID
	}
	slices.Reverse(out)
	return out, nil
}

// submittedRows reads a round's submitted responses (the submitted copy
// of each), bounded as a report's are (MaxReportData), in the order of the
// municipalities' codes.
func (m *Manager) submittedRows(ctx context.Context, r domain.Survey) ([]reports.Row, error) {
	var rows []reports.Row
	size := 0
	for sr, err := range m.Store.ReportRows(ctx, r.ID, nil) {
		if err != nil {
			return nil, err
		}
		if sr.Status == nil || *sr.Status != domain.StatusSubmitted {
			continue
		}
		sr.AnswersJSON = nil // the submitted copy is the one that counts
		if size += len(sr.SubmittedJSON); size > MaxReportData {
			return nil, fmt.Errorf("round %s: the answers exceed %d MiB, more than a report reads", r.Slug, MaxReportData>>20)
		}
		row, err := ReportRow(sr)
		if err != nil {
			return nil, err
		}
		rows = append(rows, row)
	}
	return rows, nil
}

// previousAnswers reads the round sv was made from, for the feedback
// reports' "this year beside last year": its questionnaire, reference year
// and each municipality's submitted answers there. nil when sv has no
// source.
func (m *Manager) previousAnswers(ctx context.Context, sv domain.Survey) (*survey.Definition, int, map[string]survey.Answers, error) {
	if sv.PreviousSurveyID == nil {
		return nil, 0, nil, nil
	}
	prev, err := m.Store.SurveyByID(ctx, *sv.PreviousSurveyID)
	if errors.Is(err, domain.ErrNotFound) {
		return nil, 0, nil, nil
	}
	if err != nil {
		return nil, 0, nil, err
	}
	def, err := m.Definition(prev)
	if err != nil {
		return nil, 0, nil, err
	}
	rows, err := m.submittedRows(ctx, prev)
	if err != nil {
		return nil, 0, nil, err
	}
	answers := map[string]survey.Answers{}
	for _, r := range rows {
		answers[r.Municipality.Code] = r.Answers
	}
	return def, prev.ReferenceYear, answers, nil
}

// snapshotTrendRounds gives the workbook's trend sheet the rounds before
// sv (earlierRounds) from the report's snapshot: each one's questionnaire
// and its submitted answers (only those count in a trend), streamed from
// the snapshot on every pass (store.Snapshot.ReportRows), never held in
// memory. The rows come in order (the report's alphabetical order of the
// municipalities' names); a municipality not in it (no longer active)
// follows by its code.
func (m *Manager) snapshotTrendRounds(ctx context.Context, sn *store.Snapshot, rounds []domain.Survey,
	order []string) ([]reports.TrendRound, error) {
	var out []reports.TrendRound
	for _, r := range rounds {
		def, err := m.Definition(r)
		if err != nil {
			return nil, err
		}
		id := r.ID
		rows := func(yield func(reports.Row, error) bool) {
			for sr, err := range sn.ReportRows(ctx, id, order) {
				if err == nil {
					err = ctx.Err()
				}
				if err != nil {
					yield(reports.Row{}, err)
					return
				}
				if sr.Status == nil || *sr.Status != domain.StatusSubmitted {
					continue
				}
				row, err := ReportRow(sr)
				if !yield(row, err) || err != nil {
					return
				}
			}
		}
		out = append(out, reports.TrendRound{Slug: r.Slug, Definition: def, ReferenceYear: r.ReferenceYear, Rows: rows})
	}
	return out, nil
}
