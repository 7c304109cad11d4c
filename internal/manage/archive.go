package manage

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"time"

	"github.com/civitas-lv/surveyd/internal/archive"
	"github.com/civitas-lv/surveyd/internal/domain"
	"github.com/civitas-lv/surveyd/internal/store"
	"github.com/civitas-lv/surveyd/survey"
)

// ExportArchive writes the round slug's archive to w, for admins and the
// operator (domain.AccessAdminister): a zip of the round's rows, table by
// table (store.ArchiveRound: definition, municipalities used and their
// contacts, responses, revisions, returns, extensions, feedback releases,
// publication flags, the links without their tokens, the users referenced
// by e-mail, name and role), and a manifest with a SHA-256 per part (see
// internal/archive). now is the manifest's creation time. An unknown
// round is domain.ErrNotFound.
func (m *Manager) ExportArchive(ctx context.Context, p domain.Principal, slug string, w io.Writer, now time.Time) (archive.Manifest, error) {
	if err := p.Require(domain.AccessAdminister); err != nil {
		return archive.Manifest{}, err
	}
	man, sv, err := m.writeArchive(ctx, slug, w, now)
	if err != nil {
		return archive.Manifest{}, err
	}
	rows := map[string]any{}
	for _, part := range man.Parts {
		rows[part.Name] = part.Rows
	}
	return man, m.audit(ctx, p, domain.AuditArchiveExport, sv.ID, "", map[string]any{"rows": rows})
}

// writeArchive writes the round slug's archive to w (ExportArchive without
// the access check and the audit row).
func (m *Manager) writeArchive(ctx context.Context, slug string, w io.Writer, now time.Time) (archive.Manifest, domain.Survey, error) {
	sv, err := m.Store.SurveyBySlug(ctx, slug)
	if err != nil {
		return archive.Manifest{}, sv, err
	}
	schema, err := store.LatestMigration()
	if err != nil {
		return archive.Manifest{}, sv, err
	}
	aw := archive.NewWriter(w, archive.Manifest{SchemaVersion: schema, CreatedAt: now.UTC().Truncate(time.Second),
		Survey: sv.Slug})
	res, err := m.Store.ArchiveRound(ctx, sv.ID, aw)
	if err != nil {
		return archive.Manifest{}, sv, err
	}
	aw.Manifest().PreviousSurvey = res.PreviousSlug
	if err := aw.Close(); err != nil {
		return archive.Manifest{}, sv, err
	}
	return *aw.Manifest(), sv, nil
}

// ArchiveImport says what ImportArchive restored.
type ArchiveImport struct {
	Manifest archive.Manifest
	store.RestoredRound
}

// ErrArchiveRound refuses an archive whose round does not fit: it is not
// the round the manifest names, or its questionnaire does not load.
var ErrArchiveRound = errors.New("the archive's round cannot be restored")

// ImportArchive restores the archive in r (size bytes) as a new round, for
// admins and the operator (domain.AccessAdminister), in one transaction
// (store.RestoreRound): a refusal changes nothing. The whole file is
// checked first (archive.Open: a damaged file is archive.ErrDamaged, a
// changed part archive.ErrTampered, an unknown format version
// archive.ErrVersion, and so is an archive from a binary with a newer
// schema). slug, when not empty, is the restored round's slug (checked as
// a round's slug; the questionnaire then carries it too); a slug taken
// here is domain.ErrExists. The round it was made from is linked when a
// round with its slug is here, else the round is restored without the link
// (PreviousLinked says which).
func (m *Manager) ImportArchive(ctx context.Context, p domain.Principal, r io.ReaderAt, size int64, slug string) (ArchiveImport, error) {
	if err := p.Require(domain.AccessAdminister); err != nil {
		return ArchiveImport{}, err
	}
	if slug != "" {
		if err := survey.CheckSlug(slug); err != nil {
			return ArchiveImport{}, err
		}
	}
	rd, err := archive.Open(r, size)
	if err != nil {
		return ArchiveImport{}, err
	}
	man := rd.Manifest()
	schema, err := store.LatestMigration()
	if err != nil {
		return ArchiveImport{}, err
	}
	if man.SchemaVersion > schema {
		return ArchiveImport{}, fmt.Errorf("%w: written by a surveyd with database schema %d, this one has %d: upgrade it first",
			archive.ErrVersion, man.SchemaVersion, schema)
	}
	var round struct {
		Slug       string          `json:"slug"`
		Definition json.RawMessage `json:"definition"`
	}
	rounds := 0
	if err := rd.Rows("surveys.jsonl", func(row json.RawMessage) error {
		rounds++
		return json.Unmarshal(row, &round)
	}); err != nil {
		return ArchiveImport{}, err
	}
	if rounds != 1 || round.Slug != man.Survey {
		return ArchiveImport{}, fmt.Errorf("%w: %d rounds in it (%q), the manifest names %q", ErrArchiveRound, rounds, round.Slug, man.Survey)
	}
	def, err := survey.Parse(round.Definition, "the archive's round "+round.Slug)
	if err != nil {
		return ArchiveImport{}, fmt.Errorf("%w: %w", ErrArchiveRound, err)
	}
	in := store.RoundRestore{PreviousSlug: man.PreviousSurvey, BatchRows: m.ArchiveBatchRows,
		Rows: func(table string, fn func(json.RawMessage) error) error { return rd.Rows(table+".jsonl", fn) }}
	if slug != "" {
		d := *def
		d.Slug = slug
		in.Slug, in.Definition, in.DefinitionSHA256 = slug, d.JSON(), DefinitionSHA256(&d)
	}
	res, err := m.Store.RestoreRound(ctx, in)
	if errors.Is(err, domain.ErrExists) && slug == "" {
		return ArchiveImport{}, fmt.Errorf("%w; restore it under another slug (--slug)", err)
	}
	if err != nil {
		return ArchiveImport{}, err
	}
	out := ArchiveImport{Manifest: man, RestoredRound: res}
	if err := m.audit(ctx, p, domain.AuditArchiveImport, res.SurveyID, "",
		map[string]any{"archive_round": man.Survey, "created_at": man.CreatedAt}); err != nil {
		return out, err
	}
	m.keepRestoredForms(ctx, res.SurveyID)
	return out, nil
}

// keepRestoredForms keeps the prepared forms of a round just restored
// (keepRoundForms), so that its first charts are read as forms too. They
// are derived data: the round is restored whether or not they are kept
// (its first reading then keeps them).
func (m *Manager) keepRestoredForms(ctx context.Context, surveyID int64) {
	sv, err := m.Store.SurveyByID(ctx, surveyID)
	if err != nil {
		return
	}
	def, err := m.Definition(sv)
	if err != nil {
		return
	}
	_, _ = m.keepRoundForms(ctx, sv, def)
}
