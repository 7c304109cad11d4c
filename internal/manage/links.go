package manage

import (
	"context"
	"errors"

	"github.com/civitas-lv/surveyd/internal/store"
)

// ErrLinkNotShowable is returned for a working link that cannot be derived
// again (issued before links were derived, or with another LINK_KEY): it
// keeps working, but only a new link can be shown or sent.
var ErrLinkNotShowable = errors.New("this link cannot be shown again; issue a new one")

// LinkOf returns the municipality's working link to the round:
// store.ErrNotFound when it has none, ErrLinkNotShowable when it cannot be
// derived again.
func (m *Manager) LinkOf(ctx context.Context, surveyID int64, municipality string) (string, store.Invitation, error) {
	inv, err := m.Store.ActiveInvitation(ctx, surveyID, municipality)
	if err != nil {
		return "", inv, err
	}
	hash, err := m.Store.InvitationHash(ctx, inv.ID)
	if err != nil {
		return "", inv, err
	}
	token, ok := m.Links.Recover(inv.TokenSalt, hash)
	if !ok {
		return "", inv, ErrLinkNotShowable
	}
	return m.LinkURL(token), inv, nil
}

// ShowableLinks returns the round's working links that can be shown, by
// municipality code.
func (m *Manager) ShowableLinks(ctx context.Context, surveyID int64) (map[string]string, error) {
	invs, err := m.Store.ActiveInvitations(ctx, surveyID)
	if err != nil {
		return nil, err
	}
	hashes, err := m.Store.InvitationHashes(ctx, surveyID)
	if err != nil {
		return nil, err
	}
	out := map[string]string{}
	for code, inv := range invs {
		if token, ok := m.Links.Recover(inv.TokenSalt, hashes[inv.ID]); ok {
			out[code] = m.LinkURL(token)
		}
	}
	return out, nil
}

// RotateLink issues a new link for the municipality; the old one stops
// working.
func (m *Manager) RotateLink(ctx context.Context, surveyID int64, municipality string) (string, error) {
	token, hash, salt := m.Links.New()
	if _, err := m.Store.RotateInvitation(ctx, surveyID, municipality, store.NewLink{Hash: hash, Salt: salt}); err != nil {
		return "", err
	}
	return m.LinkURL(token), nil
}

// EnsureLink returns the municipality's working link, issuing one if it has
// none; a link that cannot be shown again is replaced only if it has never
// been used (otherwise ErrLinkNotShowable).
func (m *Manager) EnsureLink(ctx context.Context, surveyID int64, municipality string) (string, store.Invitation, error) {
	u, inv, err := m.LinkOf(ctx, surveyID, municipality)
	switch {
	case err == nil:
		return u, inv, nil
	case errors.Is(err, store.ErrNotFound):
		token, hash, salt := m.Links.New()
		inv, created, err := m.Store.CreateInvitationIfMissing(ctx, surveyID, municipality, store.NewLink{Hash: hash, Salt: salt})
		if err != nil {
			return "", inv, err
		}
		if !created { // someone issued one meanwhile
			return m.LinkOf(ctx, surveyID, municipality)
		}
		return m.LinkURL(token), inv, nil
	case errors.Is(err, ErrLinkNotShowable) && inv.LastUsedAt == nil:
		token, hash, salt := m.Links.New()
		inv, err := m.Store.RotateInvitation(ctx, surveyID, municipality, store.NewLink{Hash: hash, Salt: salt})
		return m.LinkURL(token), inv, err
	}
	return "", inv, err
}
