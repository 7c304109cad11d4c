package manage

import (
	"context"

	"github.com/civitas-lv/surveyd/internal/domain"
	"github.com/civitas-lv/surveyd/survey"
)

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
