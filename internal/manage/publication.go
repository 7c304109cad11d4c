package manage

import (
	"context"
	"errors"

	"github.com/civitas-lv/surveyd/internal/domain"
	"github.com/civitas-lv/surveyd/survey"
)

// ErrNotPublishable refuses to mark a question publishable that is not free
// text, or that is personal: its answers are never shown to others.
var ErrNotPublishable = errors.New("only free-text questions that are not personal can be publishable")

// Publishable returns, for every free-text question of the round that may
// be published, whether it is: the coordinator's choice for the round, else
// the definition's preset (default: not). Only these questions' answers are
// shown to other municipalities (feedback) and put in the open-data
// package; every other free text never is. For coordinators
// (domain.AccessCoordinate).
func (m *Manager) Publishable(ctx context.Context, p domain.Principal, sv domain.Survey, def *survey.Definition) (map[string]bool, error) {
	if err := p.Require(domain.AccessCoordinate); err != nil {
		return nil, err
	}
	return m.publishable(ctx, sv, def)
}

// publishable is Publishable for the operations that already checked
// their principal (feedback, open data, the settings page).
func (m *Manager) publishable(ctx context.Context, sv domain.Survey, def *survey.Definition) (map[string]bool, error) {
	chosen, err := m.Store.Publication(ctx, sv.ID)
	if err != nil {
		return nil, err
	}
	out := map[string]bool{}
	for _, q := range def.Questions() {
		if !q.CanPublish() {
			continue
		}
		on, ok := chosen[q.Code]
		if !ok {
			on = q.Publishable
		}
		out[q.Code] = on
	}
	return out, nil
}

// SetPublishable records a coordinator's choice for one question of the
// round (ErrNotPublishable for a question that cannot be, domain.ErrNotFound
// for an unknown one), for coordinators (domain.AccessCoordinate).
func (m *Manager) SetPublishable(ctx context.Context, p domain.Principal, sv domain.Survey, def *survey.Definition, code string, on bool) error {
	if err := p.Require(domain.AccessCoordinate); err != nil {
		return err
	}
	q := def.Question(code)
	if q == nil {
		return domain.ErrNotFound
	}
	if !q.CanPublish() {
		return ErrNotPublishable
	}
	return m.Store.SetPublication(ctx, sv.ID, code, on, recordedUserID(p))
}
