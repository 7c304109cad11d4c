package manage

import (
	"context"
	"errors"

	"github.com/civitas-lv/surveyd/internal/domain"
	"github.com/civitas-lv/surveyd/internal/store"
	"github.com/civitas-lv/surveyd/survey"
)

// ErrLinkNotShowable is returned for a working link that cannot be derived
// again (issued before links were derived, or with another LINK_KEY): it
// keeps working, but only a new link can be shown or sent.
var ErrLinkNotShowable = errors.New("this link cannot be shown again; issue a new one")

// ErrLinkChanged is returned when the municipality's working link is not
// the one a coordinator confirmed an action for: it was replaced, revoked
// or made meanwhile. Nothing was changed.
var ErrLinkChanged = errors.New("the link changed since it was shown; nothing was changed")

// linkOf returns the municipality's working link to the round:
// domain.ErrNotFound when it has none, ErrLinkNotShowable when it cannot be
// derived again.
func (m *Manager) linkOf(ctx context.Context, surveyID int64, municipality string) (string, store.Invitation, error) {
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
// municipality code, for coordinators (domain.AccessCoordinate).
func (m *Manager) ShowableLinks(ctx context.Context, p domain.Principal, surveyID int64) (map[string]string, error) {
	if err := p.Require(domain.AccessCoordinate); err != nil {
		return nil, err
	}
	links, err := m.showableLinks(ctx, surveyID)
	if err != nil {
		return nil, err
	}
	return links, m.audit(ctx, p, domain.AuditLinkShow, surveyID, sole(links), map[string]any{"links": len(links)})
}

// sole is the one municipality of a map of links by code ("" for none or
// several), for an audit row.
func sole(links map[string]string) string {
	if len(links) == 1 {
		for code := range links {
			return code
		}
	}
	return ""
}

func (m *Manager) showableLinks(ctx context.Context, surveyID int64) (map[string]string, error) {
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

// ReplaceLink issues a new link for the municipality in place of its
// working link with the id from (0: it has none), which stops working at
// once. ErrLinkChanged when from is not (or no longer) the working link.
// For coordinators (domain.AccessCoordinate).
func (m *Manager) ReplaceLink(ctx context.Context, p domain.Principal, surveyID int64, municipality string, from int64) (string, error) {
	if err := p.Require(domain.AccessCoordinate); err != nil {
		return "", err
	}
	token, hash, salt := m.Links.New()
	link := store.NewLink{Hash: hash, Salt: salt}
	if from == 0 {
		_, created, err := m.Store.CreateInvitationIfMissing(ctx, surveyID, municipality, link)
		if err != nil {
			return "", err
		}
		if !created {
			return "", ErrLinkChanged
		}
		return m.LinkURL(token), m.audit(ctx, p, domain.AuditLinkRotate, surveyID, municipality, map[string]any{"new": true})
	}
	_, err := m.Store.ReplaceInvitation(ctx, surveyID, municipality, from, link)
	if errors.Is(err, domain.ErrConflict) {
		return "", ErrLinkChanged
	}
	if err != nil {
		return "", err
	}
	return m.LinkURL(token), m.audit(ctx, p, domain.AuditLinkRotate, surveyID, municipality, map[string]any{"replaced": from})
}

// RevokeLink stops the municipality's working link with the id link. The
// municipality then has no link until a coordinator issues one (`invite
// --missing-only` does not). Nothing to do when it has no working link;
// ErrLinkChanged when its working link is another one; domain.ErrNotFound
// for an unknown municipality. For coordinators (domain.AccessCoordinate).
func (m *Manager) RevokeLink(ctx context.Context, p domain.Principal, surveyID int64, municipality string, link int64) error {
	if err := p.Require(domain.AccessCoordinate); err != nil {
		return err
	}
	if _, err := m.Store.Municipality(ctx, municipality); err != nil {
		return err
	}
	inv, err := m.Store.ActiveInvitation(ctx, surveyID, municipality)
	switch {
	case errors.Is(err, domain.ErrNotFound):
		return nil
	case err != nil:
		return err
	case inv.ID != link:
		return ErrLinkChanged
	}
	if err := m.Store.RevokeInvitation(ctx, inv.ID); errors.Is(err, domain.ErrNotFound) {
		return nil // revoked meanwhile: as asked
	} else if err != nil {
		return err
	}
	return m.audit(ctx, p, domain.AuditLinkRevoke, surveyID, municipality, map[string]any{"link": inv.ID})
}

// ensureLink returns the municipality's working link, issuing one if it has
// none; a link that cannot be shown again is replaced only if it has never
// been used (otherwise ErrLinkNotShowable).
func (m *Manager) ensureLink(ctx context.Context, surveyID int64, municipality string) (string, store.Invitation, error) {
	u, inv, err := m.linkOf(ctx, surveyID, municipality)
	switch {
	case err == nil:
		return u, inv, nil
	case errors.Is(err, domain.ErrNotFound):
		token, hash, salt := m.Links.New()
		inv, created, err := m.Store.CreateInvitationIfMissing(ctx, surveyID, municipality, store.NewLink{Hash: hash, Salt: salt})
		if err != nil {
			return "", inv, err
		}
		if !created { // someone issued one meanwhile
			return m.linkOf(ctx, surveyID, municipality)
		}
		return m.LinkURL(token), inv, nil
	case errors.Is(err, ErrLinkNotShowable) && inv.LastUsedAt == nil:
		token, hash, salt := m.Links.New()
		inv, err := m.Store.RotateInvitation(ctx, surveyID, municipality, store.NewLink{Hash: hash, Salt: salt})
		return m.LinkURL(token), inv, err
	}
	return "", inv, err
}

// LinksOverview is what the links page shows: the tracker, with contacts,
// and the working links that can be shown, by municipality code.
type LinksOverview struct {
	Tracker Tracker
	Links   map[string]string
}

// LinksPage reads the round's links page's data, for coordinators
// (domain.AccessCoordinate).
func (m *Manager) LinksPage(ctx context.Context, p domain.Principal, sv domain.Survey, def *survey.Definition) (LinksOverview, error) {
	var out LinksOverview
	if err := p.Require(domain.AccessCoordinate); err != nil {
		return out, err
	}
	var err error
	if out.Tracker, err = m.tracker(ctx, sv, def, true); err != nil {
		return out, err
	}
	if out.Links, err = m.showableLinks(ctx, sv.ID); err != nil {
		return out, err
	}
	return out, m.audit(ctx, p, domain.AuditLinkShow, sv.ID, "", map[string]any{"links": len(out.Links)})
}
