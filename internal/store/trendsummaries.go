package store

import "context"

// TrendSummaryKey names an earlier round's trend summary
// (reports.EncodeTrendSummary): the round, the SHA-256 of the
// questionnaire it was aggregated under, the filter (the caller's key for
// it) and the summary's format (reports.TrendSummaryFormat).
type TrendSummaryKey struct {
	Survey           int64
	DefinitionSHA256 string
	Filter           string
	Format           int
}

// qTrendSummary is the fingerprint of round $1's submitted rows
// (qChartSubmittedFingerprint) and the trend summary kept under
// ($1, $2, $3, $4) when it was made from rows of that fingerprint (NULL
// otherwise): one short row.
const qTrendSummary = `
SELECT f.fp, t.summary
FROM (` + qChartSubmittedFingerprint + `) f(fp)
LEFT JOIN trend_summaries t ON t.survey_id = $1 AND t.definition_sha256 = $2 AND t.filter = $3 AND t.format = $4
                           AND t.fingerprint = f.fp`

// qPutTrendSummary keeps a trend summary made from rows of fingerprint
// $5, in place of the one kept under the same key.
const qPutTrendSummary = `
INSERT INTO trend_summaries (survey_id, definition_sha256, filter, format, fingerprint, summary)
VALUES ($1, $2, $3, $4, $5, $6)
ON CONFLICT (survey_id, definition_sha256, filter, format)
DO UPDATE SET fingerprint = EXCLUDED.fingerprint, summary = EXCLUDED.summary, made_at = now()`

var trendSummaryStatements = []string{qTrendSummary, qPutTrendSummary}

// TrendSummary fingerprints a round's submitted rows as ChartHeads(k.Survey,
// true) would read them — the number of rows and two sums of hashes of
// each row's fields: equal fingerprints mean the same rows in the same
// versions — and gives the trend summary kept under k when it was made
// from rows of that fingerprint (nil when none was, or from other rows).
// A summary kept is only what was made from exactly the rows this
// snapshot sees.
func (sn *Snapshot) TrendSummary(ctx context.Context, k TrendSummaryKey) (fingerprint string, kept []byte, err error) {
	var rows []struct {
		Fingerprint string `db:"fp"`
		Summary     []byte `db:"summary"`
	}
	if err := sn.q.SelectContext(ctx, &rows, qTrendSummary, k.Survey, k.DefinitionSHA256, k.Filter, k.Format); err != nil {
		return "", nil, err
	}
	if len(rows) != 1 {
		return "", nil, ErrNotFound
	}
	return rows[0].Fingerprint, rows[0].Summary, nil
}

// PutTrendSummary keeps summary, made from a round's submitted rows of
// fingerprint (TrendSummary), under k, in place of what was kept there.
// It is derived data: it may be lost or deleted at any time and is made
// again when next needed.
func (s *Store) PutTrendSummary(ctx context.Context, k TrendSummaryKey, fingerprint string, summary []byte) error {
	_, err := s.db.ExecContext(ctx, qPutTrendSummary, k.Survey, k.DefinitionSHA256, k.Filter, k.Format, fingerprint, summary)
	return err
}
