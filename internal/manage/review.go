package manage

import (
	"context"
	"errors"
	"strings"
	"time"

	"github.com/civitas-lv/surveyd/internal/domain"
	"github.com/civitas-lv/surveyd/internal/store"
	"github.com/civitas-lv/surveyd/survey"
)

// Reviewed is a municipality's response to a round as staff read it.
type Reviewed struct {
	Survey       domain.Survey
	Def          *survey.Definition
	Municipality domain.Municipality
	// Response is the response (ID 0: nothing saved yet).
	Response domain.Response
	// Answers is the working copy; Submitted the copy last submitted (nil:
	// never submitted).
	Answers, Submitted survey.Answers
}

// Returnable is nil when the response may be returned for correction:
// only a submitted response can be (else domain.ErrNotSubmitted).
func (rv *Reviewed) Returnable() error {
	if rv.Response.Status != domain.StatusSubmitted {
		return domain.ErrNotSubmitted
	}
	return nil
}

// Review is a municipality's response with what the review page shows
// around it.
type Review struct {
	Reviewed
	// Personal is true when the principal sees personal data. Otherwise
	// the answers to personal questions are left out of Answers and
	// Submitted, and History is empty.
	Personal bool
	// Visible says which questions the municipality is shown (by the
	// whole working copy).
	Visible map[string]bool
	// ExtendedUntil is the municipality's own later deadline, if any.
	ExtendedUntil *time.Time
	// Returns are the requests for correction, the newest first;
	// OpenReturn is the first of them while it is not resolved.
	Returns    []domain.ReturnRequest
	OpenReturn *domain.ReturnRequest
	// History is the response's revisions, the newest first.
	History []HistoryEntry
}

// HistoryEntry is one revision of a response.
type HistoryEntry struct {
	At      time.Time
	Version int
	// Action is what was done ("save", "submit", "correct", "return" …).
	Action string
	// Actor is who: domain.ActorInvitation (the municipality's link),
	// domain.ActorUser (UserEmail) or domain.ActorSystem.
	Actor     string
	UserEmail string
	// Note is the reason of a correction, the note of a return.
	Note string
	// Before and After are the answers the revision changed.
	Before, After survey.Answers
}

// Review reads a municipality's response for anyone who may read rounds
// (domain.AccessView): the answers, the requests for correction and the
// municipality's deadline extension; its history with who made each
// change, and the answers to personal questions, only for those who see
// personal data.
// Shown with personal data, it is recorded in the audit log
// (domain.AuditResponseView).
func (m *Manager) Review(ctx context.Context, p domain.Principal, slug, code string) (*Review, error) {
	if err := p.Require(domain.AccessView); err != nil {
		return nil, err
	}
	return m.review(ctx, p, slug, code, true)
}

// ReviewToChange is Review for a correction or a return being posted
// (domain.AccessCoordinate): the same data, to read the form with and to
// show it again if the change is refused, not recorded as a view — the
// form was when it was shown, and the change records itself.
func (m *Manager) ReviewToChange(ctx context.Context, p domain.Principal, slug, code string) (*Review, error) {
	if err := p.Require(domain.AccessCoordinate); err != nil {
		return nil, err
	}
	return m.review(ctx, p, slug, code, false)
}

func (m *Manager) review(ctx context.Context, p domain.Principal, slug, code string, record bool) (*Review, error) {
	rv, err := m.reviewed(ctx, slug, code)
	if err != nil {
		return nil, err
	}
	out := &Review{Reviewed: *rv, Personal: p.SeesPersonalData(), Visible: rv.Def.Visible(rv.Answers)}
	ext, err := m.Store.Extensions(ctx, rv.Survey.ID)
	if err != nil {
		return nil, err
	}
	if e, ok := ext[rv.Municipality.Code]; ok {
		until := e.ClosesAt
		out.ExtendedUntil = &until
	}
	if rv.Response.ID != 0 {
		if out.Returns, err = m.Store.Returns(ctx, rv.Response.ID); err != nil {
			return nil, err
		}
		if len(out.Returns) > 0 && out.Returns[0].ResolvedAt == nil {
			out.OpenReturn = &out.Returns[0]
		}
	}
	if !out.Personal {
		out.Answers, out.Submitted = withoutPersonal(rv.Def, out.Answers), withoutPersonal(rv.Def, out.Submitted)
		return out, nil
	}
	if rv.Response.ID != 0 {
		if out.History, err = m.history(ctx, rv.Response.ID); err != nil {
			return nil, err
		}
	}
	if !record {
		return out, nil
	}
	return out, m.audit(ctx, p, domain.AuditResponseView, rv.Survey.ID, rv.Municipality.Code, nil)
}

// withoutPersonal is a copy of the answers without those to personal
// questions (nil stays nil).
func withoutPersonal(def *survey.Definition, a survey.Answers) survey.Answers {
	if a == nil {
		return nil
	}
	out := survey.Answers{}
	for k, v := range a {
		out[k] = v
	}
	for _, q := range def.Questions() {
		if q.Personal {
			delete(out, q.Code)
			delete(out, q.OtherKey())
		}
	}
	return out
}

// reviewed reads a municipality's response to a round.
func (m *Manager) reviewed(ctx context.Context, slug, code string) (*Reviewed, error) {
	sv, err := m.Store.SurveyBySlug(ctx, slug)
	if err != nil {
		return nil, err
	}
	def, err := m.Definition(sv)
	if err != nil {
		return nil, err
	}
	mu, err := m.Store.Municipality(ctx, code)
	if err != nil {
		return nil, err
	}
	rv := &Reviewed{Survey: sv, Def: def, Municipality: mu, Answers: survey.Answers{}}
	resp, err := m.Store.Response(ctx, sv.ID, mu.Code)
	switch {
	case errors.Is(err, domain.ErrNotFound):
		return rv, nil
	case err != nil:
		return nil, err
	}
	rv.Response = resp
	if rv.Answers, err = resp.Answers(); err != nil {
		return nil, err
	}
	if resp.SubmittedJSON != nil {
		if rv.Submitted, err = survey.DecodeAnswers(resp.SubmittedJSON); err != nil {
			return nil, err
		}
	}
	return rv, nil
}

// history lists a response's revisions, the newest first, naming the
// users who made them by their e-mail address.
func (m *Manager) history(ctx context.Context, responseID int64) ([]HistoryEntry, error) {
	revs, err := m.Store.Revisions(ctx, responseID)
	if err != nil {
		return nil, err
	}
	users, err := m.Store.Users(ctx)
	if err != nil {
		return nil, err
	}
	emails := map[int64]string{}
	for _, u := range users {
		emails[u.ID] = u.Email
	}
	out := make([]HistoryEntry, 0, len(revs))
	for i := len(revs) - 1; i >= 0; i-- {
		r := revs[i]
		h := HistoryEntry{At: r.CreatedAt, Version: r.Version, Action: r.Action, Actor: r.Actor}
		if r.Actor == domain.ActorUser && r.UserID != nil {
			h.UserEmail = emails[*r.UserID]
		}
		if r.Note != nil {
			h.Note = *r.Note
		}
		if h.Before, h.After, err = r.Changes(); err != nil {
			return nil, err
		}
		out = append(out, h)
	}
	return out, nil
}

// Why a correction or a return is refused.
var (
	// ErrUnknownQuestion: the question (of a correction, of a return's
	// comment) is not in the round's questionnaire.
	ErrUnknownQuestion = errors.New("no such question in the round's questionnaire")
	// ErrReasonMissing: a correction needs a reason.
	ErrReasonMissing = errors.New("a correction needs a reason")
	// ErrReturnEmpty: a return needs a note or a comment.
	ErrReturnEmpty = errors.New("a return needs a note or a comment on a question")
)

// Correction is a coordinator's change to one answer of a municipality's
// response.
type Correction struct {
	Slug, Municipality string
	// Question is the question's code.
	Question string
	// BaseVersion is the version the correction was made from.
	BaseVersion int
	// Answers hold the question's new answer (and its "other" text); an
	// absent key clears it. Other keys are ignored.
	Answers survey.Answers
	// Reason says why (required; checked by CheckText).
	Reason string
}

// Correct changes one answer of a response as a coordinator
// (domain.AccessCoordinate), with a reason. The working copy must stay
// valid as a draft; the submitted copy, if any, changes too, so the
// figures show the correction, and must stay complete and valid
// (*InvalidAnswersError: the working copy's problems, else the submitted
// copy's). A stale BaseVersion is a *domain.ConflictError; a response
// not saved yet is domain.ErrNotFound. The revision records the user (the
// operator's as the system's) and the reason.
func (m *Manager) Correct(ctx context.Context, p domain.Principal, c Correction) (domain.Response, error) {
	if err := p.Require(domain.AccessCoordinate); err != nil {
		return domain.Response{}, err
	}
	rv, err := m.reviewed(ctx, c.Slug, c.Municipality)
	if err != nil {
		return domain.Response{}, err
	}
	q := rv.Def.Question(c.Question)
	switch {
	case q == nil:
		return domain.Response{}, ErrUnknownQuestion
	case rv.Response.ID == 0:
		return domain.Response{}, domain.ErrNotFound
	}
	reason := strings.TrimSpace(c.Reason)
	if reason == "" {
		return domain.Response{}, ErrReasonMissing
	}
	if err := CheckText(reason); err != nil {
		return domain.Response{}, err
	}
	// A copy with the question's answer (and "other" text) as posted.
	with := func(a survey.Answers) survey.Answers {
		out := survey.Answers{}
		for k, v := range a {
			out[k] = v
		}
		for _, k := range []string{q.Code, q.OtherKey()} {
			delete(out, k)
			if v, ok := c.Answers[k]; ok {
				out[k] = v
			}
		}
		return out
	}
	work := rv.Def.Validate(with(rv.Answers), survey.Draft)
	errs := work.Errors
	var sub survey.Answers
	if rv.Submitted != nil {
		sr := rv.Def.Validate(with(rv.Submitted), survey.Submit)
		if len(errs) == 0 {
			errs = sr.Errors
		}
		sub = sr.Answers
	}
	if len(errs) > 0 {
		return domain.Response{}, &InvalidAnswersError{Errors: errs}
	}
	saved, err := m.Store.Correct(ctx, store.Correction{SurveyID: rv.Survey.ID, Municipality: rv.Municipality.Code,
		BaseVersion: c.BaseVersion, Answers: work.Answers, Submitted: sub, UserID: userIDOf(p), Reason: reason})
	if err != nil {
		return saved.Response, err
	}
	return saved.Response, m.audit(ctx, p, domain.AuditResponseCorrect, rv.Survey.ID, rv.Municipality.Code,
		map[string]any{"question": q.Code, "version": saved.Response.Version})
}

// Return is a coordinator's request to a municipality to correct its
// submitted response.
type Return struct {
	Slug, Municipality string
	// BaseVersion is the version the request was made from.
	BaseVersion int
	// Note is for the whole response; Comments are per question code.
	// Blank comments are dropped; a note or a comment is needed.
	Note     string
	Comments map[string]string
}

// ReturnResponse sends a submitted response back to the municipality for
// correction, as a coordinator (domain.AccessCoordinate), with a note and
// comments on the questions (each checked by CheckText; ErrReturnEmpty
// without any, ErrUnknownQuestion for a comment on no question). A stale
// BaseVersion is a *domain.ConflictError, a response that is not
// submitted domain.ErrNotSubmitted. The answers stay; the status becomes
// "returned" until the municipality submits again.
func (m *Manager) ReturnResponse(ctx context.Context, p domain.Principal, r Return) (domain.Response, error) {
	if err := p.Require(domain.AccessCoordinate); err != nil {
		return domain.Response{}, err
	}
	rv, err := m.reviewed(ctx, r.Slug, r.Municipality)
	if err != nil {
		return domain.Response{}, err
	}
	note := strings.TrimSpace(r.Note)
	comments := map[string]string{}
	for code, v := range r.Comments {
		if rv.Def.Question(code) == nil {
			return domain.Response{}, ErrUnknownQuestion
		}
		if v = strings.TrimSpace(v); v != "" {
			comments[code] = v
		}
	}
	if note == "" && len(comments) == 0 {
		return domain.Response{}, ErrReturnEmpty
	}
	if err := CheckText(note); err != nil {
		return domain.Response{}, err
	}
	for _, q := range rv.Def.Questions() {
		if err := CheckText(comments[q.Code]); err != nil {
			return domain.Response{}, err
		}
	}
	switch {
	case rv.Response.ID == 0:
		return domain.Response{}, domain.ErrNotFound
	case rv.Response.Version != r.BaseVersion:
		return domain.Response{}, &domain.ConflictError{Current: rv.Response.Version}
	}
	if err := rv.Returnable(); err != nil {
		return domain.Response{}, err
	}
	// The store checks the version and the status again, under its lock.
	resp, err := m.Store.ReturnResponse(ctx, rv.Survey.ID, rv.Municipality.Code, r.BaseVersion, userIDOf(p), note, comments)
	if err != nil {
		return resp, err
	}
	return resp, m.audit(ctx, p, domain.AuditResponseReturn, rv.Survey.ID, rv.Municipality.Code,
		map[string]any{"comments": len(comments), "version": resp.Version})
}

// userIDOf is the acting user's ID for the store's records; 0 (the
// system's) for the operator.
func userIDOf(p domain.Principal) int64 {
	if id := p.UserID(); id != nil {
		return *id
	}
	return 0
}
