package manage

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/civitas-lv/surveyd/internal/domain"
	"github.com/civitas-lv/surveyd/internal/store"
	"github.com/civitas-lv/surveyd/survey"
)

// ErrRoundOpened refuses to replace the questionnaire of a round that has
// opened (or was closed): municipalities may have seen it.
var ErrRoundOpened = errors.New("the round has opened: its questionnaire can no longer be replaced; create a new round instead")

// ReferenceYearError refuses a replacement questionnaire whose reference
// year is not the round's.
type ReferenceYearError struct{ Round, File int }

func (e *ReferenceYearError) Error() string {
	return fmt.Sprintf("the file's reference year is %d, the round's %d: correct it in the file", e.File, e.Round)
}

// SavedAnswersError refuses to replace the questionnaire of a round in
// which Municipalities municipalities have saved something of their own
// (anything but the answers carried over from the source round).
type SavedAnswersError struct{ Municipalities int }

func (e *SavedAnswersError) Error() string {
	return fmt.Sprintf("%d municipalities have saved answers in the round: its questionnaire can no longer be replaced; create a new round instead", e.Municipalities)
}

// RoundReplaced says what ReplaceRoundDefinition did.
type RoundReplaced struct {
	Survey domain.Survey
	// Source is the round the answers were carried over from (nil: none).
	Source *domain.Survey
	// Carried is the number of municipalities whose response starts with
	// answers carried over under the new questionnaire.
	Carried int
}

// ReplaceRoundDefinition replaces the questionnaire of the round slug with
// def, for coordinators (domain.AccessCoordinate): the "then editable" of
// a round made from the previous one, or a round made from a file. It is
// refused, in this order and changing nothing:
//   - when the round has opened or was closed (ErrRoundOpened);
//   - when def's reference year is not the round's (*ReferenceYearError);
//     def's slug is ignored: the round keeps its own;
//   - when the round was made from another (Survey.PreviousSurveyID) and
//     def breaks the series without saying so (*survey.SeriesError);
//   - when a municipality has saved anything in the round, submitted or
//     not, or a coordinator has for it: anything but the system's
//     carry-over (*SavedAnswersError, with how many municipalities).
//
// Then, in one transaction (store.ReplaceRoundDefinition), the definition
// and its fingerprint are replaced, every response of the round (carried
// answers only) is removed with its revisions, and the carry-over runs
// again from the source round under def: only answers that fit the edited
// questions (CarriedAnswers) are carried. The carry-over is worked out
// before the transaction (it reads the source round) and stored inside
// it, so the round never holds the new questionnaire without its carried
// answers, nor answers carried under the old one.
func (m *Manager) ReplaceRoundDefinition(ctx context.Context, p domain.Principal, slug string, def *survey.Definition) (RoundReplaced, error) {
	var out RoundReplaced
	if err := p.Require(domain.AccessCoordinate); err != nil {
		return out, err
	}
	sv, err := m.Store.SurveyBySlug(ctx, slug)
	if err != nil {
		return out, fmt.Errorf("round %q: %w", slug, err)
	}
	now := time.Now()
	if sv.State(now) != domain.RoundNotOpen {
		return out, ErrRoundOpened
	}
	if def.ReferenceYear != sv.ReferenceYear {
		return out, &ReferenceYearError{Round: sv.ReferenceYear, File: def.ReferenceYear}
	}
	d := *def // the caller's definition keeps its slug
	d.Slug = sv.Slug
	next, err := survey.Parse(d.JSON(), "round "+sv.Slug)
	if err != nil {
		return out, err
	}
	var carry []store.CarryOver
	if sv.PreviousSurveyID != nil {
		src, err := m.Store.SurveyByID(ctx, *sv.PreviousSurveyID)
		switch {
		case errors.Is(err, domain.ErrNotFound): // deleted meanwhile: nothing to compare or carry
		case err != nil:
			return out, err
		default:
			srcDef, err := m.Definition(src)
			if err != nil {
				return out, err
			}
			if err := survey.CheckSeries(srcDef, next); err != nil {
				return out, err
			}
			if carry, err = m.carryOvers(ctx, src, srcDef, sv, next); err != nil {
				return out, err
			}
			out.Source = &src
		}
	}
	out.Carried, err = m.Store.ReplaceRoundDefinition(ctx, store.RoundReplacement{SurveyID: sv.ID,
		TitleLV: next.Title.LV, TitleEN: next.Title.EN, ReferenceYear: next.ReferenceYear,
		Definition: next.JSON(), DefinitionSHA256: DefinitionSHA256(next), Now: now, Carry: carry})
	var saved *store.SavedAnswersError
	switch {
	case errors.As(err, &saved):
		return out, &SavedAnswersError{Municipalities: saved.Municipalities}
	case errors.Is(err, store.ErrRoundOpened):
		return out, ErrRoundOpened
	case err != nil:
		return out, err
	}
	out.Survey, err = m.Store.SurveyByID(ctx, sv.ID)
	return out, err
}
