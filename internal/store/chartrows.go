package store

import (
	"context"
	"encoding/json"

	"github.com/lib/pq"
)

// ChartRow is what the charts of a round read of one municipality: where
// it stands (its regions and kind), its response's status (nil: nothing
// saved) and the one answers document that counts for reports (the
// submitted copy when there is one, else the working copy; {} when nothing
// was saved).
type ChartRow struct {
	Code              string          `db:"code"`
	Kind              string          `db:"kind"`
	PlanningRegion    string          `db:"planning_region"`
	StatisticalRegion string          `db:"statistical_region"`
	Status            *string         `db:"status"`
	AnswersJSON       json.RawMessage `db:"answers"`
}

// qChartRows is a round's rows as ReportRows has them (every active
// municipality, and every one that answered), only the columns the
// charts use, in no particular order.
const qChartRows = `
SELECT m.code, m.kind, m.planning_region, m.statistical_region, r.status,
       COALESCE(r.submitted_answers, r.answers, '{}') AS answers
FROM municipalities m
LEFT JOIN responses r ON r.survey_id = $1 AND r.municipality_code = m.code
WHERE m.active OR r.id IS NOT NULL`

// qChartSubmitted is a round's submitted responses, the submitted copy of
// each, in no particular order.
const qChartSubmitted = `
SELECT m.code, m.kind, m.planning_region, m.statistical_region, r.status, r.submitted_answers AS answers
FROM responses r
JOIN municipalities m ON m.code = r.municipality_code
WHERE r.survey_id = $1 AND r.status = 'submitted'`

// qResultsStamp fingerprints everything the charts of a round read: the
// rounds $1 (the round and the one the caller knows it was made from) and
// the rounds before them along previous_survey_id ($2 rounds at most, the
// round included), their responses, and the municipalities. Every row's
// xmin is in it — the transaction that wrote the row's current version —
// so any insert, update or delete of such a row, committed in any order,
// gives another fingerprint: the number of rows and two sums of 64-bit
// hashes of each row's key and xmin (sums, so no sort; two, so that
// changes whose hashes happen to cancel out in one are still seen in the
// other). Reading it costs no answers document.
const qResultsStamp = `
WITH RECURSIVE chain(id, depth) AS (
    SELECT unnest($1::bigint[]), 1
    UNION ALL
    SELECT s.previous_survey_id, c.depth + 1 FROM chain c JOIN surveys s ON s.id = c.id
    WHERE s.previous_survey_id IS NOT NULL AND c.depth < $2
), versions(k) AS (
    SELECT 's' || s.id::text || ':' || s.xmin::text FROM surveys s WHERE s.id IN (SELECT id FROM chain)
    UNION ALL
    SELECT 'r' || r.id::text || ':' || r.xmin::text FROM responses r WHERE r.survey_id IN (SELECT id FROM chain)
    UNION ALL
    SELECT 'm' || m.code || ':' || m.xmin::text FROM municipalities m
)
SELECT count(*)::text || ':' || COALESCE(sum(hashtextextended(k, 0)::numeric), 0)::text || ':' ||
       COALESCE(sum(hashtextextended(k, 1)::numeric), 0)::text
FROM versions`

// qWorkbookStamp is qResultsStamp over what a round's workbook reads
// besides (its status sheet, the tracker): round $3's links, messages,
// deadline extensions, returns and feedback releases, and every contact.
const qWorkbookStamp = `
WITH RECURSIVE chain(id, depth) AS (
    SELECT unnest($1::bigint[]), 1
    UNION ALL
    SELECT s.previous_survey_id, c.depth + 1 FROM chain c JOIN surveys s ON s.id = c.id
    WHERE s.previous_survey_id IS NOT NULL AND c.depth < $2
), versions(k) AS (
    SELECT 's' || s.id::text || ':' || s.xmin::text FROM surveys s WHERE s.id IN (SELECT id FROM chain)
    UNION ALL
    SELECT 'r' || r.id::text || ':' || r.xmin::text FROM responses r WHERE r.survey_id IN (SELECT id FROM chain)
    UNION ALL
    SELECT 'm' || m.code || ':' || m.xmin::text FROM municipalities m
    UNION ALL
    SELECT 'i' || i.id::text || ':' || i.xmin::text FROM invitations i WHERE i.survey_id = $3
    UNION ALL
    SELECT 'g' || g.id::text || ':' || g.xmin::text FROM messages g WHERE g.survey_id = $3
    UNION ALL
    SELECT 'd' || d.municipality_code || ':' || d.xmin::text FROM deadline_extensions d WHERE d.survey_id = $3
    UNION ALL
    SELECT 'x' || x.id::text || ':' || x.xmin::text FROM returns x JOIN responses r ON r.id = x.response_id
    WHERE r.survey_id = $3
    UNION ALL
    SELECT 'f' || f.municipality_code || ':' || f.xmin::text FROM feedback_releases f WHERE f.survey_id = $3
    UNION ALL
    SELECT 'c' || c.id::text || ':' || c.xmin::text FROM contacts c
)
SELECT count(*)::text || ':' || COALESCE(sum(hashtextextended(k, 0)::numeric), 0)::text || ':' ||
       COALESCE(sum(hashtextextended(k, 1)::numeric), 0)::text
FROM versions`

var chartRowStatements = []string{qChartRows, qChartSubmitted, qResultsStamp, qWorkbookStamp}

// ChartRows reads a round's rows for its charts (see ChartRow); only the
// submitted responses when submittedOnly (what a trend counts).
func (sn *Snapshot) ChartRows(ctx context.Context, surveyID int64, submittedOnly bool) ([]ChartRow, error) {
	q := qChartRows
	if submittedOnly {
		q = qChartSubmitted
	}
	var out []ChartRow
	return out, sn.q.SelectContext(ctx, &out, q, surveyID)
}

// ResultsStamp fingerprints what the charts of a round read: the rounds
// surveyIDs (the round, and the round it was made from as the caller has
// it), the rounds before them (rounds in a series at most), their
// responses and the municipalities. Two equal stamps mean nothing the
// charts read changed in between: what was made from data read after a
// stamp may be used again while the stamp read now is the same.
func (s *Store) ResultsStamp(ctx context.Context, surveyIDs []int64, rounds int) (string, error) {
	var stamp []string
	if err := s.db.SelectContext(ctx, &stamp, qResultsStamp, pq.Array(surveyIDs), rounds); err != nil {
		return "", err
	}
	if len(stamp) != 1 {
		return "", ErrNotFound
	}
	return stamp[0], nil
}

// WorkbookStamp is ResultsStamp over what a round's workbook reads: the
// same rows and besides them the tracker's — the round's (surveyIDs[0])
// links, messages, deadline extensions, returns and feedback releases,
// and every contact.
func (s *Store) WorkbookStamp(ctx context.Context, surveyIDs []int64, rounds int) (string, error) {
	if len(surveyIDs) == 0 {
		return "", ErrNotFound
	}
	var stamp []string
	if err := s.db.SelectContext(ctx, &stamp, qWorkbookStamp, pq.Array(surveyIDs), rounds, surveyIDs[0]); err != nil {
		return "", err
	}
	if len(stamp) != 1 {
		return "", ErrNotFound
	}
	return stamp[0], nil
}
