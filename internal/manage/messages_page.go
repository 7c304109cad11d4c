package manage

import (
	"context"

	"github.com/civitas-lv/surveyd/internal/domain"
)

// MessagesOverview is what the round's messages page shows.
type MessagesOverview struct {
	// Messages are the round's messages, newest first.
	Messages []domain.Message
	// Municipalities are all municipalities, ordered by code.
	Municipalities []domain.Municipality
}

// Messages reads the round's messages (their recipients are personal
// data), for coordinators (domain.AccessCoordinate).
func (m *Manager) Messages(ctx context.Context, p domain.Principal, sv domain.Survey) (MessagesOverview, error) {
	var out MessagesOverview
	if err := p.Require(domain.AccessCoordinate); err != nil {
		return out, err
	}
	var err error
	if out.Messages, err = m.Store.MessagesOfSurvey(ctx, sv.ID); err != nil {
		return out, err
	}
	out.Municipalities, err = m.Store.Municipalities(ctx)
	return out, err
}
