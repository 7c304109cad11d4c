package store

import (
	"cmp"
	"context"
	"database/sql"
	"slices"
	"strconv"
	"strings"

	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"
)

// ChartHead is what the charts of a round read of one municipality besides
// its answers: where it stands (its regions and kind), its response's
// status (nil: nothing saved) and which version of the response row it is
// (ID and Version nil when nothing was saved). The answers of a row
// version are read apart (Snapshot.EachChartAnswers) and may be kept by the
// caller under (ID, Version): a row's Version differs whenever the row was
// written since.
type ChartHead struct {
	Code              string  `db:"code"`
	Kind              string  `db:"kind"`
	PlanningRegion    string  `db:"planning_region"`
	StatisticalRegion string  `db:"statistical_region"`
	Status            *string `db:"status"`
	ID                *int64  `db:"id"`
	Version           *string `db:"row_version"`
}

// qChartHeads is a round's rows as ReportRows has them (every active
// municipality, and every one that answered), without the answers: the
// municipality's columns the charts use, and the response's id, status
// and row version (the writing transaction's id, xmin, and the response's
// version: xmin alone would repeat only after four billion transactions,
// and then the version would have to repeat too), in no particular order.
const qChartHeads = chartHeadColumns + chartRoundRows

// chartHeadColumns are a head's columns; chartRoundRows and
// chartSubmittedRows the rows of qChartHeads and qChartSubmittedHeads.
const (
	chartHeadColumns = `
SELECT m.code, m.kind, m.planning_region, m.statistical_region, r.status, r.id,
       r.xmin::text || ':' || r.version::text AS row_version`
	chartRoundRows = chartRoundFrom + chartRoundWhere
	chartRoundFrom = `
FROM municipalities m
LEFT JOIN responses r ON r.survey_id = $1 AND r.municipality_code = m.code`
	chartRoundWhere = `
WHERE m.active OR r.id IS NOT NULL`
	chartSubmittedRows = chartSubmittedFrom + chartSubmittedWhere
	chartSubmittedFrom = `
FROM responses r
JOIN municipalities m ON m.code = r.municipality_code`
	chartSubmittedWhere = `
WHERE r.survey_id = $1 AND r.status = 'submitted'`
)

// qChartSubmittedHeads is a round's submitted responses as qChartHeads
// has them.
const qChartSubmittedHeads = chartHeadColumns + chartSubmittedRows

// qChartSubmittedFingerprint fingerprints what qChartSubmittedHeads reads
// of a round, without reading it out: the number of rows and two sums of
// 64-bit hashes of each row's fields (as qResultsStamp sums them). Equal
// fingerprints mean the same rows in the same versions, whatever their
// order; any change to one (an answer, a status, a municipality's region
// or kind, a row gone or added) gives another.
const qChartSubmittedFingerprint = `
SELECT count(*)::text || ':' || COALESCE(sum(hashtextextended(k, 0)), 0)::text || ':' ||
       COALESCE(sum(hashtextextended(k, 1)), 0)::text
FROM (SELECT format('%L %L %L %L %L %s %s %s', m.code, m.kind, m.planning_region, m.statistical_region, r.status,
                    r.id, r.xmin, r.version) AS k
      FROM responses r
      JOIN municipalities m ON m.code = r.municipality_code
      WHERE r.survey_id = $1 AND r.status = 'submitted') v`

// qChartAnswers is the answers document that counts for reports of the
// responses $1 (the submitted copy when there is one, else the working
// copy), qChartSubmittedAnswers the submitted copy; each with the row
// version as qChartHeads has it.
const (
	qChartAnswers = `
SELECT r.id, r.xmin::text || ':' || r.version::text AS row_version,
       COALESCE(r.submitted_answers, r.answers, '{}') AS answers
FROM responses r WHERE r.id = ANY($1::bigint[])`
	qChartSubmittedAnswers = `
SELECT r.id, r.xmin::text || ':' || r.version::text AS row_version,
       r.submitted_answers AS answers
FROM responses r WHERE r.id = ANY($1::bigint[])`
)

// qRoundWhole is qChartHeads with each response's answers document as
// qChartAnswers has it — or, in its place, the prepared form kept for
// the response's row version under the questionnaire $2 and format $3
// (response_prepared) — and qRoundSubmittedWhole qChartSubmittedHeads
// with each one's submitted copy, or the form kept of it (a form is of
// the submitted copy when the response has one: of what qRoundWhole
// reads). The server hashes the municipalities (the narrower side: a row
// of the round carries a document) and streams the round's responses past
// them as it finds them, reading the table once; then come the active
// municipalities without a response. A document a form stands for is not
// written out.
const (
	qRoundWhole = chartHeadColumns + `,
       CASE WHEN p.prepared IS NULL THEN COALESCE(r.submitted_answers, r.answers, '{}') END AS answers,
       p.prepared` + chartRoundFrom + preparedJoin + chartRoundWhere
	qRoundSubmittedWhole = chartHeadColumns + `,
       CASE WHEN p.prepared IS NULL THEN r.submitted_answers END AS answers,
       p.prepared` + chartSubmittedFrom + preparedJoin + `
                            AND r.submitted_answers IS NOT NULL` + chartSubmittedWhere
	preparedJoin = `
LEFT JOIN response_prepared p ON p.response_id = r.id AND p.survey_id = $1
                            AND p.definition_sha256 = $2 AND p.format = $3
                            AND p.row_xmin = r.xmin AND p.row_version = r.version`
	// qChartMunicipalities is what a head has of every municipality.
	qChartMunicipalities = `
SELECT code, kind, planning_region, statistical_region, active FROM municipalities`
)

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
const qResultsStamp = stampRounds + stampSum

// stampRounds and stampSum are qResultsStamp's start and end: the rows'
// versions it lists, and how they are summed. sum over bigint adds in
// 128-bit integers and never overflows; the same sum over the hashes cast
// to numeric, as it was written before, gave the same figures at about 1.5×
// the backend's time (13 against 17–22 ms at 20,000 rows, psql \timing).
const (
	stampRounds = `
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
`
	stampSum = `
)
SELECT count(*)::text || ':' || COALESCE(sum(hashtextextended(k, 0)), 0)::text || ':' ||
       COALESCE(sum(hashtextextended(k, 1)), 0)::text
FROM versions`
)

// qWorkbookStamp is qResultsStamp over what a round's workbook reads
// besides (its status sheet, the tracker): round $3's links, messages,
// deadline extensions, returns and feedback releases, and every contact.
const qWorkbookStamp = stampRounds + `
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
    SELECT 'c' || c.id::text || ':' || c.xmin::text FROM contacts c` + stampSum

// qPutPrepared keeps the prepared forms $6 of the responses $4 of round
// $1, each made from the row version $5 ("xmin:version", as the heads
// name it) under the questionnaire $2 and format $3, in place of what was
// kept for them unless that was made from a later version of the
// response (written by a server that read it since); a response gone
// since (or of another round) is left out. The xmin and version are
// kept apart, as the responses have them: qRoundWhole compares them as
// they are, with no text made of them for every response read (which
// took PostgreSQL some 5–20 ms more at 10,000 responses, forms kept or
// not).
const qPutPrepared = `
INSERT INTO response_prepared (response_id, survey_id, row_xmin, row_version, definition_sha256, format, prepared)
SELECT u.id, $1, split_part(u.v, ':', 1)::xid, split_part(u.v, ':', 2)::integer, $2, $3, u.p
FROM unnest($4::bigint[], $5::text[], $6::bytea[]) AS u(id, v, p)
JOIN responses r ON r.id = u.id AND r.survey_id = $1
ON CONFLICT (response_id) DO UPDATE SET survey_id = EXCLUDED.survey_id, row_xmin = EXCLUDED.row_xmin,
    row_version = EXCLUDED.row_version, definition_sha256 = EXCLUDED.definition_sha256, format = EXCLUDED.format,
    prepared = EXCLUDED.prepared
WHERE response_prepared.row_version <= EXCLUDED.row_version`

// qFormsMissing says whether a response of round $1 has no prepared form
// for its current row version under the questionnaire $2 and format $3
// (what qRoundWhole's join would find): it stops at the first one.
const qFormsMissing = `
SELECT EXISTS (
    SELECT 1 FROM responses r
    WHERE r.survey_id = $1 AND NOT EXISTS (
        SELECT 1 FROM response_prepared p WHERE p.response_id = r.id AND p.survey_id = $1
            AND p.definition_sha256 = $2 AND p.format = $3 AND p.row_xmin = r.xmin AND p.row_version = r.version))`

var chartRowStatements = []string{qChartHeads, qChartSubmittedHeads,
	qChartAnswers, qChartSubmittedAnswers, qRoundWhole, qRoundSubmittedWhole, qResultsStamp, qWorkbookStamp, qPutPrepared,
	qFormsMissing}

// headValues holds what ChartHeads' pointers point to for many heads at
// once: a status read before is shared (there are a few), ids and
// versions go into chunks, so that a round's heads do not take three
// allocations each.
type headValues struct {
	statuses map[string]*string
	ids      []int64
	versions []string
}

// set fills h's pointers from the columns read.
func (v *headValues) set(h *ChartHead, status, version sql.NullString, id sql.NullInt64) {
	const chunk = 256
	if status.Valid {
		p := v.statuses[status.String]
		if p == nil {
			if v.statuses == nil {
				v.statuses = map[string]*string{}
			}
			s := status.String
			p = &s
			v.statuses[s] = p
		}
		h.Status = p
	}
	if id.Valid {
		if len(v.ids) == cap(v.ids) {
			v.ids = make([]int64, 0, chunk)
		}
		v.ids = append(v.ids, id.Int64)
		h.ID = &v.ids[len(v.ids)-1]
	}
	if version.Valid {
		if len(v.versions) == cap(v.versions) {
			v.versions = make([]string, 0, chunk)
		}
		v.versions = append(v.versions, version.String)
		h.Version = &v.versions[len(v.versions)-1]
	}
}

// ChartHeads reads a round's rows for its charts without their answers
// (see ChartHead); only the submitted responses when submittedOnly (what
// a trend counts).
func (sn *Snapshot) ChartHeads(ctx context.Context, surveyID int64, submittedOnly bool) ([]ChartHead, error) {
	q := qChartHeads
	if submittedOnly {
		q = qChartSubmittedHeads
	}
	// Scanned column by column rather than by sqlx's field mapping: a
	// round of 10,000 is read on every chart page after a save.
	rows, err := sn.q.QueryxContext(ctx, q, surveyID)
	if err != nil {
		return nil, err
	}
	return readHeads(rows, nil)
}

// readHeads makes a head of each row of rows (chartHeadColumns), and
// closes them. When fn is not nil each row also holds an answers
// document and a prepared form (one of them NULL), given to fn with its
// head's index when the head has a response; an error from fn stops the
// read and is returned.
func readHeads(rows *sqlx.Rows, fn func(head int, id int64, version string, answers, prepared []byte) error) ([]ChartHead, error) {
	defer rows.Close()
	var out []ChartHead
	var vals headValues
	// Scanned into variables made once (what Scan is given the address
	// of is on the heap), each row's head then made of them.
	var h ChartHead
	var status, version sql.NullString
	var id sql.NullInt64
	var answers, prepared sql.RawBytes
	dest := []any{&h.Code, &h.Kind, &h.PlanningRegion, &h.StatisticalRegion, &status, &id, &version}
	if fn != nil {
		dest = append(dest, &answers, &prepared)
	}
	for rows.Next() {
		if err := rows.Scan(dest...); err != nil {
			return nil, err
		}
		row := ChartHead{Code: h.Code, Kind: h.Kind, PlanningRegion: h.PlanningRegion, StatisticalRegion: h.StatisticalRegion}
		vals.set(&row, status, version, id)
		out = append(out, row)
		if fn == nil || !id.Valid {
			continue
		}
		if err := fn(len(out)-1, id.Int64, version.String, answers, prepared); err != nil {
			return nil, err
		}
	}
	return out, rows.Err()
}

// EachChartAnswers reads the answers of the responses ids as the charts
// count them — the submitted copy, else the working copy ({} when
// neither), or the submitted copy alone when submittedOnly — with each
// one's row version as ChartHeads has it, and gives each row to fn as it
// arrives, without holding them all: a round of 10,000 answers documents
// is about 10 MB of text, and the caller can decode the first while the
// server still writes out the last. Read in the snapshot that read their
// heads, each is the answers of the row version its head names. An id
// with no response is left out. The answers bytes are the
// driver's and are valid only until fn returns. An error from fn stops
// the read and is returned.
func (sn *Snapshot) EachChartAnswers(ctx context.Context, ids []int64, submittedOnly bool,
	fn func(id int64, version string, answers []byte) error) error {
	if len(ids) == 0 {
		return nil
	}
	q := qChartAnswers
	if submittedOnly {
		q = qChartSubmittedAnswers
	}
	rows, err := sn.q.QueryxContext(ctx, q, pq.Array(ids))
	if err != nil {
		return err
	}
	return eachAnswers(rows, fn)
}

// eachAnswers gives fn each row (id, version, answers) of rows, and
// closes them.
func eachAnswers(rows *sqlx.Rows, fn func(id int64, version string, answers []byte) error) error {
	defer rows.Close()
	// Scanned into variables made once, as in ChartHeads.
	var id int64
	var version string
	var answers sql.RawBytes
	for rows.Next() {
		if err := rows.Scan(&id, &version, &answers); err != nil {
			return err
		}
		if err := fn(id, version, answers); err != nil {
			return err
		}
	}
	return rows.Err()
}

// PreparedKey names the prepared forms of a round's answers kept in the
// database (reports.AppendPrepared): the SHA-256 of the questionnaire
// they were made under, as the round names it, and their format
// (reports.PreparedFormat).
type PreparedKey struct {
	DefinitionSHA256 string
	Format           int
}

// RoundWhole reads a round's rows as ChartHeads reads them, and the
// answers of each one with a response as EachChartAnswers reads them, in
// one query and one pass over the round's responses: each response with
// its answers as it arrives, given to fn with the index its head has in
// the heads returned, then the heads of the active municipalities
// without a response (none when submittedOnly). Where a prepared form of
// exactly those answers is kept under kept (PutPrepared: made from the
// row version read, under the same questionnaire and format), fn is given
// it instead of the answers (answers nil, prepared not nil); otherwise
// the answers (prepared nil). The heads are those ChartHeads gives in the
// same snapshot, in another order. The bytes are the driver's and are
// valid only until fn returns; an error from fn stops the read and is
// returned.
func (sn *Snapshot) RoundWhole(ctx context.Context, surveyID int64, submittedOnly bool, kept PreparedKey,
	fn func(head int, id int64, version string, answers, prepared []byte) error) ([]ChartHead, error) {
	q := qRoundWhole
	if submittedOnly {
		q = qRoundSubmittedWhole
	}
	rows, err := sn.q.QueryxContext(ctx, q, surveyID, kept.DefinitionSHA256, kept.Format)
	if err != nil {
		return nil, err
	}
	return readHeads(rows, fn)
}

// PreparedForm is a response's prepared form (reports.AppendPrepared) and
// the row version it was made from (ChartHead.Version).
type PreparedForm struct {
	Response int64
	Version  string
	Form     []byte
}

// RowVersionNumber is the response's own version in a row version as
// ChartHead.Version names it ("xmin:version"); 0 for one that does not
// parse (it sorts first).
func RowVersionNumber(v string) int64 {
	_, n, _ := strings.Cut(v, ":")
	i, _ := strconv.ParseInt(n, 10, 64)
	return i
}

// FormsMissing says whether a response of round surveyID has no prepared
// form kept under key for the row version it is now (PutPrepared), so
// that RoundWhole would give its answers document instead.
func (s *Store) FormsMissing(ctx context.Context, surveyID int64, key PreparedKey) (bool, error) {
	var missing bool
	err := s.db.GetContext(ctx, &missing, qFormsMissing, surveyID, key.DefinitionSHA256, key.Format)
	return missing, err
}

// putPreparedBatch is the most forms PutPrepared writes in one statement.
const putPreparedBatch = 2000

// PutPrepared keeps the prepared forms of round surveyID's responses,
// each made from its row version under key, in place of what was kept
// for them: RoundWhole gives them instead of the answers while the
// responses are those row versions. A response no longer in the round
// is left out. It is derived data: it may be lost or deleted at any time
// and is made again when next needed. Written in statements of
// putPreparedBatch forms, each its own transaction, in the responses'
// order (forms is sorted so): two servers writing forms of the same
// responses at once lock them in the same order, one after the other,
// rather than each waiting for the other. A response given more than
// once is kept in its latest version.
func (s *Store) PutPrepared(ctx context.Context, surveyID int64, key PreparedKey, forms []PreparedForm) error {
	slices.SortFunc(forms, func(a, b PreparedForm) int {
		return cmp.Or(cmp.Compare(a.Response, b.Response), cmp.Compare(RowVersionNumber(a.Version), RowVersionNumber(b.Version)))
	})
	kept := forms[:0] // the last of each response's, its latest
	for i, f := range forms {
		if i+1 < len(forms) && forms[i+1].Response == f.Response {
			continue
		}
		kept = append(kept, f)
	}
	forms = kept
	for len(forms) > 0 {
		n := min(len(forms), putPreparedBatch)
		ids := make([]int64, n)
		versions := make([]string, n)
		data := make([][]byte, n)
		for i, f := range forms[:n] {
			ids[i], versions[i], data[i] = f.Response, f.Version, f.Form
		}
		if _, err := s.db.ExecContext(ctx, qPutPrepared, surveyID, key.DefinitionSHA256, key.Format,
			pq.Array(ids), pq.Array(versions), pq.ByteaArray(data)); err != nil {
			return err
		}
		forms = forms[n:]
	}
	return nil
}

// ResultsStamp fingerprints what the charts of a round read: the rounds
// surveyIDs (the round, and the round it was made from as the caller has
// it), the rounds before them (rounds in a series at most), their
// responses and the municipalities. Two equal stamps mean nothing the
// charts read changed in between: what was made from data read after a
// stamp may be used again while the stamp read now is the same.
func (s *Store) ResultsStamp(ctx context.Context, surveyIDs []int64, rounds int) (string, error) {
	return s.now().ResultsStamp(ctx, surveyIDs, rounds)
}

// ResultsStamp is Store.ResultsStamp as the snapshot sees the database:
// the stamp of exactly what the snapshot's reads give.
func (sn *Snapshot) ResultsStamp(ctx context.Context, surveyIDs []int64, rounds int) (string, error) {
	var stamp []string
	if err := sn.q.SelectContext(ctx, &stamp, qResultsStamp, pq.Array(surveyIDs), rounds); err != nil {
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
