package manage

import (
	"context"
	"fmt"

	"github.com/civitas-lv/surveyd/internal/domain"
)

// ContactsOverview is what the contacts page shows.
type ContactsOverview struct {
	// Municipalities are all municipalities, ordered by code.
	Municipalities []domain.Municipality
	// Contacts are each municipality's contacts, by code.
	Contacts map[string][]domain.Contact
}

// Contacts reads every municipality's contacts (personal data), for
// coordinators (domain.AccessCoordinate).
func (m *Manager) Contacts(ctx context.Context, p domain.Principal) (ContactsOverview, error) {
	var out ContactsOverview
	if err := p.Require(domain.AccessCoordinate); err != nil {
		return out, err
	}
	var err error
	if out.Municipalities, err = m.Store.Municipalities(ctx); err != nil {
		return out, err
	}
	out.Contacts, err = m.Store.Contacts(ctx)
	return out, err
}

// SaveContacts makes list (as ParseContacts reads it) the municipality's
// contacts, for coordinators (domain.AccessCoordinate): at most
// MaxContacts, each a valid address (ErrBadEmail); domain.ErrNotFound for
// an unknown municipality. It returns the municipality.
func (m *Manager) SaveContacts(ctx context.Context, p domain.Principal, code string, list []domain.Contact) (domain.Municipality, error) {
	if err := p.Require(domain.AccessCoordinate); err != nil {
		return domain.Municipality{}, err
	}
	if len(list) > MaxContacts {
		return domain.Municipality{}, fmt.Errorf("at most %d contacts", MaxContacts)
	}
	for i, c := range list {
		email, err := NormalizeEmail(c.Email)
		if err != nil {
			return domain.Municipality{}, fmt.Errorf("%q: %w", c.Email, err)
		}
		list[i].Email = email
	}
	if err := m.Store.ReplaceContacts(ctx, code, list); err != nil {
		return domain.Municipality{}, err
	}
	if err := m.audit(ctx, p, domain.AuditContactsSave, 0, code, map[string]any{"contacts": len(list)}); err != nil {
		return domain.Municipality{}, err
	}
	return m.Store.Municipality(ctx, code)
}
