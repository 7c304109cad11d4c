package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"slices"
	"strings"
	"time"

	"github.com/civitas-lv/surveyd/internal/domain"

	"github.com/jmoiron/sqlx"

	"github.com/civitas-lv/surveyd/survey"
)

// The domain types this file keeps.
const (
	StatusDraft     = domain.StatusDraft
	StatusSubmitted = domain.StatusSubmitted
	StatusReturned  = domain.StatusReturned
)

type Response = domain.Response

type Actor = domain.Actor

const (
	ActorInvitation = domain.ActorInvitation
	ActorUser       = domain.ActorUser
	ActorSystem     = domain.ActorSystem
)

// Change is a request to change a response.
type Change struct {
	SurveyID     int64
	Municipality string
	// DefinitionSHA256 is the definition the answers were validated with;
	// the change is refused (ErrConflict) if the round's definition differs.
	DefinitionSHA256 string
	// BaseVersion is the version the change was made from (0: no response yet).
	BaseVersion int
	// Answers are the new canonical answers (the whole set).
	Answers survey.Answers
	Actor   Actor
	// Submit marks the answers as submitted.
	Submit bool
	// Rebase, when set, lets a change made from an older version than the
	// current one be applied on top of it instead of being refused. It is
	// called inside the transaction with the answers as they were at
	// BaseVersion (the current answers with the later revisions undone),
	// the current answers and the current version, and returns the answers
	// to store or an error, which Apply returns as it is. Without Rebase a
	// stale BaseVersion is a *ConflictError, and so is one from before an
	// erasure of personal data (undoRevisions), with or without Rebase.
	Rebase func(base, current survey.Answers, currentVersion int) (survey.Answers, error)
	// Seen, when set, is the response as the caller read it (with its
	// answers decoded), so that Apply need not read it again: see Apply.
	Seen *Seen
}

// Seen is a response as a caller read it, and its answers decoded.
type Seen struct {
	Response Response
	Answers  survey.Answers
	// Kept, when set, says the caller did not read the response, nor its
	// link's context, in this request: it kept them from an earlier one
	// (manage's held answers). The save is then written on the condition
	// that all of it is still so: see Apply.
	Kept *Kept
}

// Kept is what a save made from a kept context holds of its link's
// context besides the response: the link (its token hash and invitation)
// and the dates that decide whether the round may be answered.
type Kept struct {
	TokenHash         []byte
	InvitationID      int64
	OpensAt, ClosesAt time.Time
	ClosedAt          *time.Time
	ExtendedUntil     *time.Time
}

// KeptStaleError is Apply's answer to a save from a kept context (Seen.
// Kept) that is no longer the link's context, or that only a save from a
// context read now may write: nothing was written. Now is the link's
// context as it is now, read by the same statement (SaveContextByTokenHash's
// fields, with the answers); nil when it was not read (the link no longer
// works, or the statement failed): the caller reads it.
type KeptStaleError struct{ Now *Respondent }

func (e *KeptStaleError) Error() string { return "store: the kept context of a save is stale" }

// Saved is the outcome of a change.
type Saved struct {
	Response Response
	// Changed is false when the answers and status were already as asked:
	// nothing was written and the version stayed.
	Changed bool
	// Answers are the answers the response now holds (Response's, decoded).
	Answers survey.Answers
	// Counted, when not empty, says that Answers are also the copy the
	// charts count (the response has no submitted copy, or this submit
	// made it of them), and names the response row's version the save
	// left as ChartHead.Version does (xmin:version): a prepared form of
	// Answers may be kept under it (PutPrepared). Set by the saves of one
	// statement (the autosave's), empty otherwise.
	Counted string
}

const (
	responseColumns = `id, survey_id, municipality_code, status, answers, version, submitted_answers,
    submitted_version, submitted_at, created_at, updated_at, carried`
	qResponse          = `SELECT ` + responseColumns + ` FROM responses WHERE survey_id = $1 AND municipality_code = $2`
	qResponseForUpdate = qResponse + ` FOR UPDATE`
	qEnsureResponse    = `INSERT INTO responses (survey_id, municipality_code) VALUES ($1, $2) ON CONFLICT (survey_id, municipality_code) DO NOTHING`
	qSurveySHAForShare = `SELECT definition_sha256 FROM surveys WHERE id = $1 FOR SHARE`
	qUpdateAnswers     = `
UPDATE responses SET answers = $2, carried = $3, version = version + 1, updated_at = now()
WHERE id = $1
RETURNING ` + responseColumns
	qSubmitResponse = `
UPDATE responses SET answers = $2, carried = $3, version = version + 1, updated_at = now(),
    status = 'submitted', submitted_answers = $2, submitted_version = version + 1, submitted_at = now()
WHERE id = $1
RETURNING ` + responseColumns
	qInsertCarried = `
INSERT INTO responses (survey_id, municipality_code, answers, carried, version) VALUES ($1, $2, $3, $4, 1)
ON CONFLICT (survey_id, municipality_code) DO NOTHING RETURNING id`
	qConfirmCarried = `
UPDATE responses SET carried = $2, version = version + 1, updated_at = now()
WHERE id = $1
RETURNING ` + responseColumns
	qResponsesForSurvey = `SELECT ` + responseColumns + ` FROM responses WHERE survey_id = $1 ORDER BY municipality_code`
	qCorrectResponse    = `
UPDATE responses SET answers = $2, version = version + 1, updated_at = now(),
    submitted_answers = COALESCE($3::jsonb, submitted_answers),
    submitted_version = CASE WHEN submitted_version = version THEN version + 1 ELSE submitted_version END
WHERE id = $1
RETURNING ` + responseColumns
)

// The save in one statement (Apply with Change.Seen), each with its
// revision: qSaveNew starts the response (FOR SHARE on the round, as
// ReplaceDefinition locks it to refuse once answers exist); qSaveBatch
// (savebatch.go: many saves at once) and qSaveSubmit change it only if it is still at the version $4 the
// caller read and the round's definition is still $3 (empty: any), and the
// submit resolves the open request for correction. No row: nothing
// written. Their revision columns are $6.. $11 (new) or $7.. $12, as
// insertRevision's.
const (
	qSaveNew = `
WITH sv AS (SELECT id FROM surveys WHERE id = $1 AND ($3::text = '' OR definition_sha256 = $3) FOR SHARE),
up AS (
    INSERT INTO responses (survey_id, municipality_code, answers, carried, version)
    SELECT sv.id, $2, $4, $5, 1 FROM sv
    ON CONFLICT (survey_id, municipality_code) DO NOTHING
    RETURNING ` + savedReturning + `),
rev AS (
    INSERT INTO revisions (response_id, version, action, actor, invitation_id, user_id, before, after, note)
    SELECT id, version, 'save', $6, $7, $8, $9, $10, $11 FROM up)
SELECT ` + savedColumns + ` FROM up`
	saveWhere = `
WHERE id = $1 AND version = $4
    AND EXISTS (SELECT 1 FROM surveys WHERE id = $2 AND ($3::text = '' OR definition_sha256 = $3))`
	saveCheck = saveWhere + `
RETURNING ` + savedReturning
	saveRevision = `
    INSERT INTO revisions (response_id, version, action, actor, invitation_id, user_id, before, after, note)
    SELECT id, version, `
	qSaveSubmit = `
WITH up AS (
    UPDATE responses SET answers = $5, carried = $6, version = version + 1, updated_at = now(),
        status = 'submitted', submitted_answers = $5, submitted_version = version + 1, submitted_at = now()` + saveCheck + `),
rev AS (` + saveRevision + `'submit', $7, $8, $9, $10, $11, $12 FROM up),
res AS (UPDATE returns SET resolved_at = now() WHERE response_id = $1 AND resolved_at IS NULL AND EXISTS (SELECT 1 FROM up))
SELECT ` + savedColumns + ` FROM up`
)

// savedColumns are what the save statements send back: responseColumns
// without the answers, which the caller has just written, and the row's
// version as the charts' heads name it (scanSaved).
const savedColumns = `id, survey_id, municipality_code, status, version, submitted_answers,
    submitted_version, submitted_at, created_at, updated_at, carried, row_version`

// savedReturning is what the row a save statement wrote gives its
// savedColumns from.
const savedReturning = responseColumns + `, xmin::text || ':' || version::text AS row_version`

// saveStatements are the save's: prepared on each connection once
// (preparedStatements), so that each costs one round trip.
var saveStatements = []string{qSaveNew, qSaveBatch, qSaveSubmit, qRevisionsBetween}

var responseStatements = []string{qInsertCarried, qConfirmCarried, qResponse, qResponseForUpdate, qEnsureResponse, qSurveySHAForShare,
	qUpdateAnswers, qSubmitResponse, qResponsesForSurvey, qCorrectResponse}

// scanSaved reads a row of savedColumns, in their order, with a plain
// Scan; answers are the answers the statement wrote (as JSON), and
// rowVersion is set to the row's version.
func scanSaved(row *sql.Row, r *Response, answers []byte, rowVersion *string) error {
	var submittedVersion sql.NullInt64
	var submittedAt sql.NullTime
	err := row.Scan(&r.ID, &r.SurveyID, &r.MunicipalityCode, &r.Status, &r.Version,
		&r.SubmittedJSON, &submittedVersion, &submittedAt, &r.CreatedAt, &r.UpdatedAt, (*[]byte)(&r.CarriedJSON), rowVersion)
	if err != nil {
		return err
	}
	r.AnswersJSON = answers
	r.SubmittedVersion, r.SubmittedAt = nil, timeOrNil(submittedAt)
	if submittedVersion.Valid {
		v := int(submittedVersion.Int64)
		r.SubmittedVersion = &v
	}
	return nil
}

// Response returns the municipality's response to the round, ErrNotFound if
// nothing has been saved yet.
func (s *Store) Response(ctx context.Context, surveyID int64, municipality string) (Response, error) {
	var r Response
	return r, notFound(s.db.GetContext(ctx, &r, qResponse, surveyID, municipality))
}

// ResponsesForSurvey returns every response of the round.
func (s *Store) ResponsesForSurvey(ctx context.Context, surveyID int64) ([]Response, error) {
	var out []Response
	return out, s.db.SelectContext(ctx, &out, qResponsesForSurvey, surveyID)
}

// Apply saves a change: it refuses a stale BaseVersion with
// *ConflictError (or rebases it, see Change.Rebase), writes the answers
// (and, when submitting, the submitted snapshot), bumps the version and
// appends a revision with the answers that changed, all or nothing. A
// change that changes nothing writes nothing.
//
// With c.Seen it works from the response as the caller read it: the
// revisions since BaseVersion are read only when the change is stale
// (one round trip), and the answers and the revision are written by one
// statement on the condition that the response is still at the version
// seen (one round trip, no transaction). When somebody saved in between,
// or the round's definition changed, that statement writes nothing and the
// change is applied as without Seen: in a transaction that locks the
// response and reads it again. A save (not a submit) written that way
// returns Seen's response with what it wrote — answers, carried, version,
// updated_at — so what the caller did not read (SubmittedJSON after
// SaveContextByTokenHash) stays as Seen has it.
//
// With c.Seen.Kept, the response and the link's context were kept from
// an earlier request, not read: the one statement writes only if, as
// well, the link still works and the round's dates are as kept (qSaveBatch).
// Whatever it does not write — and a change that changes nothing, a first
// save or a submit, which a kept context never decides — is a
// *KeptStaleError, never applied under a lock, so that the caller first
// does with the context now what it would have done had it read it.
func (s *Store) Apply(ctx context.Context, c Change) (Saved, error) {
	if c.Seen != nil {
		out, done, err := s.applySeen(ctx, c)
		if done || err != nil {
			return out, err
		}
		if c.Seen.Kept != nil {
			return Saved{}, &KeptStaleError{}
		}
	}
	return s.applyLocked(ctx, c)
}

// applySeen is Apply from c.Seen; done is false when it wrote nothing
// because the response or the round changed since it was read (or the
// case is one only applyLocked decides), and the change is still to be
// applied.
func (s *Store) applySeen(ctx context.Context, c Change) (Saved, bool, error) {
	cur, old, kept := c.Seen.Response, c.Seen.Answers, c.Seen.Kept
	if cur.SurveyID != c.SurveyID || cur.MunicipalityCode != c.Municipality || old == nil ||
		cur.ID == 0 && (c.BaseVersion != 0 || c.Submit) || kept != nil && (cur.ID == 0 || c.Submit) {
		return Saved{}, false, nil
	}
	answers := c.Answers
	if cur.Version != c.BaseVersion {
		if c.Rebase == nil || c.BaseVersion > cur.Version || cur.ID == 0 {
			return Saved{}, false, nil // refused under the lock, with the version then
		}
		var revs []Revision
		if err := s.db.SelectContext(ctx, &revs, qRevisionsBetween, cur.ID, c.BaseVersion, cur.Version); err != nil {
			return Saved{}, false, err
		}
		base, ok, err := undoRevisions(old, revs, cur.Version-c.BaseVersion)
		if err != nil || !ok {
			return Saved{}, false, err // a gap in the history: decided under the lock
		}
		if answers, err = c.Rebase(base, old, cur.Version); err != nil {
			return Saved{}, true, err
		}
	}
	before, after := survey.Diff(old, answers)
	carried, err := cur.Carried()
	if err != nil {
		return Saved{}, false, err
	}
	confirmChanged(carried, before, after)
	if c.Submit {
		carried = map[string]string{} // the caller refused unconfirmed ones
	}
	resubmit := c.Submit && (cur.Status != StatusSubmitted || cur.ChangedSinceSubmit())
	if len(before) == 0 && len(after) == 0 && !resubmit {
		if kept != nil {
			return Saved{}, false, nil // said only from a context read now
		}
		return Saved{Response: cur, Answers: old}, true, nil
	}
	data, err := survey.MarshalAnswers(answers)
	if err != nil {
		return Saved{}, false, err
	}
	carriedJSON, err := json.Marshal(carried)
	if err != nil {
		return Saved{}, false, err
	}
	kind, inv, user, b, af, note, err := revisionArgs(c.Actor, before, after)
	if err != nil {
		return Saved{}, false, err
	}
	var next Response
	var counted string
	switch {
	case cur.ID == 0: // a new response has no submitted copy
		err = scanSaved(s.db.QueryRowContext(ctx, qSaveNew, c.SurveyID, c.Municipality, c.DefinitionSHA256,
			data, carriedJSON, kind, inv, user, b, af, note), &next, data, &counted)
	case c.Submit: // its submitted copy is what it wrote
		err = scanSaved(s.db.QueryRowContext(ctx, qSaveSubmit, cur.ID, c.SurveyID, c.DefinitionSHA256, cur.Version,
			data, carriedJSON, kind, inv, user, b, af, note), &next, data, &counted)
	default:
		var deadline *time.Time
		if d, ok := ctx.Deadline(); ok {
			deadline = &d
		}
		it := &batchedSave{id: cur.ID, args: batchArgs(cur.ID, c.SurveyID, c.DefinitionSHA256,
			cur.Version, data, carriedJSON, kind, inv, user, b, af, note, deadline, kept)}
		if err := s.saves.wait(ctx, it); err != nil {
			return Saved{}, false, err
		}
		if !it.written && it.now != nil {
			return Saved{}, false, &KeptStaleError{Now: it.now}
		}
		if !it.written {
			return Saved{}, false, nil // somebody was first, or the batch failed
		}
		next = cur
		next.AnswersJSON, next.CarriedJSON = data, carriedJSON
		next.Version, next.UpdatedAt, counted = it.version, it.updated, it.counted
	}
	if errors.Is(err, sql.ErrNoRows) {
		return Saved{}, false, nil // somebody was first
	}
	if err != nil {
		return Saved{}, false, err
	}
	return Saved{Response: next, Changed: true, Answers: answers, Counted: counted}, true, nil
}

// applyLocked is Apply in one transaction that locks the response.
func (s *Store) applyLocked(ctx context.Context, c Change) (Saved, error) {
	var out Saved
	err := s.inTx(ctx, func(tx *sqlx.Tx) error {
		var sha string
		if err := tx.GetContext(ctx, &sha, qSurveySHAForShare, c.SurveyID); err != nil {
			return notFound(err)
		}
		if c.DefinitionSHA256 != "" && sha != c.DefinitionSHA256 {
			return ErrConflict
		}
		if _, err := tx.ExecContext(ctx, qEnsureResponse, c.SurveyID, c.Municipality); err != nil {
			return err
		}
		var cur Response
		if err := tx.GetContext(ctx, &cur, qResponseForUpdate, c.SurveyID, c.Municipality); err != nil {
			return err
		}
		old, err := cur.Answers()
		if err != nil {
			return err
		}
		if cur.Version != c.BaseVersion {
			if c.Rebase == nil || c.BaseVersion > cur.Version || cur.ID == 0 {
				return &ConflictError{Current: cur.Version}
			}
			base, err := answersAt(ctx, tx, cur, old, c.BaseVersion)
			if err != nil {
				return err
			}
			if c.Answers, err = c.Rebase(base, old, cur.Version); err != nil {
				return err
			}
		}
		before, after := survey.Diff(old, c.Answers)
		carried, err := cur.Carried()
		if err != nil {
			return err
		}
		confirmChanged(carried, before, after)
		if c.Submit {
			carried = map[string]string{} // the caller refused unconfirmed ones
		}
		resubmit := c.Submit && (cur.Status != StatusSubmitted || cur.ChangedSinceSubmit())
		if len(before) == 0 && len(after) == 0 && !resubmit {
			out = Saved{Response: cur, Answers: old}
			if cur.Version == 0 {
				return errNothing // roll back the empty row
			}
			return nil
		}
		data, err := survey.MarshalAnswers(c.Answers)
		if err != nil {
			return err
		}
		q, action := qUpdateAnswers, "save"
		if c.Submit {
			q, action = qSubmitResponse, "submit"
		}
		carriedJSON, err := json.Marshal(carried)
		if err != nil {
			return err
		}
		var next Response
		if err := tx.GetContext(ctx, &next, q, cur.ID, data, carriedJSON); err != nil {
			return err
		}
		if err := insertRevision(ctx, tx, next.ID, next.Version, action, c.Actor, before, after); err != nil {
			return err
		}
		if c.Submit {
			if _, err := tx.ExecContext(ctx, qResolveReturn, next.ID); err != nil {
				return err
			}
		}
		out = Saved{Response: next, Changed: true, Answers: c.Answers}
		return nil
	})
	if errors.Is(err, errNothing) {
		err = nil
	}
	return out, err
}

// confirmChanged removes from carried the questions whose answers a change
// changed: changing a carried-over answer confirms it. An answer key is a
// question code, or a code with "_other" (the "other" text of a choice
// question), which confirms that question.
func confirmChanged(carried map[string]string, before, after survey.Answers) {
	if len(carried) == 0 {
		return
	}
	for _, m := range []survey.Answers{before, after} {
		for k := range m {
			delete(carried, k)
			delete(carried, strings.TrimSuffix(k, "_other"))
		}
	}
}

// CarryOver is a response started with answers carried over from a
// previous round.
type CarryOver struct {
	SurveyID     int64
	Municipality string
	// Answers are the carried-over answers (canonical, checked).
	Answers survey.Answers
	// Carried maps each carried question's code to the source round's slug.
	Carried map[string]string
	// Note names the source round in the revision.
	Note string
}

// StartCarried starts the municipality's response with carried-over
// answers, as the system's revision "carry" (version 1). A municipality
// that has a response already keeps it: StartCarried then does nothing and
// returns false.
func (s *Store) StartCarried(ctx context.Context, c CarryOver) (bool, error) {
	if len(c.Answers) == 0 {
		return false, nil
	}
	created := false
	err := s.inTx(ctx, func(tx *sqlx.Tx) error {
		var err error
		created, err = startCarried(ctx, tx, c)
		return err
	})
	return created, err
}

// startCarried is StartCarried in the transaction tx.
func startCarried(ctx context.Context, tx *sqlx.Tx, c CarryOver) (bool, error) {
	if len(c.Answers) == 0 {
		return false, nil
	}
	data, err := json.Marshal(c.Answers)
	if err != nil {
		return false, err
	}
	carried, err := json.Marshal(c.Carried)
	if err != nil {
		return false, err
	}
	var id int64
	err = tx.GetContext(ctx, &id, qInsertCarried, c.SurveyID, c.Municipality, data, carried)
	if errors.Is(err, sql.ErrNoRows) {
		return false, nil // it has a response already
	}
	if err != nil {
		return false, err
	}
	return true, insertRevision(ctx, tx, id, 1, "carry", Actor{Kind: ActorSystem, Note: c.Note}, survey.Answers{}, c.Answers)
}

// ConfirmCarried confirms the carried-over answers of the listed
// questions, made from version base (a stale base is a *ConflictError), as
// one revision "confirm" by actor whose note names the source rounds.
// Codes that are not (or no longer) carried are skipped; when none is,
// nothing is written and the response is returned as it is. It returns the
// response and the codes confirmed.
func (s *Store) ConfirmCarried(ctx context.Context, surveyID int64, municipality string, base int, codes []string, actor Actor) (Response, []string, error) {
	var out Response
	var done []string
	err := s.inTx(ctx, func(tx *sqlx.Tx) error {
		if err := tx.GetContext(ctx, &out, qResponseForUpdate, surveyID, municipality); err != nil {
			return notFound(err)
		}
		if out.Version != base {
			return &ConflictError{Current: out.Version}
		}
		carried, err := out.Carried()
		if err != nil {
			return err
		}
		var sources []string
		for _, code := range codes {
			src, ok := carried[code]
			if !ok {
				continue
			}
			delete(carried, code)
			done = append(done, code)
			if !slices.Contains(sources, src) {
				sources = append(sources, src)
			}
		}
		if len(done) == 0 {
			return nil
		}
		data, err := json.Marshal(carried)
		if err != nil {
			return err
		}
		if err := tx.GetContext(ctx, &out, qConfirmCarried, out.ID, data); err != nil {
			return err
		}
		actor.Note = strings.Join(sources, ", ")
		return insertRevision(ctx, tx, out.ID, out.Version, "confirm", actor, survey.Answers{}, survey.Answers{})
	})
	return out, done, err
}

// answersAt reconstructs the answers of a response as they were at version
// v from its current answers by undoing, newest first, the revisions made
// after v. Each revision holds the changed answers before and after, so
// undoing one puts back its "before" values and removes what it added. A
// history with a gap cannot be undone: that is a *ConflictError.
func answersAt(ctx context.Context, tx *sqlx.Tx, cur Response, current survey.Answers, v int) (survey.Answers, error) {
	var revs []Revision
	if err := tx.SelectContext(ctx, &revs, qRevisionsAfter, cur.ID, v); err != nil {
		return nil, err
	}
	a, ok, err := undoRevisions(current, revs, cur.Version-v)
	if err == nil && !ok {
		err = &ConflictError{Current: cur.Version, Erased: slices.ContainsFunc(revs, func(r Revision) bool {
			return r.Action == RevisionErase
		})}
	}
	return a, err
}

// undoRevisions undoes revs (newest first) on a copy of the answers
// current; ok is false when revs are not the n revisions expected (a gap
// in the history) or one is an erasure of personal data (RevisionErase):
// what it erased is gone, from the response and from every revision, so
// the answers before it cannot be rebuilt, and a page that still shows
// them would write them back as its own. Such a change is refused
// (answersAt: *ConflictError); the page then reads the answers now
// stored.
func undoRevisions(current survey.Answers, revs []Revision, n int) (a survey.Answers, ok bool, err error) {
	if len(revs) != n {
		return nil, false, nil
	}
	for _, r := range revs {
		if r.Action == RevisionErase {
			return nil, false, nil
		}
	}
	a = current.Clone()
	for _, r := range revs { // newest first
		before, after, err := r.Changes()
		if err != nil {
			return nil, false, err
		}
		for k := range after {
			delete(a, k)
		}
		for k, x := range before {
			a[k] = x
		}
	}
	return a, true, nil
}

// userActor is the actor of a staff member's change: the user, or the
// system for userID 0 (the operator at the command line).
func userActor(userID int64, note string) Actor {
	if userID == 0 {
		return Actor{Kind: ActorSystem, Note: note}
	}
	return Actor{Kind: ActorUser, UserID: userID, Note: note}
}

// errNothing rolls back a transaction that found nothing to do.
var errNothing = errors.New("nothing to change")

// Correction is a coordinator's change to a response, with a reason.
type Correction struct {
	SurveyID     int64
	Municipality string
	BaseVersion  int
	// Answers is the new working copy.
	Answers survey.Answers
	// Submitted is the new submitted snapshot (nil: leave it); a correction
	// reaches the figures without waiting for the municipality.
	Submitted survey.Answers
	// UserID is the coordinator's; 0 records the correction as the
	// system's (the operator at the command line).
	UserID int64
	Reason string
}

// Correct applies a coordinator's correction in one transaction: stale
// BaseVersion is a *ConflictError; the revision records the user and the
// reason. A response with no unsubmitted changes stays that way.
func (s *Store) Correct(ctx context.Context, c Correction) (Saved, error) {
	var out Saved
	err := s.inTx(ctx, func(tx *sqlx.Tx) error {
		var cur Response
		if err := tx.GetContext(ctx, &cur, qResponseForUpdate, c.SurveyID, c.Municipality); err != nil {
			return notFound(err)
		}
		if cur.Version != c.BaseVersion {
			return &ConflictError{Current: cur.Version}
		}
		old, err := cur.Answers()
		if err != nil {
			return err
		}
		before, after := survey.Diff(old, c.Answers)
		subChanged := false
		if c.Submitted != nil && cur.SubmittedJSON != nil {
			oldSub, err := survey.DecodeAnswers(cur.SubmittedJSON)
			if err != nil {
				return err
			}
			b, a := survey.Diff(oldSub, c.Submitted)
			subChanged = len(b) > 0 || len(a) > 0
		}
		if len(before) == 0 && len(after) == 0 && !subChanged {
			out = Saved{Response: cur}
			return nil
		}
		data, err := json.Marshal(c.Answers)
		if err != nil {
			return err
		}
		var sub any // NULL keeps the snapshot
		if c.Submitted != nil && cur.SubmittedJSON != nil {
			b, err := json.Marshal(c.Submitted)
			if err != nil {
				return err
			}
			sub = b
		}
		var next Response
		if err := tx.GetContext(ctx, &next, qCorrectResponse, cur.ID, data, sub); err != nil {
			return err
		}
		if err := insertRevision(ctx, tx, next.ID, next.Version, "correct", userActor(c.UserID, c.Reason), before, after); err != nil {
			return err
		}
		out = Saved{Response: next, Changed: true}
		return nil
	})
	return out, err
}
