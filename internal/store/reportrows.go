package store

import (
	"context"
	"encoding/json"
	"iter"
	"time"

	"github.com/lib/pq"
)

// ReportRow is one municipality's standing in a round for reports: its
// reference data and its response, if any.
type ReportRow struct {
	Municipality
	Status      *string         `db:"status"` // nil: nothing saved
	AnswersJSON json.RawMessage `db:"answers"`
	// SubmittedJSON is the submitted snapshot (nil if never submitted).
	SubmittedJSON []byte     `db:"submitted_answers"`
	SubmittedAt   *time.Time `db:"submitted_at"`
	UpdatedAt     *time.Time `db:"updated_at_r"`
}

const qReportRows = `
SELECT m.code, m.name_lv, m.name_en, m.kind, m.planning_region, m.statistical_region, m.active, m.updated_at,
       r.status, COALESCE(r.answers, '{}') AS answers, r.submitted_answers, r.submitted_at, r.updated_at AS updated_at_r
FROM municipalities m
LEFT JOIN responses r ON r.survey_id = $1 AND r.municipality_code = m.code
WHERE m.active OR r.id IS NOT NULL
ORDER BY array_position($2::text[], m.code), m.code`

var reportRowStatements = []string{qReportRows}

// ReportRows streams the round's rows, one municipality at a time, in the
// order of the codes in order (the caller's alphabetical order; codes not
// in it follow by code); rows are read from the connection as they are
// used, so memory does not grow with their number. Stop early by breaking
// out of the loop.
func (s *Store) ReportRows(ctx context.Context, surveyID int64, order []string) iter.Seq2[ReportRow, error] {
	return s.now().ReportRows(ctx, surveyID, order)
}

// ReportRows is Store.ReportRows within the snapshot.
func (sn *Snapshot) ReportRows(ctx context.Context, surveyID int64, order []string) iter.Seq2[ReportRow, error] {
	return func(yield func(ReportRow, error) bool) {
		rows, err := sn.q.QueryxContext(ctx, qReportRows, surveyID, pq.Array(order))
		if err != nil {
			yield(ReportRow{}, err)
			return
		}
		defer rows.Close()
		for rows.Next() {
			var r ReportRow
			if err := rows.StructScan(&r); err != nil {
				yield(ReportRow{}, err)
				return
			}
			if !yield(r, nil) {
				return
			}
		}
		if err := rows.Err(); err != nil {
			yield(ReportRow{}, err)
		}
	}
}
