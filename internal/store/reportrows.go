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

// qReportRows orders the rows by the codes' places in $2 through a join
// (WITH ORDINALITY), not array_position, which scans the array for each
// row: quadratic, minutes at 100,000 municipalities. The working copy of
// the answers is read only when there is no submitted one (the one that
// counts for reports; '{}' in its place), so a row carries one answers
// document.
const qReportRows = `
SELECT m.code, m.name_lv, m.name_en, m.kind, m.planning_region, m.statistical_region, m.active, m.updated_at,
       r.status, CASE WHEN r.submitted_answers IS NULL THEN COALESCE(r.answers, '{}') ELSE '{}' END AS answers,
       r.submitted_answers, r.submitted_at, r.updated_at AS updated_at_r
FROM municipalities m
LEFT JOIN responses r ON r.survey_id = $1 AND r.municipality_code = m.code
LEFT JOIN unnest($2::text[]) WITH ORDINALITY AS o(code, place) ON o.code = m.code
WHERE m.active OR r.id IS NOT NULL
ORDER BY o.place, m.code`

var reportRowStatements = []string{qReportRows, firstBatch(qReportRows)}

// ReportRows streams the round's rows, one municipality at a time, in the
// order of the codes in order (the caller's alphabetical order; codes not
// in it follow by code); rows are read from the connection as they are
// used, so memory does not grow with their number. Stop early by breaking
// out of the loop. AnswersJSON is {} when there is a submitted copy.
func (s *Store) ReportRows(ctx context.Context, surveyID int64, order []string) iter.Seq2[ReportRow, error] {
	return s.now().ReportRows(ctx, surveyID, order)
}

// ReportRows is Store.ReportRows within the snapshot. Within a
// transaction (ReadSnapshot) the rows come through a cursor, fetched
// reportRowsBatch at a time: a reader may take as long as it needs
// between fetches (within idle_in_transaction_session_timeout per batch)
// without one statement outlasting statement_timeout (smallFirstRows:
// a round whose rows fit in one batch is read by one prepared statement). Each
// range over the sequence reads the rows afresh, from the same snapshot.
func (sn *Snapshot) ReportRows(ctx context.Context, surveyID int64, order []string) iter.Seq2[ReportRow, error] {
	if !sn.tx {
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
	return smallFirstRows[ReportRow](ctx, sn, qReportRows, surveyID, pq.Array(order))
}
