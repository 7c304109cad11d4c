package manage

import (
	"context"
	"errors"
	"maps"
	"sync"
	"time"

	"github.com/civitas-lv/surveyd/internal/auth"
	"github.com/civitas-lv/surveyd/internal/domain"
	"github.com/civitas-lv/surveyd/internal/store"
	"github.com/civitas-lv/surveyd/internal/wording"
	"github.com/civitas-lv/surveyd/survey"
)

// Respondent is who acts through a personal link: the link's context
// (round, municipality, response so far), the round's questionnaire, the
// working copy of the answers and the round's state for this municipality.
// The link's token is its credential: the respondent's operations take a
// Respondent, never a domain.Principal.
type Respondent struct {
	Survey       domain.Survey
	Municipality domain.Municipality
	// Response is the response so far (ID 0 when nothing is saved yet).
	Response domain.Response
	// ExtendedUntil is the municipality's own later deadline, if any.
	ExtendedUntil *time.Time
	// Return is the open request for correction, if any.
	Return  *domain.ReturnRequest
	Def     *survey.Definition
	Answers survey.Answers // the working copy, canonical
	State   domain.RoundState
	// Carried are the answers carried over from a previous round and not
	// yet confirmed, by question code (CreateRoundFrom).
	Carried map[string]CarriedFrom

	token        string // the personal link's, for the receipt of a submit
	invitationID int64
	years        map[string]int // reference years of carried-from rounds, by slug
	// saveOnly marks a Respondent of RespondentToSave: it holds only what
	// SaveAnswers needs; hash is then its link's token hash, under which
	// SaveAnswers keeps the answers it wrote (held.go).
	saveOnly bool
	hash     string
	// now is when a Respondent of RespondentToSave was resolved; kept,
	// when it came from the context its link's last save kept (held.go).
	now  time.Time
	kept *store.Kept
}

// errSaveOnly refuses a change other than SaveAnswers for a Respondent of
// RespondentToSave, which lacks what the others check (the carried-over
// answers, for one): a programming error, never a respondent's.
var errSaveOnly = errors.New("manage: a Respondent of RespondentToSave is for SaveAnswers only")

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

// CarriedFrom is the round a carried-over answer comes from.
type CarriedFrom struct {
	Round string // its slug
	Year  int    // its reference year
}

// Progress is the progress of every section, carried-over answers not yet
// confirmed counting as unanswered (they still decide what is shown).
func (r *Respondent) Progress(a survey.Answers) []survey.SectionProgress {
	codes := make(map[string]string, len(r.Carried))
	for code, from := range r.Carried {
		codes[code] = from.Round
	}
	return carriedProgress(r.Def, a, codes)
}

// carriedProgress is def.Progress(a) with the answers to the questions in
// carried (not yet confirmed) counted as unanswered.
func carriedProgress(def *survey.Definition, a survey.Answers, carried map[string]string) []survey.SectionProgress {
	ps := def.Progress(a)
	if len(carried) == 0 {
		return ps
	}
	vis := def.Visible(a)
	for i := range ps {
		for _, q := range ps[i].Section.Questions {
			if _, ok := carried[q.Code]; !ok || !vis[q.Code] {
				continue
			}
			if _, ok := a[q.Code]; !ok {
				continue
			}
			ps[i].Answered--
			if q.Required {
				ps[i].RequiredMissing++
			}
		}
	}
	return ps
}

// OnlyCarried reports whether the response holds only what the service
// put in when the round was made from the previous one (last round's
// answers, one revision) — nothing the municipality saved itself. The
// tracker counts such a response as not started.
func (r *Respondent) OnlyCarried() bool {
	return onlyCarried(r.Response.Version, r.Response.CarriedJSON)
}

// Deadline is when answering ends for this municipality.
func (r *Respondent) Deadline() time.Time { return r.Survey.Deadline(r.ExtendedUntil) }

// ClosedSince is when answering ended for the municipality: the round's
// early closing, or its deadline.
func (r *Respondent) ClosedSince() time.Time {
	if r.Survey.ClosedAt != nil && r.Survey.ClosedAt.Before(r.Deadline()) {
		return *r.Survey.ClosedAt
	}
	return r.Deadline()
}

// SubmittedAnswers are the answers last submitted; nil when never
// submitted.
func (r *Respondent) SubmittedAnswers() (survey.Answers, error) {
	if r.Response.SubmittedJSON == nil {
		return nil, nil
	}
	return survey.DecodeAnswers(r.Response.SubmittedJSON)
}

// Shown are the answers the questionnaire shows: the working copy, and
// after the round closes what was submitted (what counts then), when
// anything was.
func (r *Respondent) Shown() survey.Answers {
	if r.State == domain.RoundClosed {
		if sub, err := r.SubmittedAnswers(); err == nil && sub != nil {
			return sub
		}
	}
	return r.Answers
}

// Copy is a copy of the answers to print.
type Copy struct {
	Answers survey.Answers
	// Submitted is true for the submitted copy, false for the working copy.
	Submitted bool
	// Version is the copy's version.
	Version int
	// OtherDiffers is true when both copies exist and differ: the page
	// offers the other one.
	OtherDiffers bool
}

// PrintCopy is the copy of the answers to print: the working copy, or the
// submitted one when asked for and there is one.
func (r *Respondent) PrintCopy(submitted bool) (Copy, error) {
	sub, err := r.SubmittedAnswers()
	if err != nil {
		return Copy{}, err
	}
	before, after := survey.Diff(r.Answers, sub)
	out := Copy{Answers: r.Answers, Version: r.Response.Version, OtherDiffers: sub != nil && len(before)+len(after) > 0}
	if submitted && sub != nil {
		out.Answers, out.Submitted = sub, true
		if r.Response.SubmittedVersion != nil {
			out.Version = *r.Response.SubmittedVersion
		}
	}
	return out, nil
}

// RespondentByToken resolves a personal link's token at now. Malformed,
// unknown and revoked tokens are the same domain.ErrNotFound, so a link's
// existence cannot be probed.
func (m *Manager) RespondentByToken(ctx context.Context, token string, now time.Time) (*Respondent, error) {
	out, r, err := m.respondent(ctx, token, now, m.Store.RespondentByTokenHashLean)
	if err != nil {
		return nil, err
	}
	out.Return, out.years = r.Return, r.CarriedYears
	return out, m.loadCarried(ctx, out)
}

// respondent is RespondentByToken's reading: the token's hash, the link's
// context as read reads it, then respondentOf.
func (m *Manager) respondent(ctx context.Context, token string, now time.Time,
	read func(context.Context, []byte) (store.Respondent, error)) (*Respondent, store.Respondent, error) {
	hash, err := auth.ParseToken(token)
	if err != nil {
		return nil, store.Respondent{}, domain.ErrNotFound
	}
	r, err := read(ctx, hash)
	if err != nil {
		return nil, r, err
	}
	out, err := m.respondentOf(ctx, r, token, now, nil)
	return out, r, err
}

// respondentOf is what RespondentByToken and RespondentToSave share: the
// Respondent of a link's context r, with the definition from the cache and
// the stored answers decoded — or held, the answers the caller holds, when
// r came without them (store.SaveContextHolding).
func (m *Manager) respondentOf(ctx context.Context, r store.Respondent, token string, now time.Time,
	held survey.Answers) (*Respondent, error) {
	def, err := m.cachedDefinition(ctx, &r.Survey)
	if err != nil {
		return nil, err
	}
	answers := survey.Answers{}
	switch {
	case r.Response.AnswersJSON == nil && held != nil:
		answers = held
	case len(r.Response.AnswersJSON) > 0:
		// As Response.Answers, sharing the definition's strings.
		if answers, err = def.DecodeAnswers(r.Response.AnswersJSON); err != nil {
			return nil, err
		}
	}
	return &Respondent{Survey: r.Survey, Municipality: r.Municipality, Response: r.Response,
		ExtendedUntil: r.ExtendedUntil, Def: def, Answers: answers, State: r.State(now),
		token: token, invitationID: r.Invitation.ID}, nil
}

// loadCarried sets r.Carried from r.Response.
func (m *Manager) loadCarried(ctx context.Context, r *Respondent) error {
	carried, err := r.Response.Carried()
	if err != nil {
		return err
	}
	r.Carried = map[string]CarriedFrom{}
	if r.years == nil {
		r.years = map[string]int{}
	}
	for code, slug := range carried {
		if _, ok := r.years[slug]; !ok {
			sv, err := m.Store.SurveyBySlug(ctx, slug)
			switch {
			case err == nil:
				r.years[slug] = sv.ReferenceYear
			case errors.Is(err, domain.ErrNotFound): // deleted since: the slug says enough
				r.years[slug] = 0
			default:
				return err
			}
		}
		r.Carried[code] = CarriedFrom{Round: slug, Year: r.years[slug]}
	}
	return nil
}

// ConfirmCarried confirms the respondent's carried-over answers to the
// questions codes (a question, or all of a section's), made from version
// base: a colleague's later save is a *domain.ConflictError. The answers
// stay as they are; one revision "confirm" names the source round. Codes
// not (or no longer) carried over are skipped; when none is, nothing is
// written (Saved.Changed is false). r then holds the response.
func (m *Manager) ConfirmCarried(ctx context.Context, r *Respondent, codes []string, base int) (Saved, error) {
	if r.saveOnly {
		return Saved{}, errSaveOnly
	}
	if err := r.Writable(); err != nil {
		return Saved{}, err
	}
	resp, done, err := m.Store.ConfirmCarried(ctx, r.Survey.ID, r.Municipality.Code, base, codes,
		domain.Actor{Kind: domain.ActorInvitation, InvitationID: r.invitationID})
	if err != nil {
		return Saved{}, err
	}
	r.Response = resp
	if err := m.loadCarried(ctx, r); err != nil {
		return Saved{}, err
	}
	return Saved{Response: resp, Changed: len(done) > 0, Answers: r.Answers}, nil
}

// definitions keeps parsed questionnaires by round and the snapshot's
// hash, so a replaced definition is read and parsed again.
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

// cachedDefinition is the parsed questionnaire of a round read without
// its definition (store.RespondentByTokenHashLean): the one cached for
// the round's hash, else read now (sv then holds it, and its hash as read).
func (m *Manager) cachedDefinition(ctx context.Context, sv *domain.Survey) (*survey.Definition, error) {
	if len(sv.Definition) == 0 {
		m.defs.mu.Lock()
		c, ok := m.defs.m[sv.ID]
		m.defs.mu.Unlock()
		if ok && c.sha == sv.DefinitionSHA256 {
			return c.def, nil
		}
		def, sha, err := m.Store.SurveyDefinition(ctx, sv.ID)
		if err != nil {
			return nil, err
		}
		sv.Definition, sv.DefinitionSHA256 = def, sha
	}
	return m.Definition(*sv)
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
	// Response is the response as the change left it.
	Response domain.Response
	// Changed is false when the answers and status were already as asked:
	// nothing was written and the version stayed.
	Changed bool
	// Answers are the answers now stored (canonical).
	Answers survey.Answers
	// Cleared lists answers removed because their question is hidden.
	Cleared []string
	// Merged lists the questions a colleague changed since the version the
	// save was made from; their answers are kept and are in Answers.
	Merged []string
	// Warnings are the cross-field rules the answers break (draft only).
	Warnings map[string]survey.Text
	// Submitted is true when the answers were submitted.
	Submitted bool
	// ReceiptError is why the e-mail receipt of a submit could not be
	// queued (QueueReceipt); the submit stands. It never holds the address
	// or the token.
	ReceiptError error
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
	if !res.OK() && r.kept != nil {
		return m.saveAgain(ctx, r, nil, base, in) // refused from a context read now (the link may be revoked)
	}
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
	if err != nil && r.kept != nil {
		// What was kept of the link's context is no longer so, or the
		// save is refused (a conflict names the answers stored): done
		// again from the context now, as if it had been read, so only a
		// link that still works is refused or told anything.
		var now *store.Respondent
		if stale := (*store.KeptStaleError)(nil); errors.As(err, &stale) {
			now = stale.Now
		}
		return m.saveAgain(ctx, r, now, base, in)
	}
	if err != nil {
		m.countConflict(err)
		return Saved{}, err
	}
	m.keepSaved(r, saved)
	m.keepSavedForm(ctx, r.Survey, r.Def, saved)
	m.Metrics.Saved(len(out.Merged) > 0)
	out.Response, out.Changed, out.Answers = saved.Response, saved.Changed, saved.Answers
	if out.Answers == nil {
		out.Answers, err = saved.Response.Answers()
	}
	return out, err
}

// saveAgain does SaveAnswers again for r, a Respondent from a kept
// context (held.go), from the link's context now (nil: read it), as if it
// had been read in the first place.
func (m *Manager) saveAgain(ctx context.Context, r *Respondent, now *store.Respondent, base int, in survey.Answers) (Saved, error) {
	fresh, err := m.reread(ctx, r, now)
	if err != nil {
		return Saved{}, err
	}
	*r = *fresh
	return m.SaveAnswers(ctx, r, base, in)
}

// SubmitAnswers submits the stored answers, checked in submit mode
// (*InvalidAnswersError lists every problem). Submitting needs the current
// version: a colleague's later save is a *domain.ConflictError, so nobody
// submits answers they have not seen. The submit is confirmed by e-mail
// (QueueReceipt) in lang ("en", or Latvian); when that cannot be queued
// the submit stands and Saved.ReceiptError says why.
func (m *Manager) SubmitAnswers(ctx context.Context, r *Respondent, base int, lang string) (Saved, error) {
	if r.saveOnly {
		return Saved{}, errSaveOnly
	}
	if err := r.Writable(); err != nil {
		return Saved{}, err
	}
	if base != r.Response.Version {
		m.Metrics.Conflict()
		return Saved{}, &domain.ConflictError{Current: r.Response.Version}
	}
	res := r.Def.Validate(r.Answers, survey.Submit)
	unconfirmed := r.unconfirmed(res.Answers)
	if !res.OK() || len(unconfirmed) > 0 {
		errs := map[string]survey.Text{}
		maps.Copy(errs, unconfirmed)
		maps.Copy(errs, res.Errors)
		return Saved{}, &InvalidAnswersError{Errors: errs, Submit: true}
	}
	saved, err := m.Store.Apply(ctx, r.change(base, res.Answers, true))
	if err != nil {
		m.countConflict(err)
		return Saved{}, err
	}
	m.Metrics.Submitted()
	m.keepSavedForm(ctx, r.Survey, r.Def, saved)
	out := Saved{Response: saved.Response, Changed: saved.Changed, Answers: res.Answers, Submitted: true}
	_, out.ReceiptError = m.QueueReceipt(ctx, Receipt{Survey: r.Survey, Definition: r.Def, Response: saved.Response,
		Lang: lang, Token: r.token})
	return out, nil
}

// unconfirmed says, for each carried-over answer not yet confirmed that
// the answers a keep, that it must be confirmed or changed before submit.
func (r *Respondent) unconfirmed(a survey.Answers) map[string]survey.Text {
	out := map[string]survey.Text{}
	for code, from := range r.Carried {
		if _, ok := a[code]; !ok {
			continue
		}
		out[code] = survey.Text{
			LV: wording.T(wording.LV, "respond.carried.unconfirmed", "year", from.Year),
			EN: wording.T(wording.EN, "respond.carried.unconfirmed", "year", from.Year)}
	}
	return out
}

// FormPost is what the questionnaire posts without JavaScript.
type FormPost struct {
	// Base is the version the page was made from.
	Base int
	// Answers are the answers as posted (the whole set).
	Answers survey.Answers
	// Theirs are the questions for which, after a conflict, the
	// respondent chose the answer stored now over what the page holds.
	Theirs []string
	// Submit asks to submit the answers once saved.
	Submit bool
}

// SaveForm saves what the form without JavaScript posted, as SaveAnswers
// does, and when asked submits it as SubmitAnswers does. The questions in
// Theirs take the answers stored now. When the save merged a colleague's
// changes the answers are not submitted (Saved.Submitted is false): the
// respondent looks at them first. After a save r holds the saved response
// and answers; answers the save kept that cannot be submitted are an
// *InvalidAnswersError with Submit set, returned with what was saved.
func (m *Manager) SaveForm(ctx context.Context, r *Respondent, post FormPost, lang string) (Saved, error) {
	if r.saveOnly {
		return Saved{}, errSaveOnly
	}
	in := survey.Answers{}
	for k, v := range post.Answers {
		in[k] = v
	}
	for _, code := range post.Theirs {
		if q := r.Def.Question(code); q != nil {
			for _, k := range []string{q.Code, q.OtherKey()} {
				if v, ok := r.Answers[k]; ok {
					in[k] = v
				} else {
					delete(in, k)
				}
			}
		}
	}
	saved, err := m.SaveAnswers(ctx, r, post.Base, in)
	if err != nil || !post.Submit || len(saved.Merged) > 0 {
		return saved, err
	}
	r.Response, r.Answers = saved.Response, saved.Answers
	if err := m.loadCarried(ctx, r); err != nil { // the save confirmed what it changed
		return saved, err
	}
	submitted, err := m.SubmitAnswers(ctx, r, saved.Response.Version, lang)
	if err != nil {
		return saved, err
	}
	submitted.Cleared, submitted.Warnings = saved.Cleared, saved.Warnings
	return submitted, nil
}

func (r *Respondent) change(base int, answers survey.Answers, submit bool) store.Change {
	return store.Change{
		SurveyID:         r.Survey.ID,
		Municipality:     r.Municipality.Code,
		DefinitionSHA256: r.Survey.DefinitionSHA256,
		BaseVersion:      base,
		Answers:          answers,
		Submit:           submit,
		Actor:            domain.Actor{Kind: domain.ActorInvitation, InvitationID: r.invitationID},
		// What the respondent's request read: the store writes on the
		// condition that it is still so, without reading it again.
		Seen: &store.Seen{Response: r.Response, Answers: r.Answers, Kept: r.kept},
	}
}

// countConflict counts err when it is a colleague's change (409).
func (m *Manager) countConflict(err error) {
	if errors.Is(err, domain.ErrConflict) { // a *MergeConflictError too
		m.Metrics.Conflict()
	}
}

// RecordLinkUse notes that the link was used.
func (m *Manager) RecordLinkUse(ctx context.Context, r *Respondent) error {
	return m.Store.TouchInvitation(ctx, r.invitationID)
}
