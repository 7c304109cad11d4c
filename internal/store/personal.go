package store

import (
	"context"
	"encoding/json"
	"slices"
	"strings"
	"time"

	"github.com/civitas-lv/surveyd/internal/domain"

	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"
)

// Personal data: a round's retention period and its erasure by the daily
// job, and a person's search, export and erasure (issue 14 point 5).
//
// A round's personal data is the answers to the questions its definition
// marks personal (the caller passes their codes: the store does not read
// definitions), in the working copy, the submitted copy, the carried-over
// marks and every revision's before/after, and the recipients of the
// round's e-mail. Erasing removes those keys (an erased answer reads as
// unanswered); every revision row stays with its other answers. Each
// response erased gets a new version and a revision 'erase' without
// answers (eraseHit), so that no page or merge made from before can write
// the erased answers back (undoRevisions). Every statement only touches
// rows that still hold something to erase, so running one twice, or from
// several instances at once, is harmless.

const (
	// The round's last deadline: its closing date or its latest extension.
	retentionColumns = `s.id, s.personal_retention_days, s.personal_erased_at,
    greatest(s.closes_at, coalesce((SELECT max(e.closes_at) FROM deadline_extensions e WHERE e.survey_id = s.id),
        s.closes_at)) AS last_deadline`
	qRetention    = `SELECT ` + retentionColumns + ` FROM surveys s WHERE s.id = $1`
	qSetRetention = `UPDATE surveys SET personal_retention_days = $2, updated_at = now() WHERE id = $1`
	qDueRetention = `
SELECT * FROM (SELECT ` + retentionColumns + ` FROM surveys s WHERE s.personal_retention_days IS NOT NULL) r
WHERE last_deadline + make_interval(days => personal_retention_days) <= $1 ORDER BY id`
	// A response that still holds one of the codes $2 (in its answers,
	// submitted answers, carried-over marks or any revision) loses them,
	// and its version is bumped with a revision 'erase' (actor $3, user
	// $4) that holds no answers and names the codes erased: a page opened
	// before cannot write them back, and a rebase cannot undo past it
	// (undoRevisions). The submitted version follows when it was the
	// current one (the submitted answers lose the same codes, so they are
	// not "changed since submitted"), and so does a feedback release of
	// that version (feedback never shows personal answers). The response
	// rows are locked first (lockRoundResponses, lockPersonResponses).
	qEraseRoundResponses = eraseHit + `r.survey_id = $1` + eraseRest
	qEraseRoundRevisions = `
UPDATE revisions v SET before = v.before - $2::text[], after = v.after - $2::text[]
FROM responses r
WHERE v.response_id = r.id AND r.survey_id = $1 AND (v.before ?| $2::text[] OR v.after ?| $2::text[])`
	// A message's recipient is erased; its error (an SMTP answer may quote
	// the address) loses the address; a message still queued is not sent.
	eraseMessage = `
UPDATE messages SET recipient = '',
    error = CASE WHEN status = 'queued' THEN 'recipient erased' ELSE replace(error, recipient, '') END,
    status = CASE WHEN status = 'queued' THEN 'failed' ELSE status END`
	qEraseRoundMessages = eraseMessage + ` WHERE survey_id = $1 AND recipient <> ''`
	qMarkRoundErased    = `UPDATE surveys SET personal_erased_at = $2 WHERE id = $1 AND personal_erased_at IS NULL`

	// A person's search. $3 is 'email' (the value, trimmed and lower-cased,
	// equals $4) or 'name' (the lower-cased value contains $4).
	personMatch      = `(($3 = 'email' AND lower(btrim(e.value)) = $4) OR ($3 = 'name' AND strpos(lower(e.value), $4) > 0))`
	qPersonResponses = `
SELECT r.id, r.survey_id, s.slug, r.municipality_code,
    (SELECT coalesce(jsonb_object_agg(key, value), '{}') FROM jsonb_each(r.answers) WHERE key = ANY($2)) AS answers,
    (SELECT coalesce(jsonb_object_agg(key, value), '{}') FROM jsonb_each(r.submitted_answers) WHERE key = ANY($2)) AS submitted
FROM responses r JOIN surveys s ON s.id = r.survey_id
WHERE r.survey_id = $1 AND (
    EXISTS (SELECT 1 FROM jsonb_each_text(r.answers) e WHERE e.key = ANY($2) AND ` + personMatch + `)
    OR EXISTS (SELECT 1 FROM jsonb_each_text(coalesce(r.submitted_answers, '{}')) e
               WHERE e.key = ANY($2) AND ` + personMatch + `)
    OR EXISTS (SELECT 1 FROM revisions v,
                   LATERAL (SELECT * FROM jsonb_each_text(v.before) UNION ALL SELECT * FROM jsonb_each_text(v.after)) e
               WHERE v.response_id = r.id AND e.key = ANY($2) AND ` + personMatch + `))
ORDER BY s.slug, r.municipality_code`
	qPersonRevisions = `
SELECT v.response_id, v.version, v.action, v.created_at,
    (SELECT coalesce(jsonb_object_agg(key, value), '{}') FROM jsonb_each(v.before) WHERE key = ANY($2)) AS before,
    (SELECT coalesce(jsonb_object_agg(key, value), '{}') FROM jsonb_each(v.after) WHERE key = ANY($2)) AS after
FROM revisions v
WHERE v.response_id = ANY($1) AND (v.before ?| $2::text[] OR v.after ?| $2::text[])
ORDER BY v.response_id, v.version`
	qPersonContacts = `
SELECT id, municipality_code, email, name, created_at FROM contacts
WHERE ($1 = 'email' AND email = $2) OR ($1 = 'name' AND strpos(lower(name), $2) > 0)
ORDER BY municipality_code, email`
	qPersonMessages = `
SELECT m.id, s.slug, m.municipality_code, m.kind, m.recipient, m.status, m.created_at
FROM messages m JOIN surveys s ON s.id = m.survey_id
WHERE m.recipient <> '' AND lower(btrim(m.recipient)) = ANY($1) ORDER BY m.id`
	qPersonUsers = `
SELECT id, email, name, role FROM users
WHERE ($1 = 'email' AND email = $2) OR ($1 = 'name' AND strpos(lower(name), $2) > 0) ORDER BY email`
	qErasePersonResponses = eraseHit + `r.id = ANY($1)` + eraseRest
	qLockPersonResponses  = `SELECT id FROM responses WHERE id = ANY($1) ORDER BY id FOR UPDATE`
	qErasePersonRevisions = `
UPDATE revisions SET before = before - $2::text[], after = after - $2::text[]
WHERE response_id = ANY($1) AND (before ?| $2::text[] OR after ?| $2::text[])`
	qErasePersonContacts      = `DELETE FROM contacts WHERE id = ANY($1)`
	qErasePersonMessages      = eraseMessage + ` WHERE id = ANY($1)`
	qErasePersonLoginFailures = `DELETE FROM login_failures WHERE email = ANY($1)`
)

var personalStatements = []string{qRetention, qSetRetention, qDueRetention, qEraseRoundResponses,
	qEraseRoundRevisions, qEraseRoundMessages, qMarkRoundErased, qPersonResponses, qPersonRevisions,
	qPersonContacts, qPersonMessages, qPersonUsers, qErasePersonResponses, qErasePersonRevisions,
	qErasePersonContacts, qErasePersonMessages, qErasePersonLoginFailures, qLockPersonResponses}

// eraseHit + the responses' condition (on r) + eraseRest is the
// statement that erases the codes $2 from those responses, bumps their
// versions and writes their revisions 'erase' (actor $3, user $4),
// before the revisions are scrubbed, and deletes their prepared forms
// (response_prepared: no longer read once the row changed, made again
// from what is left when next needed); it returns how many responses it
// changed.
const (
	eraseHit = `
WITH hit AS (
    SELECT r.id, array(SELECT u.k FROM unnest($2::text[]) WITH ORDINALITY AS u(k, i)
        WHERE r.answers ? u.k OR coalesce(r.submitted_answers ? u.k, false) OR r.carried ? u.k
            OR EXISTS (SELECT 1 FROM revisions v WHERE v.response_id = r.id AND (v.before ? u.k OR v.after ? u.k))
        ORDER BY u.i) AS keys
    FROM responses r WHERE `
	eraseRest = `),
up AS (
    UPDATE responses r SET answers = r.answers - $2::text[], submitted_answers = r.submitted_answers - $2::text[],
        carried = r.carried - $2::text[], version = r.version + 1, updated_at = now(),
        submitted_version = CASE WHEN r.submitted_version = r.version THEN r.version + 1 ELSE r.submitted_version END
    FROM hit WHERE r.id = hit.id AND cardinality(hit.keys) > 0
    RETURNING r.id, r.survey_id, r.municipality_code, r.version, r.submitted_version, hit.keys),
fb AS (
    UPDATE feedback_releases f SET submitted_version = up.submitted_version
    FROM up WHERE up.submitted_version = up.version AND f.survey_id = up.survey_id
        AND f.municipality_code = up.municipality_code AND f.submitted_version = up.version - 1),
rev AS (
    INSERT INTO revisions (response_id, version, action, actor, user_id, before, after, note)
    SELECT id, version, 'erase', $3::text, $4::bigint, '{}', '{}', array_to_string(keys, ', ') FROM up),
forms AS (
    DELETE FROM response_prepared p USING up WHERE p.response_id = up.id)
SELECT count(*) FROM up`
)

// Retention returns the round's retention rule.
func (s *Store) Retention(ctx context.Context, surveyID int64) (domain.Retention, error) {
	var out domain.Retention
	return out, notFound(s.db.GetContext(ctx, &out, qRetention, surveyID))
}

// SetRetention sets the round's retention period in days (nil: keep until
// erased by hand); ErrNotFound for an unknown round.
func (s *Store) SetRetention(ctx context.Context, surveyID int64, days *int) error {
	res, err := s.db.ExecContext(ctx, qSetRetention, surveyID, days)
	if err != nil {
		return err
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return ErrNotFound
	}
	return nil
}

// DueRetention lists the rounds whose retention period has ended at now
// (erased already or not: erasing again is harmless and catches anything
// stored since).
func (s *Store) DueRetention(ctx context.Context, now time.Time) ([]domain.Retention, error) {
	var out []domain.Retention
	return out, s.db.SelectContext(ctx, &out, qDueRetention, now)
}

// EraseRoundPersonal erases the round's personal answers (the codes keys)
// everywhere and the recipients of its e-mail, in one transaction, and
// records at as when the round's personal data was first erased. Each
// response changed gets a new version and a revision 'erase' by the
// system (eraseResponses).
func (s *Store) EraseRoundPersonal(ctx context.Context, surveyID int64, keys []string, at time.Time) (domain.Erased, error) {
	var out domain.Erased
	err := s.inTx(ctx, func(tx *sqlx.Tx) error {
		out = domain.Erased{}
		// The round's row first, as a save takes it (FOR SHARE) before its
		// response: two instances' jobs queue here instead of racing for
		// the same rows in different orders.
		var id int64
		if err := tx.GetContext(ctx, &id, qLockSurvey, surveyID); err != nil {
			return notFound(err)
		}
		k := pq.StringArray(keys)
		if err := eraseResponsesTx(ctx, tx, qLockRoundResponses, qEraseRoundResponses, surveyID, k, userActor(0, ""), &out); err != nil {
			return err
		}
		for _, st := range []struct {
			q    string
			args []any
			n    *int
		}{
			{qEraseRoundRevisions, []any{surveyID, k}, &out.Revisions},
			{qEraseRoundMessages, []any{surveyID}, &out.Messages},
			{qMarkRoundErased, []any{surveyID, at}, nil},
		} {
			res, err := tx.ExecContext(ctx, st.q, st.args...)
			if err != nil {
				return err
			}
			if st.n != nil {
				n, _ := res.RowsAffected()
				*st.n = int(n)
			}
		}
		return nil
	})
	return out, err
}

// eraseResponsesTx locks the responses (lock, by scope) and erases keys
// from them with erase (eraseResponses) as actor a, adding the responses
// changed to out. The revisions are scrubbed after it, by the caller.
func eraseResponsesTx(ctx context.Context, tx *sqlx.Tx, lock, erase string, scope any, keys pq.StringArray, a Actor, out *domain.Erased) error {
	if _, err := tx.ExecContext(ctx, lock, scope); err != nil {
		return err
	}
	var user *int64
	if a.Kind == ActorUser {
		user = &a.UserID
	}
	var n int
	if err := tx.GetContext(ctx, &n, erase, scope, keys, a.Kind, user); err != nil {
		return err
	}
	out.Responses += n
	return nil
}

// normalQuery returns the search's mode and value: "email" with the
// address trimmed and lower-cased, or "name" with the text lower-cased.
func normalQuery(q domain.PersonQuery) (mode, value string) {
	if e := strings.TrimSpace(q.Email); e != "" {
		return "email", strings.ToLower(e)
	}
	return "name", strings.ToLower(strings.TrimSpace(q.Name))
}

// FindPerson returns everything held about the person q: responses whose
// personal answers (rounds' personal codes in rounds) match now or in any
// revision, contacts, the e-mail sent to the addresses found, and staff
// users. An empty query finds nothing.
func (s *Store) FindPerson(ctx context.Context, q domain.PersonQuery, rounds []domain.PersonalKeys) (domain.PersonData, error) {
	return findPerson(ctx, s.db, q, rounds)
}

func findPerson(ctx context.Context, db sqlx.QueryerContext, q domain.PersonQuery, rounds []domain.PersonalKeys) (domain.PersonData, error) {
	out := domain.PersonData{Query: q}
	mode, v := normalQuery(q)
	if v == "" {
		return out, nil
	}
	emails := map[string]bool{}
	if mode == "email" {
		emails[v] = true
	}
	for _, r := range rounds {
		if len(r.Keys) == 0 {
			continue
		}
		k := pq.StringArray(r.Keys)
		var found []domain.PersonResponse
		if err := sqlx.SelectContext(ctx, db, &found, qPersonResponses, r.SurveyID, k, mode, v); err != nil {
			return out, err
		}
		if len(found) == 0 {
			continue
		}
		ids := make(pq.Int64Array, len(found))
		at := map[int64]int{}
		for i, f := range found {
			ids[i], at[f.ResponseID] = f.ResponseID, i
			addresses(emails, f.Answers, f.Submitted)
		}
		var revs []domain.PersonRevision
		if err := sqlx.SelectContext(ctx, db, &revs, qPersonRevisions, ids, k); err != nil {
			return out, err
		}
		for _, rv := range revs {
			i := at[rv.ResponseID]
			found[i].Revisions = append(found[i].Revisions, rv)
			addresses(emails, rv.Before, rv.After)
		}
		out.Responses = append(out.Responses, found...)
	}
	if err := sqlx.SelectContext(ctx, db, &out.Contacts, qPersonContacts, mode, v); err != nil {
		return out, err
	}
	for _, c := range out.Contacts {
		emails[c.Email] = true
	}
	list := make(pq.StringArray, 0, len(emails))
	for e := range emails {
		list = append(list, e)
	}
	slices.Sort(list)
	if err := sqlx.SelectContext(ctx, db, &out.Messages, qPersonMessages, list); err != nil {
		return out, err
	}
	err := sqlx.SelectContext(ctx, db, &out.Users, qPersonUsers, mode, v)
	return out, err
}

// addresses adds every answer that looks like an e-mail address (trimmed,
// lower-cased) in the JSON objects to set.
func addresses(set map[string]bool, objs ...json.RawMessage) {
	for _, raw := range objs {
		var m map[string]any
		if len(raw) == 0 || json.Unmarshal(raw, &m) != nil {
			continue
		}
		for _, v := range m {
			if s, ok := v.(string); ok && strings.Contains(s, "@") {
				set[strings.ToLower(strings.TrimSpace(s))] = true
			}
		}
	}
}

// ErasePerson erases, in one transaction, what FindPerson finds about q
// at this moment: the personal answers of each response found (all of its
// personal codes, everywhere: working and submitted copies, carried-over
// marks, every revision's before/after), the contacts found, the recipients
// of the e-mail found and the sign-in failures recorded under the addresses
// found. Users are not touched. Each response changed gets a new version
// and a revision 'erase' (eraseResponses) by the user userID (0: the
// system, for the operator). It returns what it found (before erasing)
// and what it changed.
func (s *Store) ErasePerson(ctx context.Context, q domain.PersonQuery, rounds []domain.PersonalKeys, userID int64) (domain.PersonData, domain.Erased, error) {
	var found domain.PersonData
	var out domain.Erased
	err := s.inTx(ctx, func(tx *sqlx.Tx) error {
		var err error
		out = domain.Erased{}
		if found, err = findPerson(ctx, tx, q, rounds); err != nil {
			return err
		}
		keys := map[int64][]string{}
		for _, r := range rounds {
			keys[r.SurveyID] = r.Keys
		}
		byRound := map[int64]pq.Int64Array{}
		var order []int64
		for _, r := range found.Responses {
			if _, ok := byRound[r.SurveyID]; !ok {
				order = append(order, r.SurveyID)
			}
			byRound[r.SurveyID] = append(byRound[r.SurveyID], r.ResponseID)
		}
		exec := func(q string, n *int, args ...any) error {
			res, err := tx.ExecContext(ctx, q, args...)
			if err == nil && n != nil {
				c, _ := res.RowsAffected()
				*n += int(c)
			}
			return err
		}
		for _, sid := range order {
			k := pq.StringArray(keys[sid])
			if err := eraseResponsesTx(ctx, tx, qLockPersonResponses, qErasePersonResponses, byRound[sid], k,
				userActor(userID, ""), &out); err != nil {
				return err
			}
			if err := exec(qErasePersonRevisions, &out.Revisions, byRound[sid], k); err != nil {
				return err
			}
		}
		var contacts, messages pq.Int64Array
		emails := pq.StringArray{}
		for _, c := range found.Contacts {
			contacts = append(contacts, c.ID)
			emails = append(emails, c.Email)
		}
		for _, m := range found.Messages {
			messages = append(messages, m.ID)
			emails = append(emails, strings.ToLower(strings.TrimSpace(m.Recipient)))
		}
		if mode, v := normalQuery(q); mode == "email" && v != "" {
			emails = append(emails, v)
		}
		if err := exec(qErasePersonContacts, &out.Contacts, contacts); err != nil {
			return err
		}
		if err := exec(qErasePersonMessages, &out.Messages, messages); err != nil {
			return err
		}
		return exec(qErasePersonLoginFailures, nil, emails)
	})
	return found, out, err
}
