package manage

import (
	"context"
	"time"

	"github.com/civitas-lv/surveyd/internal/auth"
	"github.com/civitas-lv/surveyd/internal/domain"
	"github.com/civitas-lv/surveyd/internal/lru"
	"github.com/civitas-lv/surveyd/internal/store"
	"github.com/civitas-lv/surveyd/survey"
)

// The answers an autosave wrote, and its link's context, kept for the
// next one.
//
// A respondent's form saves every few seconds, each save from the answers
// the last one wrote. Each save needs the link's context (is the link
// still working, may the round still be answered) and the answers stored
// (to find what changed, for the revision), so each would read them, the
// whole answers document, and decode them. Instead the answers a save
// through a link wrote are kept here, by the link, with the response and
// version they are and the link's context as that save's request knew it.
//
// The next save through the link then reads nothing: it is checked and
// diffed against what is kept, and its one statement writes it only if
// all that is kept is still so — the response at that version, the link
// not revoked, the round's dates and the municipality's extension as kept
// (store.Seen.Kept). Every change of a response's answers or status bumps
// its version (a colleague's save, a coordinator's correction or return,
// an erasure of personal data), so a response at the version kept has the
// answers kept. When something kept is no longer so, the statement writes
// nothing and sends back the link's context as it is now, and the save is
// done again from it, as if it had been read (SaveAnswers): a save costs
// one round trip when nothing changed since the last one, and no more
// than a read one when something did. When the round is not open by what
// is kept, the context is read (a deadline may have been extended).
//
// When the kept entry has no context, or the kept one cannot be used,
// the context is read (store.SaveContextHolding); the database then sends
// the answers only if the response is no longer at the version kept.
//
// The answers kept are never changed in place: the save path only reads
// them (Diff, Merge and the revisions' undo work on copies), and a save
// keeps the answers it wrote as a new entry.

// heldMaxEntries is how many links' answers are kept: a round has one
// link per municipality (43), and a link's entry goes when the cache is
// full and it is the least recently saved.
const heldMaxEntries = 1024

type heldEntry struct {
	held    store.Held
	defSHA  string // the definition the answers were decoded with
	answers survey.Answers
	// context is the link's context as the save that wrote answers knew
	// it, with that save's response (without its answers document).
	context store.Respondent
}

// heldAnswers are the kept answers by the link's token hash.
type heldAnswers struct {
	kept lru.Cache[string, heldEntry]
}

// RespondentToSave resolves a personal link's token at now, as
// RespondentByToken does (the same errors), for SaveAnswers only: from the
// context the link's last save kept (see above), or reading the link's
// context without what a save does not use (store.SaveContextHolding), and
// without the stored answers when the last save through the link wrote
// them. The Respondent has no municipality names, no open request for
// correction, no Carried and no submitted answers; the other changes
// refuse it. The autosave is the request a respondent makes most, so its
// reads are kept to what it needs.
func (m *Manager) RespondentToSave(ctx context.Context, token string, now time.Time) (*Respondent, error) {
	hash, err := auth.ParseToken(token)
	if err != nil {
		return nil, domain.ErrNotFound
	}
	kept, _ := m.held.kept.Get(string(hash), nil)
	if kept.context.Response.ID != 0 && kept.context.Survey.DefinitionSHA256 == kept.defSHA {
		out, err := m.respondentOf(ctx, kept.context, token, now, kept.answers)
		if err == nil && out.Writable() == nil {
			c := kept.context
			out.kept = &store.Kept{TokenHash: hash, InvitationID: c.Invitation.ID, OpensAt: c.Survey.OpensAt,
				ClosesAt: c.Survey.ClosesAt, ClosedAt: c.Survey.ClosedAt, ExtendedUntil: c.ExtendedUntil}
			out.saveOnly, out.hash, out.now = true, string(hash), now
			return out, nil
		}
	}
	r, err := m.Store.SaveContextHolding(ctx, hash, kept.held)
	if err != nil {
		return nil, err
	}
	if r.Response.AnswersJSON == nil && kept.defSHA != r.Survey.DefinitionSHA256 {
		// Kept for another definition (cannot be: a round's definition
		// is not replaced once answered): read them.
		if r, err = m.Store.SaveContextByTokenHash(ctx, hash); err != nil {
			return nil, err
		}
	}
	return m.toSave(ctx, r, token, string(hash), now, kept.answers)
}

// toSave is RespondentToSave's Respondent of the link context r read.
func (m *Manager) toSave(ctx context.Context, r store.Respondent, token, hash string, now time.Time,
	held survey.Answers) (*Respondent, error) {
	out, err := m.respondentOf(ctx, r, token, now, held)
	if out != nil {
		out.saveOnly, out.hash, out.now = true, hash, now
	}
	return out, err
}

// reread is r, a Respondent of RespondentToSave from a kept context that
// a save found stale, with the link's context now: as the save's
// statement sent it back, or read when it did not (nil now). The entry
// kept goes.
func (m *Manager) reread(ctx context.Context, r *Respondent, now *store.Respondent) (*Respondent, error) {
	m.held.kept.Delete(r.hash)
	var read store.Respondent
	if now != nil {
		read = *now
	} else {
		var err error
		if read, err = m.Store.SaveContextByTokenHash(ctx, []byte(r.hash)); err != nil {
			return nil, err
		}
	}
	return m.toSave(ctx, read, r.token, r.hash, r.now, nil)
}

// keepSaved keeps the answers a save through r's link wrote, and the
// link's context with the response the save left.
func (m *Manager) keepSaved(r *Respondent, saved store.Saved) {
	if r.hash == "" || saved.Answers == nil || saved.Response.ID == 0 {
		return
	}
	c := store.Respondent{Survey: r.Survey, Municipality: r.Municipality, Response: saved.Response,
		ExtendedUntil: r.ExtendedUntil}
	c.Invitation.ID, c.Invitation.SurveyID, c.Invitation.MunicipalityCode = r.invitationID, r.Survey.ID, r.Municipality.Code
	c.Response.AnswersJSON, c.Response.SubmittedJSON, c.Survey.Definition = nil, nil, nil
	m.held.kept.Put(r.hash, heldEntry{held: store.Held{ResponseID: saved.Response.ID, Version: saved.Response.Version},
		defSHA: r.Survey.DefinitionSHA256, answers: saved.Answers, context: c}, 1, heldMaxEntries, 0)
}
