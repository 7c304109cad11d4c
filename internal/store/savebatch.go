package store

import (
	"cmp"
	"context"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"slices"
	"strconv"
	"sync"
	"time"

	"github.com/lib/pq"
)

// Autosaves read and written together (group commit).
//
// Each autosave read and written on its own pays for two statements of its
// own: two round trips, each a write that wakes the server and a read that
// waits for it, each a transaction. When many respondents save at once,
// the two statements of their saves are shared instead:
//
//   - the link's save context (SaveContextByTokenHash) is read for every
//     link asked for meanwhile by one statement, qSaveContexts;
//   - the saves applySeen writes (a save, not a submit, of a response that
//     exists, made from the version it holds) are written by one
//     statement, qSaveBatch, that holds each save's own condition (its
//     response still at the version it was made from, the round's
//     definition still the one its answers were checked with), its own
//     answers and its own revision row.
//
// Each kind is a batcher: at most inFlight statements run at once, each on
// a goroutine of its own that, when its statement is done, runs one for
// whatever was queued meanwhile (at most max at a time) and ends when the
// queue is empty. So a save that finds no statement of its kind running is
// sent at once, alone, and the batches grow only with the load: under
// load, the statement costs PostgreSQL and the service once per batch
// instead of once per save.
//
// A save the statement did not write (somebody was first, the round
// changed, or the same response is twice in the batch) is handed back to
// applySeen, which then applies it under a lock (applyLocked), as when its
// own statement wrote nothing. If a batch statement fails as a whole, each
// of its items is done on its own (applyLocked; qSaveContext), so no item
// can fail another. The write is all or nothing, as one save's is; its
// saves are sent in the order of their responses' ids, so two batches that
// hold the same responses lock them in the same order.
//
// A caller that stops waiting (its context ends) before its item was sent
// takes it out of the queue; once sent, the statement runs to its end on
// the server under its own deadline (batchTimeout), as a single statement
// whose caller gave up does (conn.go).

const (
	// saveBatchesInFlight and contextBatchesInFlight are how many batch
	// statements of each kind run at once (measured on 2 cores: one of
	// each, with the other core serving HTTP, cost the least CPU per save;
	// README "Performance").
	saveBatchesInFlight    = 1
	contextBatchesInFlight = 1
	// saveBatchMax and contextBatchMax are the most items one statement
	// writes or reads.
	saveBatchMax    = 64
	contextBatchMax = 64
	// batchTimeout bounds a batch's statement, whose callers each wait
	// under their own context.
	batchTimeout = 30 * time.Second
)

// qSaveBatch writes many saves, each changing its response only if it is
// still at the version the save was made from and the round's definition
// is still the one the answers were checked with. It sends back only what
// each save changed that its caller cannot know: the row is the one the
// caller read at that version (every other change of a response bumps its
// version), with the answers and carried it wrote (applySeen); a submitted
// response's submitted answers, a whole document, are not sent back. $1 is a
// JSON array of objects, one per save: i (its place in the batch), id
// (the response), sv (the round), sha (the definition, ” for any), ver
// (the version the save was made from), a and c (the answers and the
// carried-over marks to write), and the revision's k (actor kind), inv,
// usr, b, f (before and after) and n (note), and dl, the save's
// caller's deadline (null: none). It returns i, the new version and
// updated_at of each save it wrote, and the row's version as the charts'
// heads name it when the answers it wrote are the copy they count (the
// response has no submitted copy; Saved.Counted).
//
// A save is not written once its caller's deadline has passed: a request
// that answered that it could not save (503: the database did not answer
// in time) must not find its save written later, when the statement it
// sent reaches a database that stalled. (Between the check and the
// commit, a few milliseconds, a caller may still give up on a save that
// is then written; its retry is then merged with itself. The deadline is
// the service's clock and the check PostgreSQL's: with the database's
// clock ahead by more than a request's deadline, no batched save would be
// written, and each would be done under the lock instead, as when its
// batch fails.)
//
// A save made from a kept context (Kept: its link's context not read by
// its request) also has h (the link's token hash), oa, ca and cl (the
// round's opens_at, closes_at and closed_at as kept) and ext (the
// municipality's extended deadline as kept); it is written only if, as
// well, the link still works (not revoked, still the response's) and those
// dates are still as kept. For such a save not written the statement
// returns a row with no version and the link's context as it is now (the
// columns of qSaveContext, as one JSON object, keptContext), null when
// the link no longer works; so the caller can do again what its request
// would have done with the context read, without a second read.
const qSaveBatch = `
WITH v AS (
    SELECT * FROM jsonb_to_recordset($1::jsonb) AS v(i int, id bigint, sv bigint, sha text, ver int,
        a jsonb, c jsonb, k text, inv bigint, usr bigint, b jsonb, f jsonb, n text,
        dl timestamptz, h bytea, oa timestamptz, ca timestamptz, cl timestamptz, ext timestamptz)),
up AS (
    UPDATE responses r SET answers = v.a, carried = v.c, version = r.version + 1, updated_at = now()
    FROM v
    WHERE r.id = v.id AND r.version = v.ver AND (v.dl IS NULL OR clock_timestamp() < v.dl)
        AND EXISTS (SELECT 1 FROM surveys s WHERE s.id = v.sv AND (v.sha = '' OR s.definition_sha256 = v.sha)
            AND (v.h IS NULL OR (s.opens_at = v.oa AND s.closes_at = v.ca AND s.closed_at IS NOT DISTINCT FROM v.cl)))
        AND (v.h IS NULL OR EXISTS (SELECT 1 FROM invitations i
            LEFT JOIN deadline_extensions d ON d.survey_id = i.survey_id AND d.municipality_code = i.municipality_code
            WHERE i.token_sha256 = v.h AND i.id = v.inv AND i.revoked_at IS NULL
                AND i.survey_id = r.survey_id AND i.municipality_code = r.municipality_code
                AND d.closes_at IS NOT DISTINCT FROM v.ext))
    RETURNING v.i, r.id, r.version, r.updated_at,
        CASE WHEN r.submitted_answers IS NULL THEN r.xmin::text || ':' || r.version::text END AS counted),
rev AS (
    INSERT INTO revisions (response_id, version, action, actor, invitation_id, user_id, before, after, note)
    SELECT up.id, up.version, 'save', v.k, v.inv, v.usr, v.b, v.f, v.n FROM up JOIN v ON v.i = up.i)
SELECT i, version, updated_at, counted, NULL::jsonb FROM up
UNION ALL
SELECT v.i, NULL, NULL, NULL, (
    SELECT jsonb_build_object('iid', i.id, 'sv', i.survey_id, 'mc', i.municipality_code,
           'slug', s.slug, 'sha', s.definition_sha256, 'oa', s.opens_at, 'ca', s.closes_at, 'cl', s.closed_at,
           'rid', COALESCE(r.id, 0), 'st', COALESCE(r.status, 'draft'), 'a', COALESCE(r.answers, '{}'),
           'ver', COALESCE(r.version, 0), 'subv', r.submitted_version, 'suba', r.submitted_at,
           'cre', COALESCE(r.created_at, now()), 'upd', COALESCE(r.updated_at, now()),
           'car', COALESCE(r.carried, '{}'), 'ext', d.closes_at)
    FROM invitations i` + saveContextJoins + `
    WHERE i.token_sha256 = v.h AND i.revoked_at IS NULL)
FROM v WHERE v.h IS NOT NULL AND NOT EXISTS (SELECT 1 FROM up WHERE up.i = v.i)`

// keptContext is the JSON object qSaveBatch returns for a save from a
// kept context that it did not write: qSaveContext's columns.
type keptContext struct {
	InvitationID int64           `json:"iid"`
	SurveyID     int64           `json:"sv"`
	Municipality string          `json:"mc"`
	Slug         string          `json:"slug"`
	SHA          string          `json:"sha"`
	OpensAt      time.Time       `json:"oa"`
	ClosesAt     time.Time       `json:"ca"`
	ClosedAt     *time.Time      `json:"cl"`
	ResponseID   int64           `json:"rid"`
	Status       string          `json:"st"`
	Answers      json.RawMessage `json:"a"`
	Version      int             `json:"ver"`
	SubmittedVer *int            `json:"subv"`
	SubmittedAt  *time.Time      `json:"suba"`
	CreatedAt    time.Time       `json:"cre"`
	UpdatedAt    time.Time       `json:"upd"`
	Carried      json.RawMessage `json:"car"`
	Extended     *time.Time      `json:"ext"`
}

// respondent is the context as SaveContextByTokenHash reads it.
func (k keptContext) respondent() Respondent {
	var out Respondent
	out.Invitation.ID, out.Invitation.SurveyID, out.Invitation.MunicipalityCode = k.InvitationID, k.SurveyID, k.Municipality
	out.Survey.ID, out.Survey.Slug, out.Survey.DefinitionSHA256 = k.SurveyID, k.Slug, k.SHA
	out.Survey.OpensAt, out.Survey.ClosesAt, out.Survey.ClosedAt = k.OpensAt, k.ClosesAt, k.ClosedAt
	out.Municipality.Code = k.Municipality
	r := &out.Response
	r.ID, r.SurveyID, r.MunicipalityCode, r.Status, r.Version = k.ResponseID, k.SurveyID, k.Municipality, k.Status, k.Version
	r.AnswersJSON, r.CarriedJSON = k.Answers, k.Carried
	r.SubmittedVersion, r.SubmittedAt, r.CreatedAt, r.UpdatedAt = k.SubmittedVer, k.SubmittedAt, k.CreatedAt, k.UpdatedAt
	out.ExtendedUntil = k.Extended
	return out
}

// batchedSave is one save waiting in, or written by, a batch.
type batchedSave struct {
	waiter
	id   int64  // the response
	args []byte // its object in qSaveBatch's $1, without i

	// Set by the batch before it is done.
	written bool
	version int
	updated time.Time
	counted string      // Saved.Counted
	now     *Respondent // kept and not written: the link's context now (nil: the link no longer works, or the batch failed)
}

// waiter is what a queued item of a batcher is waited for by.
type waiter struct{ done chan struct{} }

func (w *waiter) waiting() *waiter { return w }

// batchable is an item of a batcher: a pointer to a struct that embeds
// waiter.
type batchable interface{ waiting() *waiter }

// batcher queues items and runs a batch function over them, at most
// inFlight batches at once, each of at most max items (see above). The
// batch function sets each item's outcome; the batcher then tells its
// caller.
type batcher[T batchable] struct {
	inFlight, max int
	batch         func([]T)

	mu      sync.Mutex
	queue   []T
	running int // goroutines running batches
}

// wait queues it and waits until a batch has run over it; an error only
// when ctx ended first (its item was then taken out of the queue, or is in
// a batch already sent).
func (b *batcher[T]) wait(ctx context.Context, it T) error {
	w := it.waiting()
	w.done = make(chan struct{})
	b.mu.Lock()
	b.queue = append(b.queue, it)
	if b.running < b.inFlight {
		b.running++
		go b.run()
	}
	b.mu.Unlock()
	select {
	case <-w.done:
		return nil
	case <-ctx.Done():
		b.mu.Lock()
		if i := slices.IndexFunc(b.queue, func(q T) bool { return q.waiting() == w }); i >= 0 {
			b.queue = slices.Delete(b.queue, i, i+1)
		}
		b.mu.Unlock()
		return ctx.Err()
	}
}

// run runs batches while items are queued.
func (b *batcher[T]) run() {
	for {
		b.mu.Lock()
		n := min(len(b.queue), b.max)
		if n == 0 {
			b.running--
			b.mu.Unlock()
			return
		}
		items := slices.Clone(b.queue[:n])
		b.queue = slices.Delete(b.queue, 0, n)
		b.mu.Unlock()
		b.batch(items)
		for _, it := range items {
			close(it.waiting().done)
		}
	}
}

// writeSaves writes the saves with qSaveBatch and sets each one's outcome.
func (s *Store) writeSaves(batch []*batchedSave) {
	slices.SortStableFunc(batch, func(x, y *batchedSave) int { return cmp.Compare(x.id, y.id) })
	size := 2
	for _, it := range batch {
		size += len(it.args) + 16
	}
	arg := make([]byte, 0, size)
	arg = append(arg, '[')
	for i, it := range batch {
		if i > 0 {
			arg = append(arg, ',')
		}
		arg = append(arg, `{"i":`...)
		arg = strconv.AppendInt(arg, int64(i), 10)
		arg = append(arg, ',')
		arg = append(arg, it.args...)
	}
	arg = append(arg, ']')
	ctx, cancel := context.WithTimeout(context.Background(), batchTimeout)
	defer cancel()
	rows, err := s.db.QueryContext(ctx, qSaveBatch, arg)
	if err != nil {
		return // none written: each is applied on its own
	}
	defer rows.Close()
	type outcome struct {
		version int
		updated time.Time
		counted string
	}
	got := make([]outcome, len(batch))
	seen := make([]bool, len(batch))
	now := make([]*Respondent, len(batch))
	for rows.Next() {
		var i int
		var version sql.NullInt64
		var updated sql.NullTime
		var counted sql.NullString
		var kept []byte
		if err := rows.Scan(&i, &version, &updated, &counted, &kept); err != nil || i < 0 || i >= len(batch) {
			return
		}
		if !version.Valid && kept == nil {
			continue // not written, and its link no longer works
		}
		if !version.Valid {
			var k keptContext
			if err := json.Unmarshal(kept, &k); err != nil {
				return
			}
			r := k.respondent()
			now[i] = &r
			continue
		}
		got[i], seen[i] = outcome{version: int(version.Int64), updated: updated.Time, counted: counted.String}, true
	}
	if rows.Err() != nil {
		return // rolled back as a whole
	}
	for i, it := range batch {
		if seen[i] {
			it.written, it.version, it.updated, it.counted = true, got[i].version, got[i].updated, got[i].counted
		}
		it.now = now[i]
	}
}

// batchArgs is a save's object in qSaveBatch's $1, after its "i" (see
// qSaveBatch). answers, carried, before and after are JSON documents.
func batchArgs(id, surveyID int64, sha string, version int, answers, carried []byte,
	kind string, inv, user *int64, before, after []byte, note *string, deadline *time.Time, kept *Kept) []byte {
	b := make([]byte, 0, len(answers)+len(carried)+len(before)+len(after)+len(sha)+320)
	b = append(b, `"id":`...)
	b = strconv.AppendInt(b, id, 10)
	b = append(b, `,"sv":`...)
	b = strconv.AppendInt(b, surveyID, 10)
	b = append(b, `,"sha":`...)
	b = appendJSONString(b, sha)
	b = append(b, `,"ver":`...)
	b = strconv.AppendInt(b, int64(version), 10)
	b = append(b, `,"a":`...)
	b = append(b, answers...)
	b = append(b, `,"c":`...)
	b = append(b, carried...)
	b = append(b, `,"k":`...)
	b = appendJSONString(b, kind)
	b = append(b, `,"inv":`...)
	b = appendIntOrNull(b, inv)
	b = append(b, `,"usr":`...)
	b = appendIntOrNull(b, user)
	b = append(b, `,"b":`...)
	b = append(b, before...)
	b = append(b, `,"f":`...)
	b = append(b, after...)
	b = append(b, `,"n":`...)
	if note == nil {
		b = append(b, "null"...)
	} else {
		b = appendJSONString(b, *note)
	}
	b = append(b, `,"dl":`...)
	b = appendJSONTime(b, deadline)
	if kept != nil {
		b = append(b, `,"h":"\\x`...)
		b = hex.AppendEncode(b, kept.TokenHash)
		b = append(b, `","oa":`...)
		b = appendJSONTime(b, &kept.OpensAt)
		b = append(b, `,"ca":`...)
		b = appendJSONTime(b, &kept.ClosesAt)
		b = append(b, `,"cl":`...)
		b = appendJSONTime(b, kept.ClosedAt)
		b = append(b, `,"ext":`...)
		b = appendJSONTime(b, kept.ExtendedUntil)
	}
	return append(b, '}')
}

// appendJSONTime appends t as a JSON string PostgreSQL reads as the same
// timestamptz (to the microsecond, as it keeps them), or null.
func appendJSONTime(b []byte, t *time.Time) []byte {
	if t == nil {
		return append(b, "null"...)
	}
	b = append(b, '"')
	b = t.AppendFormat(b, time.RFC3339Nano)
	return append(b, '"')
}

func appendIntOrNull(b []byte, v *int64) []byte {
	if v == nil {
		return append(b, "null"...)
	}
	return strconv.AppendInt(b, *v, 10)
}

// appendJSONString appends s as a JSON string (as encoding/json writes it).
func appendJSONString(b []byte, s string) []byte {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < 0x20 || c >= 0x7f || c == '"' || c == '\\' || c == '<' || c == '>' || c == '&' {
			q, _ := json.Marshal(s) // a string always marshals
			return append(b, q...)
		}
	}
	b = append(b, '"')
	b = append(b, s...)
	return append(b, '"')
}

// batchedContext is one link's save context (SaveContextByTokenHash)
// waiting in, or read by, a batch.
type batchedContext struct {
	waiter
	hash []byte
	held Held

	// Set by the batch before it is done.
	out    Respondent
	found  bool // the link works: out is its context
	failed bool // the statement failed: read it on its own
}

// readContexts reads the links' contexts with qSaveContexts and sets each
// one's outcome.
func (s *Store) readContexts(batch []*batchedContext) {
	hashes := make(pq.ByteaArray, len(batch))
	rids, vers := make(pq.Int64Array, len(batch)), make(pq.Int64Array, len(batch))
	for i, it := range batch {
		hashes[i], rids[i], vers[i] = it.hash, it.held.ResponseID, int64(it.held.Version)
	}
	fail := func() {
		for _, it := range batch {
			it.out, it.found, it.failed = Respondent{}, false, true
		}
	}
	ctx, cancel := context.WithTimeout(context.Background(), batchTimeout)
	defer cancel()
	rows, err := s.db.QueryContext(ctx, qSaveContexts, hashes, rids, vers)
	if err != nil {
		fail()
		return
	}
	defer rows.Close()
	for rows.Next() {
		var n int
		var out Respondent
		if err := scanSaveContext(scanAfter{rows, &n}, &out); err != nil || n < 1 || n > len(batch) {
			fail()
			return
		}
		batch[n-1].out, batch[n-1].found = out, true
	}
	if rows.Err() != nil {
		fail()
	}
}

// scanAfter scans a row whose first column goes to first, and the others
// to Scan's arguments.
type scanAfter struct {
	rows  *sql.Rows
	first any
}

func (r scanAfter) Scan(dest ...any) error {
	return r.rows.Scan(append([]any{r.first}, dest...)...)
}
