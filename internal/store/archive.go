package store

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"
)

// A round's archive (internal/archive holds the file format): every row of
// the round in the tables below, each row the table's columns as a JSON
// object (to_jsonb), except what never leaves the installation: the links'
// token hashes and salts, and of the users only e-mail, name and role
// (never password hashes, sessions or API tokens). The mail log (messages)
// stays too: it is the installation's record of what it sent, and queued
// messages would be sent again by the other installation's outbox.

// ArchiveTables are the tables of a round's archive in the order they are
// written and restored (referenced tables first). Each is a part named
// TABLE.jsonl.
func ArchiveTables() []string {
	return []string{"municipalities", "users", "surveys", "contacts", "invitations", "responses",
		"revisions", "returns", "deadline_extensions", "feedback_releases", "question_publication"}
}

// The round's rows, table by table ($1: the round's id).
const (
	qArchiveUsedMunicipalities = `
SELECT municipality_code FROM responses WHERE survey_id = $1
UNION SELECT municipality_code FROM invitations WHERE survey_id = $1
UNION SELECT municipality_code FROM deadline_extensions WHERE survey_id = $1
UNION SELECT municipality_code FROM feedback_releases WHERE survey_id = $1`
	qArchiveUserIDs = `
SELECT v.user_id FROM revisions v JOIN responses r ON r.id = v.response_id WHERE r.survey_id = $1
UNION SELECT t.user_id FROM returns t JOIN responses r ON r.id = t.response_id WHERE r.survey_id = $1
UNION SELECT user_id FROM deadline_extensions WHERE survey_id = $1
UNION SELECT released_by FROM feedback_releases WHERE survey_id = $1
UNION SELECT withdrawn_by FROM feedback_releases WHERE survey_id = $1
UNION SELECT user_id FROM question_publication WHERE survey_id = $1`
)

func archiveQueries() map[string]string {
	return map[string]string{
		"municipalities": `SELECT to_jsonb(m) FROM municipalities m WHERE m.code IN (` + qArchiveUsedMunicipalities + `) ORDER BY m.code`,
		"users": `SELECT jsonb_build_object('id', u.id, 'email', u.email, 'name', u.name, 'role', u.role)
FROM users u WHERE u.id IN (` + qArchiveUserIDs + `) ORDER BY u.id`,
		"surveys":  `SELECT to_jsonb(s) FROM surveys s WHERE s.id = $1`,
		"contacts": `SELECT to_jsonb(c) FROM contacts c WHERE c.municipality_code IN (` + qArchiveUsedMunicipalities + `) ORDER BY c.id`,
		"invitations": `SELECT to_jsonb(i) - 'token_sha256' - 'token_salt' FROM invitations i WHERE i.survey_id = $1
ORDER BY i.id`,
		"responses": `SELECT to_jsonb(r) FROM responses r WHERE r.survey_id = $1 ORDER BY r.id`,
		"revisions": `SELECT to_jsonb(v) FROM revisions v JOIN responses r ON r.id = v.response_id WHERE r.survey_id = $1
ORDER BY v.id`,
		"returns": `SELECT to_jsonb(t) FROM returns t JOIN responses r ON r.id = t.response_id WHERE r.survey_id = $1
ORDER BY t.id`,
		"deadline_extensions":  `SELECT to_jsonb(e) FROM deadline_extensions e WHERE e.survey_id = $1 ORDER BY e.municipality_code`,
		"feedback_releases":    `SELECT to_jsonb(f) FROM feedback_releases f WHERE f.survey_id = $1 ORDER BY f.municipality_code`,
		"question_publication": `SELECT to_jsonb(q) FROM question_publication q WHERE q.survey_id = $1 ORDER BY q.question_code`,
	}
}

const (
	qArchivePreviousSlug = `SELECT coalesce((SELECT p.slug FROM surveys s JOIN surveys p ON p.id = s.previous_survey_id WHERE s.id = $1), '')`
	qArchiveColumns      = `
SELECT column_name FROM information_schema.columns
WHERE table_schema = current_schema() AND table_name = $1 ORDER BY ordinal_position`
	qArchiveNow         = `SELECT now()`
	qArchiveNewIDs      = `SELECT nextval(pg_get_serial_sequence($1, $2)) FROM generate_series(1, $3)`
	qArchiveUserByEmail = `SELECT id FROM users WHERE email = $1`
	qArchiveAddUser     = `
INSERT INTO users (email, name, role, disabled_at) VALUES ($1, $2, $3, now()) RETURNING id`
)

func archiveStatements() []string {
	out := []string{qArchivePreviousSlug, qArchiveColumns, qArchiveNow, qArchiveNewIDs, qArchiveUserByEmail, qArchiveAddUser}
	for _, q := range archiveQueries() {
		out = append(out, q)
	}
	return out
}

// RowWriter receives an archive: a part, then its rows, part after part
// (archive.Writer).
type RowWriter interface {
	Part(name string) error
	Row(row json.RawMessage) error
}

// ArchivedRound says what ArchiveRound wrote.
type ArchivedRound struct {
	// PreviousSlug is the slug of the round this one was made from ("").
	PreviousSlug string
	// Rows by table.
	Rows map[string]int
}

// ArchiveRound writes every row of the round with the id to w, table by
// table (ArchiveTables; part TABLE.jsonl), from one snapshot of the
// database (a read-only, repeatable-read transaction).
func (s *Store) ArchiveRound(ctx context.Context, surveyID int64, w RowWriter) (ArchivedRound, error) {
	out := ArchivedRound{Rows: map[string]int{}}
	tx, err := s.db.BeginTxx(ctx, &sql.TxOptions{ReadOnly: true, Isolation: sql.LevelRepeatableRead})
	if err != nil {
		return out, err
	}
	defer tx.Rollback()
	if err := tx.GetContext(ctx, &out.PreviousSlug, qArchivePreviousSlug, surveyID); err != nil {
		return out, err
	}
	queries := archiveQueries()
	for _, table := range ArchiveTables() {
		if err := w.Part(table + ".jsonl"); err != nil {
			return out, err
		}
		rows, err := tx.QueryContext(ctx, queries[table], surveyID)
		if err != nil {
			return out, fmt.Errorf("archive %s: %w", table, err)
		}
		for rows.Next() {
			var row []byte
			if err := rows.Scan(&row); err != nil {
				rows.Close()
				return out, err
			}
			if err := w.Row(row); err != nil {
				rows.Close()
				return out, err
			}
			out.Rows[table]++
		}
		if err := rows.Close(); err != nil {
			return out, err
		}
		if err := rows.Err(); err != nil {
			return out, err
		}
	}
	if out.Rows["surveys"] != 1 {
		return out, ErrNotFound
	}
	return out, tx.Commit()
}

// RoundRestore is an archive to restore as a new round.
type RoundRestore struct {
	// Rows calls fn with each row of the table's part, in order
	// (archive.Reader.Rows with TABLE.jsonl).
	Rows func(table string, fn func(row json.RawMessage) error) error
	// Slug, when not empty, replaces the round's slug, and Definition and
	// DefinitionSHA256 then replace its questionnaire (the same with the
	// new slug).
	Slug             string
	Definition       json.RawMessage
	DefinitionSHA256 string
	// PreviousSlug names the round the archived one was made from; it is
	// linked when a round with that slug is here.
	PreviousSlug string
	// BatchRows is the most rows one insert takes (zero:
	// DefaultRestoreBatchRows). Tests set it low so that a few rows cross
	// batch boundaries, as thousands do with the default.
	BatchRows int
}

// RestoredRound says what RestoreRound did.
type RestoredRound struct {
	SurveyID int64
	Slug     string
	// PreviousLinked: the round made from is here and linked.
	PreviousLinked bool
	// Rows restored by table; municipalities and contacts count the ones
	// added (the others were here already and are left as they are).
	Rows map[string]int
	// UsersMatched are the users found here by e-mail; the others
	// (Rows["users"]) were added, disabled and without a password.
	UsersMatched int

	added []string // municipalities added (their contacts are restored)
}

// ArchiveInconsistentError refuses an archive whose rows do not fit
// together or do not fit this database's tables. Nothing was restored.
type ArchiveInconsistentError struct {
	Table, Detail string
}

func (e *ArchiveInconsistentError) Error() string {
	return fmt.Sprintf("the archive's %s: %s", e.Table, e.Detail)
}

// restoreTable says how a table's rows are restored: the identity column
// that gets a new value, the columns that refer to other tables' restored
// identities, and whether a row already here (by its key) is kept instead.
type restoreTable struct {
	id       string
	refs     map[string]string
	conflict string // ON CONFLICT clause: the row here wins
	// added names the column whose values of the rows added are kept
	// (municipalities: code); onlyAdded the column that must hold one of
	// them (contacts: only those of municipalities added, so that an old
	// round's contacts never join a municipality this installation knows).
	added, onlyAdded string
}

func restoreTables() map[string]restoreTable {
	return map[string]restoreTable{
		"municipalities": {conflict: "ON CONFLICT (code) DO NOTHING", added: "code"},
		"surveys":        {id: "id"},
		"contacts": {id: "id", conflict: "ON CONFLICT (municipality_code, email) DO NOTHING",
			onlyAdded: "municipality_code"},
		"invitations": {id: "id", refs: map[string]string{"survey_id": "surveys"}},
		"responses":   {id: "id", refs: map[string]string{"survey_id": "surveys"}},
		"revisions": {id: "id", refs: map[string]string{"response_id": "responses", "invitation_id": "invitations",
			"user_id": "users"}},
		"returns":             {id: "id", refs: map[string]string{"response_id": "responses", "user_id": "users"}},
		"deadline_extensions": {refs: map[string]string{"survey_id": "surveys", "user_id": "users"}},
		"feedback_releases": {refs: map[string]string{"survey_id": "surveys", "released_by": "users",
			"withdrawn_by": "users"}},
		"question_publication": {refs: map[string]string{"survey_id": "surveys", "user_id": "users"}},
	}
}

// RestoreRound restores an archived round as a new round, in one
// transaction: a refusal or a failure changes nothing. New identities are
// given to the round, its links, responses, revisions and returns, and the
// references follow; users are matched by e-mail or added disabled without
// a password; municipalities missing here are added with their contacts
// (a municipality here keeps its own contacts and nothing else). The
// round's links are restored as records only: each gets a random token
// hash nobody has the token of, and one that was working is recorded as
// revoked now, so the round has no working link until new ones are issued.
// A slug taken here is ErrExists; rows that do not fit
// *ArchiveInconsistentError.
func (s *Store) RestoreRound(ctx context.Context, in RoundRestore) (RestoredRound, error) {
	out := RestoredRound{Rows: map[string]int{}}
	batchRows := in.BatchRows
	if batchRows <= 0 {
		batchRows = DefaultRestoreBatchRows
	}
	err := s.inTx(ctx, func(tx *sqlx.Tx) error {
		var now time.Time
		if err := tx.GetContext(ctx, &now, qArchiveNow); err != nil {
			return err
		}
		ids := map[string]map[int64]int64{}
		tables := restoreTables()
		for _, table := range ArchiveTables() {
			ids[table] = map[int64]int64{}
			var cols []string
			if err := tx.SelectContext(ctx, &cols, qArchiveColumns, table); err != nil {
				return err
			}
			known := map[string]bool{}
			for _, c := range cols {
				known[c] = true
			}
			spec := tables[table]
			n := 0
			seen := map[int64]bool{}
			b := &restoreBatch{table: table, spec: spec, ids: ids[table], maxRows: batchRows}
			err := in.Rows(table, func(raw json.RawMessage) error {
				n++
				var row map[string]json.RawMessage
				if err := json.Unmarshal(raw, &row); err != nil {
					return &ArchiveInconsistentError{table, fmt.Sprintf("row %d: %v", n, err)}
				}
				bad := func(format string, a ...any) error {
					return &ArchiveInconsistentError{table, fmt.Sprintf("row %d: ", n) + fmt.Sprintf(format, a...)}
				}
				for c := range row {
					if !known[c] {
						return bad("column %s, which this installation's table does not have (an archive of a newer version?)", c)
					}
				}
				var oldID int64
				if spec.id != "" || table == "users" {
					if err := json.Unmarshal(row["id"], &oldID); err != nil || oldID == 0 {
						return bad("no id")
					}
					if seen[oldID] {
						return bad("id %d twice", oldID)
					}
					seen[oldID] = true
				}
				for col, ref := range spec.refs {
					v, ok := row[col]
					if !ok || string(v) == "null" {
						continue
					}
					var old int64
					if err := json.Unmarshal(v, &old); err != nil {
						return bad("%s is not a number", col)
					}
					id, ok := ids[ref][old]
					if !ok {
						return bad("%s %d is not among the archive's %s", col, old, ref)
					}
					row[col] = json.RawMessage(strconv.FormatInt(id, 10))
				}
				switch table {
				case "users":
					id, matched, err := restoreUser(ctx, tx, row)
					if err != nil {
						return bad("%v", err)
					}
					ids[table][oldID] = id
					if matched {
						out.UsersMatched++
					} else {
						out.Rows[table]++
					}
					return nil
				case "surveys":
					if n > 1 {
						return bad("more than one round")
					}
					if in.Slug != "" {
						row["slug"], _ = json.Marshal(in.Slug)
						row["definition"] = in.Definition
						row["definition_sha256"], _ = json.Marshal(in.DefinitionSHA256)
					}
					row["previous_survey_id"] = json.RawMessage("null")
					if in.PreviousSlug != "" {
						prev, err := s.surveyIDBySlug(ctx, tx, in.PreviousSlug)
						if err != nil && !errors.Is(err, ErrNotFound) {
							return err
						}
						if err == nil {
							row["previous_survey_id"] = json.RawMessage(strconv.FormatInt(prev, 10))
							out.PreviousLinked = true
						}
					}
					if err := json.Unmarshal(row["slug"], &out.Slug); err != nil {
						return bad("no slug")
					}
				case "invitations":
					hash := make([]byte, 32)
					if _, err := rand.Read(hash); err != nil {
						return err
					}
					row["token_sha256"], _ = json.Marshal(`\x` + hex.EncodeToString(hash))
					if v := row["revoked_at"]; len(v) == 0 || string(v) == "null" {
						row["revoked_at"], _ = json.Marshal(now)
					}
				}
				if !b.fits(row) {
					if err := b.flush(ctx, tx, &out); err != nil {
						return err
					}
				}
				b.add(row, oldID, n)
				return nil
			})
			if err == nil {
				err = b.flush(ctx, tx, &out)
			}
			if err != nil {
				return err
			}
			if table == "surveys" {
				out.SurveyID = ids[table][b.surveyOld]
			}
		}
		if out.SurveyID == 0 {
			return &ArchiveInconsistentError{"surveys", "no round"}
		}
		return nil
	})
	if err != nil {
		return RestoredRound{}, err
	}
	return out, nil
}

func (s *Store) surveyIDBySlug(ctx context.Context, tx *sqlx.Tx, slug string) (int64, error) {
	var sv Survey
	if err := tx.GetContext(ctx, &sv, qSurveyBySlug, slug); err != nil {
		return 0, notFound(err)
	}
	return sv.ID, nil
}

// restoreUser finds the user with the row's e-mail, or adds one with its
// name and role, disabled and without a password.
func restoreUser(ctx context.Context, tx *sqlx.Tx, row map[string]json.RawMessage) (int64, bool, error) {
	var u struct{ Email, Name, Role string }
	for k, dst := range map[string]*string{"email": &u.Email, "name": &u.Name, "role": &u.Role} {
		if err := json.Unmarshal(row[k], dst); err != nil {
			return 0, false, fmt.Errorf("%s: %v", k, err)
		}
	}
	u.Email = strings.ToLower(strings.TrimSpace(u.Email))
	var id int64
	err := tx.GetContext(ctx, &id, qArchiveUserByEmail, u.Email)
	if err == nil {
		return id, true, nil
	}
	if !errors.Is(err, sql.ErrNoRows) {
		return 0, false, err
	}
	err = tx.GetContext(ctx, &id, qArchiveAddUser, u.Email, u.Name, u.Role)
	return id, false, err
}

// restoreBatch holds rows of a table to insert them many at a time, all
// with the same columns (checked against the table's).
type restoreBatch struct {
	table string
	spec  restoreTable
	ids   map[int64]int64 // the table's identities: archive's → here
	cols  []string
	rows  []map[string]json.RawMessage
	old   []int64 // the archive's identities of rows
	first int     // the number of the first row held, for messages
	size  int
	// maxRows is the most rows held (RoundRestore.BatchRows).
	maxRows int
	// surveyOld is the archive's identity of the round.
	surveyOld int64
}

// DefaultRestoreBatchRows is the most rows a batch holds unless
// RoundRestore.BatchRows says otherwise; restoreBatchBytes the most bytes
// of JSON.
const (
	DefaultRestoreBatchRows = 1000
	restoreBatchBytes       = 4 << 20
)

func rowColumns(row map[string]json.RawMessage) []string {
	cols := make([]string, 0, len(row))
	for c := range row {
		cols = append(cols, c)
	}
	slices.Sort(cols)
	return cols
}

// fits reports whether row can join the batch (else flush first).
func (b *restoreBatch) fits(row map[string]json.RawMessage) bool {
	if len(b.rows) == 0 {
		return true
	}
	if len(b.rows) >= b.maxRows || b.size >= restoreBatchBytes {
		return false
	}
	delete(row, b.spec.id)
	return slices.Equal(rowColumns(row), b.cols)
}

func (b *restoreBatch) add(row map[string]json.RawMessage, old int64, n int) {
	delete(row, b.spec.id) // given a new value when inserted
	if len(b.rows) == 0 {
		b.cols, b.first = rowColumns(row), n
	}
	for _, v := range row {
		b.size += len(v)
	}
	b.rows = append(b.rows, row)
	b.old = append(b.old, old)
	if b.table == "surveys" {
		b.surveyOld = old
	}
}

// flush inserts the rows held: new identities are drawn from the table's
// sequence first, so each row's is known (the references to it follow),
// then all rows go in one statement. A row whose key is here already is
// kept as it is (spec.conflict) and not counted.
func (b *restoreBatch) flush(ctx context.Context, tx *sqlx.Tx, out *RestoredRound) error {
	if len(b.rows) == 0 {
		return nil
	}
	cols := b.cols
	overriding := ""
	if b.spec.id != "" {
		var fresh []int64
		if err := tx.SelectContext(ctx, &fresh, qArchiveNewIDs, b.table, b.spec.id, len(b.rows)); err != nil {
			return err
		}
		if len(fresh) != len(b.rows) {
			return fmt.Errorf("restore %s: %d identities for %d rows", b.table, len(fresh), len(b.rows))
		}
		for i, row := range b.rows {
			row[b.spec.id] = json.RawMessage(strconv.FormatInt(fresh[i], 10))
			b.ids[b.old[i]] = fresh[i]
		}
		cols = append(slices.Clone(cols), b.spec.id)
		overriding = "OVERRIDING SYSTEM VALUE "
	}
	quoted := make([]string, len(cols))
	for i, c := range cols {
		quoted[i] = pq.QuoteIdentifier(c)
	}
	list := strings.Join(quoted, ", ")
	data, err := json.Marshal(b.rows)
	if err != nil {
		return err
	}
	t := pq.QuoteIdentifier(b.table)
	ret, where := "1", ""
	if b.spec.added != "" {
		ret = pq.QuoteIdentifier(b.spec.added)
	}
	args := []any{data}
	if b.spec.onlyAdded != "" {
		where = ` WHERE ` + pq.QuoteIdentifier(b.spec.onlyAdded) + ` = ANY($2)`
		args = append(args, pq.Array(out.added))
	}
	q := `WITH ins AS (INSERT INTO ` + t + ` (` + list + `) ` + overriding + `SELECT ` + list +
		` FROM jsonb_populate_recordset(NULL::` + t + `, $1)` + where + ` ` + b.spec.conflict + ` RETURNING ` + ret +
		` AS k) SELECT k::text FROM ins`
	var added []string
	err = tx.SelectContext(ctx, &added, q, args...)
	if isUniqueViolation(err) && b.table == "surveys" {
		var slug string
		json.Unmarshal(b.rows[0]["slug"], &slug)
		return fmt.Errorf("round %q: %w", slug, ErrExists)
	}
	if err != nil {
		return fmt.Errorf("restore %s rows %d to %d: %w", b.table, b.first, b.first+len(b.rows)-1, err)
	}
	if b.spec.added != "" {
		out.added = append(out.added, added...)
	}
	inserted := len(added)
	out.Rows[b.table] += inserted
	b.rows, b.old, b.cols, b.size = nil, nil, nil, 0
	return nil
}
