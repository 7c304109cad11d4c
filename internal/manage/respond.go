package manage

import (
	"context"
	"errors"
	"sync"
	"time"

	"github.com/civitas-lv/surveyd/internal/auth"
	"github.com/civitas-lv/surveyd/internal/domain"
	"github.com/civitas-lv/surveyd/internal/store"
	"github.com/civitas-lv/surveyd/survey"
)

// Respondent is who acts through a personal link: the link's context
// (round, municipality, response so far), the round's questionnaire, the
// working copy of the answers and the round's state for this municipality.
type Respondent struct {
	store.Respondent
	Def     *survey.Definition
	Answers survey.Answers // the working copy, canonical
	State   domain.RoundState
}

// Errors of a respondent's change outside the answering window.
var (
	ErrRoundNotOpen = errors.New("the round is not open yet")
	ErrRoundClosed  = errors.New("the round is closed")
)

// Writable refuses changes outside the answering window.
func (r *Respondent) Writable() error {
	switch r.State {
	case domain.RoundNotOpen:
		return ErrRoundNotOpen
	case domain.RoundClosed:
		return ErrRoundClosed
	}
	return nil
}

// RespondentByToken resolves a personal link's token at now. Malformed,
// unknown and revoked tokens are the same domain.ErrNotFound, so a link's
// existence cannot be probed.
func (m *Manager) RespondentByToken(ctx context.Context, token string, now time.Time) (*Respondent, error) {
	hash, err := auth.ParseToken(token)
	if err != nil {
		return nil, domain.ErrNotFound
	}
	r, err := m.Store.RespondentByTokenHash(ctx, hash)
	if err != nil {
		return nil, err
	}
	def, err := m.Definition(r.Survey)
	if err != nil {
		return nil, err
	}
	answers, err := r.Response.Answers()
	if err != nil {
		return nil, err
	}
	return &Respondent{Respondent: r, Def: def, Answers: answers, State: r.State(now)}, nil
}

// definitions keeps parsed questionnaires by round, keyed by the snapshot's
// hash so a replaced definition is parsed again.
type definitions struct {
	mu sync.Mutex
	m  map[int64]cachedDefinition
}

type cachedDefinition struct {
	sha string
	def *survey.Definition
}

// Definition returns the parsed questionnaire of a round.
func (m *Manager) Definition(sv domain.Survey) (*survey.Definition, error) {
	m.defs.mu.Lock()
	c, ok := m.defs.m[sv.ID]
	m.defs.mu.Unlock()
	if ok && c.sha == sv.DefinitionSHA256 {
		return c.def, nil
	}
	def, err := survey.Parse(sv.Definition, "survey "+sv.Slug)
	if err != nil {
		return nil, err
	}
	m.defs.mu.Lock()
	if m.defs.m == nil {
		m.defs.m = map[int64]cachedDefinition{}
	}
	m.defs.m[sv.ID] = cachedDefinition{sha: sv.DefinitionSHA256, def: def}
	m.defs.mu.Unlock()
	return def, nil
}

// InvalidAnswersError refuses answers, with a message per answer key.
// Nothing was saved.
type InvalidAnswersError struct {
	Errors map[string]survey.Text
	// Submit is true when the answers were checked for submitting.
	Submit bool
}

func (e *InvalidAnswersError) Error() string { return "invalid answers" }

// MergeConflictError refuses a save made from an older version whose
// changes cannot be combined with the changes saved since: both changed
// the same questions, or together the changes would hide an answer.
// Nothing was saved.
type MergeConflictError struct {
	// Current is the version now stored, Answers its answers.
	Current int
	Answers survey.Answers
	// Codes are the questions to decide on, in questionnaire order.
	Codes []string
	// Changed are the questions the refused save changed.
	Changed []string
}

func (e *MergeConflictError) Error() string { return "conflicting changes" }

// Is makes a merge conflict a domain.ErrConflict too.
func (e *MergeConflictError) Is(target error) bool { return target == domain.ErrConflict }

// Saved is the outcome of a respondent's save or submit.
type Saved struct {
	store.Saved
	// Answers are the answers now stored (canonical).
	Answers survey.Answers
	// Cleared lists answers removed because their question is hidden.
	Cleared []string
	// Merged lists the questions a colleague changed since the version the
	// save was made from; their answers are kept and are in Answers.
	Merged []string
	// Warnings are the cross-field rules the answers break (draft only).
	Warnings map[string]survey.Text
}

// SaveAnswers saves the whole set of answers a respondent's page holds,
// made from version base, in draft mode: invalid answers change nothing
// (*InvalidAnswersError). When a colleague saved since base, the changes
// are merged (survey.Definition.Merge): changes to other questions are
// combined and the result names the colleague's questions; changes that
// collide are a *MergeConflictError naming the questions, and nothing is
// saved.
func (m *Manager) SaveAnswers(ctx context.Context, r *Respondent, base int, in survey.Answers) (Saved, error) {
	if err := r.Writable(); err != nil {
		return Saved{}, err
	}
	res := r.Def.Validate(in, survey.Draft)
	if !res.OK() {
		return Saved{}, &InvalidAnswersError{Errors: res.Errors}
	}
	out := Saved{Cleared: res.Cleared, Warnings: res.Warnings}
	c := r.change(base, res.Answers, false)
	c.Rebase = func(baseAnswers, current survey.Answers, version int) (survey.Answers, error) {
		mr := r.Def.Merge(baseAnswers, current, res.Answers)
		if len(mr.Conflicts) > 0 {
			return nil, &MergeConflictError{Current: version, Answers: current, Codes: mr.Conflicts, Changed: mr.Mine}
		}
		out.Merged, out.Cleared, out.Warnings = mr.Theirs, mr.Cleared, mr.Warnings
		return mr.Answers, nil
	}
	saved, err := m.Store.Apply(ctx, c)
	if err != nil {
		return Saved{}, err
	}
	out.Saved = saved
	out.Answers, err = saved.Response.Answers()
	return out, err
}

// SubmitAnswers submits the stored answers, checked in submit mode
// (*InvalidAnswersError lists every problem). Submitting needs the current
// version: a colleague's later save is a *domain.ConflictError, so nobody
// submits answers they have not seen.
func (m *Manager) SubmitAnswers(ctx context.Context, r *Respondent, base int) (Saved, error) {
	if err := r.Writable(); err != nil {
		return Saved{}, err
	}
	if base != r.Response.Version {
		return Saved{}, &domain.ConflictError{Current: r.Response.Version}
	}
	res := r.Def.Validate(r.Answers, survey.Submit)
	if !res.OK() {
		return Saved{}, &InvalidAnswersError{Errors: res.Errors, Submit: true}
	}
	saved, err := m.Store.Apply(ctx, r.change(base, res.Answers, true))
	if err != nil {
		return Saved{}, err
	}
	return Saved{Saved: saved, Answers: res.Answers}, nil
}

func (r *Respondent) change(base int, answers survey.Answers, submit bool) store.Change {
	return store.Change{
		SurveyID:         r.Survey.ID,
		Municipality:     r.Municipality.Code,
		DefinitionSHA256: r.Survey.DefinitionSHA256,
		BaseVersion:      base,
		Answers:          answers,
		Submit:           submit,
		Actor:            domain.Actor{Kind: domain.ActorInvitation, InvitationID: r.Invitation.ID},
	}
}

// RecordLinkUse notes that the link was used.
func (m *Manager) RecordLinkUse(ctx context.Context, r *Respondent) error {
	return m.Store.TouchInvitation(ctx, r.Invitation.ID)
}
