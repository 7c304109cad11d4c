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

// The answers an autosave wrote, kept for the next one.
//
// A respondent's form saves every few seconds, each save from the answers
// the last one wrote. Each save needs the answers stored (to find what
// changed, for the revision), so each would read them, the whole
// document, and decode them. Instead the answers a save through a link
// wrote are kept here, by the link, with the response and version they
// are; the next save's read (store.SaveContextHolding) names them, and the
// database sends the answers only if the response is no longer at that
// version (a colleague saved, a coordinator corrected or returned it,
// personal data were erased: every change of a response's answers bumps
// its version). The answers kept are never changed in place: the save
// path only reads them (Diff, Merge and the revisions' undo work on
// copies), and a save keeps the answers it wrote as a new entry.

// heldMaxEntries is how many links' answers are kept: a round has one
// link per municipality (43), and a link's entry goes when the cache is
// full and it is the least recently saved.
const heldMaxEntries = 1024

type heldEntry struct {
	held    store.Held
	defSHA  string // the definition the answers were decoded with
	answers survey.Answers
}

// heldAnswers are the kept answers by the link's token hash.
type heldAnswers struct {
	kept lru.Cache[string, heldEntry]
}

// RespondentToSave resolves a personal link's token at now, as
// RespondentByToken does (the same errors), for SaveAnswers only: it
// reads the link's context without what a save does not use (store.
// SaveContextHolding), and without the stored answers when the last save
// through the link wrote them (see above). The Respondent has no
// municipality names, no open request for correction, no Carried and no
// submitted answers; the other changes refuse it. The autosave is the
// request a respondent makes most, so its reads are kept to what it needs.
func (m *Manager) RespondentToSave(ctx context.Context, token string, now time.Time) (*Respondent, error) {
	hash, err := auth.ParseToken(token)
	if err != nil {
		return nil, domain.ErrNotFound
	}
	kept, _ := m.held.kept.Get(string(hash), nil)
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
	out, err := m.respondentOf(ctx, r, token, now, kept.answers)
	if out != nil {
		out.saveOnly, out.hash = true, string(hash)
	}
	return out, err
}

// keepSaved keeps the answers a save through r's link wrote.
func (m *Manager) keepSaved(r *Respondent, saved store.Saved) {
	if r.hash == "" || saved.Answers == nil || saved.Response.ID == 0 {
		return
	}
	m.held.kept.Put(r.hash, heldEntry{held: store.Held{ResponseID: saved.Response.ID, Version: saved.Response.Version},
		defSHA: r.Survey.DefinitionSHA256, answers: saved.Answers}, 1, heldMaxEntries, 0)
}
