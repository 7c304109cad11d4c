package manage

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/civitas-lv/surveyd/internal/domain"
	"github.com/civitas-lv/surveyd/survey"
)

// ErrBadSlug refuses a round's slug that breaks the slug rule of
// definitions (survey.CheckSlug): 2–63 lower-case letters, digits or '-',
// not starting with '-'.
var ErrBadSlug = survey.ErrBadSlug

// ErrExtensionEarly refuses an extended deadline that is not later than the
// round's own.
var ErrExtensionEarly = errors.New("an extension must be later than the round's deadline")

// recordedUserID is the acting user's ID for the records that take one (0
// for the operator: nobody's).
func recordedUserID(p domain.Principal) int64 {
	if id := p.UserID(); id != nil {
		return *id
	}
	return 0
}

// Round finds a round by its slug, with its parsed questionnaire, for anyone
// who may read rounds (domain.AccessView).
func (m *Manager) Round(ctx context.Context, p domain.Principal, slug string) (domain.Survey, *survey.Definition, error) {
	if err := p.Require(domain.AccessView); err != nil {
		return domain.Survey{}, nil, err
	}
	sv, err := m.Store.SurveyBySlug(ctx, slug)
	if err != nil {
		return sv, nil, err
	}
	def, err := m.Definition(sv)
	return sv, def, err
}

// Rounds lists every round, for anyone who may read rounds
// (domain.AccessView).
func (m *Manager) Rounds(ctx context.Context, p domain.Principal) ([]domain.Survey, error) {
	if err := p.Require(domain.AccessView); err != nil {
		return nil, err
	}
	return m.Store.Surveys(ctx)
}

// CreateRound creates a round from a checked definition, open from opens to
// closes (CheckRoundDates), for coordinators (domain.AccessCoordinate). A
// non-empty slug overrides the definition's and must follow the same rule
// (ErrBadSlug). A taken slug is domain.ErrExists. The web's new-round form
// and `surveyd round create` both come here.
func (m *Manager) CreateRound(ctx context.Context, p domain.Principal, def *survey.Definition, slug string, opens, closes time.Time) (domain.Survey, error) {
	if err := p.Require(domain.AccessCoordinate); err != nil {
		return domain.Survey{}, err
	}
	if slug != "" {
		if err := survey.CheckSlug(slug); err != nil {
			return domain.Survey{}, err
		}
		d := *def // the caller's definition keeps its slug
		d.Slug = slug
		def = &d
	}
	return m.createRound(ctx, def, opens, closes, nil)
}

// createRound stores a new round for the definition, made from the round
// with the id previous when not nil: the one way a round is made
// (CreateRound, CreateRoundFrom, EnsureRound).
func (m *Manager) createRound(ctx context.Context, def *survey.Definition, opens, closes time.Time, previous *int64) (domain.Survey, error) {
	if err := survey.CheckSlug(def.Slug); err != nil {
		return domain.Survey{}, err
	}
	if err := CheckRoundDates(opens, closes); err != nil {
		return domain.Survey{}, err
	}
	sv, err := m.Store.CreateSurvey(ctx, domain.Survey{Slug: def.Slug, TitleLV: def.Title.LV, TitleEN: def.Title.EN,
		ReferenceYear: def.ReferenceYear, Definition: def.JSON(), DefinitionSHA256: DefinitionSHA256(def),
		OpensAt: opens, ClosesAt: closes, PreviousSurveyID: previous})
	if errors.Is(err, domain.ErrExists) {
		return domain.Survey{}, fmt.Errorf("round %q: %w", def.Slug, domain.ErrExists)
	}
	return sv, err
}

// SetRoundDates changes the round's answering window (CheckRoundDates),
// for coordinators (domain.AccessCoordinate). It also lifts an early
// closing: this is how a round is reopened.
func (m *Manager) SetRoundDates(ctx context.Context, p domain.Principal, sv domain.Survey, opens, closes time.Time) (domain.Survey, error) {
	if err := p.Require(domain.AccessCoordinate); err != nil {
		return sv, err
	}
	if err := CheckRoundDates(opens, closes); err != nil {
		return sv, err
	}
	return m.Store.SetSurveyDates(ctx, sv.ID, opens, closes)
}

// CloseRound closes the round at the time at (the caller's now), for
// everyone, extensions included, for coordinators
// (domain.AccessCoordinate). A round already closed early stays as it is.
func (m *Manager) CloseRound(ctx context.Context, p domain.Principal, sv domain.Survey, at time.Time) error {
	if err := p.Require(domain.AccessCoordinate); err != nil {
		return err
	}
	err := m.Store.CloseSurvey(ctx, sv.ID, at)
	if errors.Is(err, domain.ErrNotFound) { // already closed: nothing to do
		return nil
	}
	return err
}

// SetExtension gives one municipality a later deadline in the round, for
// coordinators (domain.AccessCoordinate): a date CheckDate accepts, later
// than the round's deadline (ErrExtensionEarly); domain.ErrNotFound for an
// unknown municipality.
func (m *Manager) SetExtension(ctx context.Context, p domain.Principal, sv domain.Survey, code string, until time.Time) error {
	if err := p.Require(domain.AccessCoordinate); err != nil {
		return err
	}
	if err := CheckDate(until); err != nil {
		return err
	}
	if !until.After(sv.ClosesAt) {
		return ErrExtensionEarly
	}
	return m.Store.SetExtension(ctx, sv.ID, code, until, recordedUserID(p))
}

// DeleteExtension takes a municipality's own deadline away (nothing to do
// when it has none), for coordinators (domain.AccessCoordinate).
func (m *Manager) DeleteExtension(ctx context.Context, p domain.Principal, sv domain.Survey, code string) error {
	if err := p.Require(domain.AccessCoordinate); err != nil {
		return err
	}
	err := m.Store.DeleteExtension(ctx, sv.ID, code)
	if errors.Is(err, domain.ErrNotFound) {
		return nil
	}
	return err
}

// RoundSettings is what the round's settings page shows.
type RoundSettings struct {
	// Extensions are the extended deadlines by municipality code.
	Extensions map[string]domain.Extension
	// Municipalities are all municipalities, ordered by code.
	Municipalities []domain.Municipality
	// Publishable: see Publishable.
	Publishable map[string]bool
	// Previous is the round this one was made from (nil: none, or deleted).
	Previous *domain.Survey
	// Retention is the round's rule for its personal data (personal.go).
	Retention domain.Retention
}

// RoundSettings reads the round's settings page's data, for coordinators
// (domain.AccessCoordinate).
func (m *Manager) RoundSettings(ctx context.Context, p domain.Principal, sv domain.Survey, def *survey.Definition) (RoundSettings, error) {
	var out RoundSettings
	if err := p.Require(domain.AccessCoordinate); err != nil {
		return out, err
	}
	var err error
	if out.Extensions, err = m.Store.Extensions(ctx, sv.ID); err != nil {
		return out, err
	}
	if out.Municipalities, err = m.Store.Municipalities(ctx); err != nil {
		return out, err
	}
	if out.Retention, err = m.Store.Retention(ctx, sv.ID); err != nil {
		return out, err
	}
	if sv.PreviousSurveyID != nil {
		prev, err := m.Store.SurveyByID(ctx, *sv.PreviousSurveyID)
		switch {
		case err == nil:
			out.Previous = &prev
		case !errors.Is(err, domain.ErrNotFound):
			return out, err
		}
	}
	out.Publishable, err = m.publishable(ctx, sv, def)
	return out, err
}
