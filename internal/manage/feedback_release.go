package manage

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/mail"
	"sort"
	"time"

	"github.com/civitas-lv/surveyd/internal/domain"
	outmail "github.com/civitas-lv/surveyd/internal/mail"
	"github.com/civitas-lv/surveyd/internal/store"
	"github.com/civitas-lv/surveyd/internal/wording"
	"github.com/civitas-lv/surveyd/reports"
	"github.com/civitas-lv/surveyd/survey"
)

// Releasing feedback: a coordinator releases the feedback report of a
// round to municipalities that submitted; from then on each one's own
// personal link shows its results (ResultsPath), also after the round
// closed. The report is not stored: it is built from the submitted answers
// whenever it is opened (Feedback), so corrections — the municipality's
// own and everyone else's — show at once. What a release records is who
// released it when, and the submitted version it was released for: when
// the municipality's submitted answers change after that, the tracker says
// so, and releasing again records the new version (and may be followed by
// a new e-mail). The e-mail with the results link goes only when a
// coordinator asks (QueueFeedbackMail).

// ResultsPath is the path, under a personal link, of the municipality's
// results (its released feedback report).
const ResultsPath = "/results"

// ErrFeedbackChanged is returned when a municipality's feedback release is
// not the one a coordinator confirmed an action for: it was released again
// or withdrawn meanwhile. Nothing was changed.
var ErrFeedbackChanged = errors.New("the feedback release changed since it was shown; nothing was changed")

// Why a municipality was left out of a release or a feedback e-mail (the
// keys of Released.Skipped and Queued.Skipped).
const (
	SkipNotSubmitted = "not_submitted" // release: it has no submitted answers now
	SkipNotReleased  = "not_released"  // e-mail: its feedback is not released
	SkipNoLink       = "no_link"       // e-mail: it has no working link
)

// ReleaseSkipReasons and FeedbackMailSkipReasons are the keys of Skipped,
// in the order to show them.
var (
	ReleaseSkipReasons      = []string{SkipNotSubmitted}
	FeedbackMailSkipReasons = []string{SkipNotReleased, "no_contacts", SkipNoLink, "link", "pending"}
)

// Released says what ReleaseFeedback did.
type Released struct {
	// First lists the municipalities released for the first time, Again
	// those released before (the release now records their latest
	// submitted answers).
	First, Again []string
	Skipped      map[string][]string
}

// ReleaseFeedback releases the round's feedback to the listed
// municipalities (every one that has submitted, when codes is empty). Only
// municipalities whose answers are submitted now are released; the others
// are listed in Skipped. Releasing one again records its submitted version
// now and lifts a withdrawal. Nothing is e-mailed. For coordinators
// (domain.AccessCoordinate); the release records the acting user.
func (m *Manager) ReleaseFeedback(ctx context.Context, p domain.Principal, sv domain.Survey, codes []string) (Released, error) {
	out := Released{Skipped: map[string][]string{}}
	if err := p.Require(domain.AccessCoordinate); err != nil {
		return out, err
	}
	userID := feedbackUserID(p)
	codes, err := m.knownMunicipalities(ctx, codes)
	if err != nil {
		return out, err
	}
	list, err := m.Store.ReleaseFeedback(ctx, sv.ID, codes, userID)
	if err != nil {
		return out, err
	}
	done := map[string]bool{}
	for _, r := range list {
		done[r.Code] = true
		if r.First {
			out.First = append(out.First, r.Code)
		} else {
			out.Again = append(out.Again, r.Code)
		}
	}
	for _, c := range codes {
		if !done[c] {
			out.Skipped[SkipNotSubmitted] = append(out.Skipped[SkipNotSubmitted], c)
		}
	}
	return out, m.audit(ctx, p, domain.AuditFeedbackRelease, sv.ID, soleCode(append(out.First, out.Again...)), map[string]any{"first": out.First, "again": out.Again})
}

// feedbackUserID is the acting user's ID as the feedback records keep it:
// 0 for the operator (no user).
func feedbackUserID(p domain.Principal) int64 {
	if id := p.UserID(); id != nil {
		return *id
	}
	return 0
}

// knownMunicipalities returns codes sorted and without repeats, or an
// error naming one that is not a municipality (domain.ErrNotFound).
func (m *Manager) knownMunicipalities(ctx context.Context, codes []string) ([]string, error) {
	if len(codes) == 0 {
		return nil, nil
	}
	all, err := m.Store.Municipalities(ctx)
	if err != nil {
		return nil, err
	}
	known := map[string]bool{}
	for _, mu := range all {
		known[mu.Code] = true
	}
	seen := map[string]bool{}
	var out []string
	for _, c := range codes {
		if !known[c] {
			return nil, fmt.Errorf("unknown municipality %q: %w", c, domain.ErrNotFound)
		}
		if !seen[c] {
			seen[c] = true
			out = append(out, c)
		}
	}
	sort.Strings(out)
	return out, nil
}

// WithdrawFeedback withdraws the municipality's release made at
// releasedAt (the one the coordinator confirmed): its link shows no
// results again until its feedback is released anew, and feedback e-mails
// still waiting are not sent. Nothing to do when that release was
// withdrawn already; ErrFeedbackChanged when its feedback was released
// again meanwhile, domain.ErrNotFound when it was never released. For
// coordinators (domain.AccessCoordinate); the withdrawal records the
// acting user.
func (m *Manager) WithdrawFeedback(ctx context.Context, p domain.Principal, sv domain.Survey, municipality string, releasedAt time.Time) error {
	if err := p.Require(domain.AccessCoordinate); err != nil {
		return err
	}
	err := m.Store.WithdrawFeedback(ctx, sv.ID, municipality, releasedAt, feedbackUserID(p))
	if err == nil {
		return m.audit(ctx, p, domain.AuditFeedbackWithdraw, sv.ID, municipality, nil)
	}
	if !errors.Is(err, domain.ErrConflict) {
		return err
	}
	f, err := m.Store.FeedbackRelease(ctx, sv.ID, municipality)
	if err != nil {
		return err
	}
	if !f.Released() && f.ReleasedAt.Equal(releasedAt) {
		return nil // withdrawn meanwhile: as asked
	}
	return ErrFeedbackChanged
}

// ResultsReleased reports whether the respondent's own municipality has
// its feedback released now (so that its form can link to its results).
func (m *Manager) ResultsReleased(ctx context.Context, r *Respondent) (bool, error) {
	f, err := m.Store.FeedbackRelease(ctx, r.Survey.ID, r.Municipality.Code)
	if errors.Is(err, domain.ErrNotFound) {
		return false, nil
	}
	return err == nil && f.Released(), err
}

// QueueFeedbackMail records the e-mail with the results link for the
// listed municipalities, one message per contact, and wakes the delivery
// loop; with codes empty, for every municipality whose feedback is
// released and that has not been e-mailed since its latest release. A
// municipality is left out (Queued.Skipped) when its feedback is not
// released, it has no contacts or no working link that can be shown, or a
// feedback message to it still waits. The message is in the contact's
// language when known (contacts have none yet), else Latvian. For
// coordinators (domain.AccessCoordinate); the messages record the acting
// user.
func (m *Manager) QueueFeedbackMail(ctx context.Context, p domain.Principal, sv domain.Survey, codes []string) (Queued, error) {
	out := Queued{Skipped: map[string][]string{}}
	if err := p.Require(domain.AccessCoordinate); err != nil {
		return out, err
	}
	userID := feedbackUserID(p)
	if m.Mail == nil {
		return out, ErrNoMail
	}
	codes, err := m.knownMunicipalities(ctx, codes)
	if err != nil {
		return out, err
	}
	releases, err := m.Store.FeedbackReleases(ctx, sv.ID)
	if err != nil {
		return out, err
	}
	if len(codes) == 0 {
		for code, f := range releases {
			if f.Released() && !f.Mailed() {
				codes = append(codes, code)
			}
		}
		sort.Strings(codes)
	}
	contacts, err := m.Store.Contacts(ctx)
	if err != nil {
		return out, err
	}
	pendingList, err := m.Store.PendingMessages(ctx, sv.ID, domain.MessageFeedback)
	if err != nil {
		return out, err
	}
	pending := map[string]bool{}
	for _, c := range pendingList {
		pending[c] = true
	}
	var list []store.NewMessage
	for _, code := range codes {
		if f, ok := releases[code]; !ok || !f.Released() {
			out.Skipped[SkipNotReleased] = append(out.Skipped[SkipNotReleased], code)
			continue
		}
		if len(contacts[code]) == 0 {
			out.Skipped["no_contacts"] = append(out.Skipped["no_contacts"], code)
			continue
		}
		if pending[code] {
			out.Skipped["pending"] = append(out.Skipped["pending"], code)
			continue
		}
		_, inv, err := m.linkOf(ctx, sv.ID, code)
		switch {
		case errors.Is(err, domain.ErrNotFound):
			out.Skipped[SkipNoLink] = append(out.Skipped[SkipNoLink], code)
			continue
		case errors.Is(err, ErrLinkNotShowable):
			out.Skipped["link"] = append(out.Skipped["link"], code)
			continue
		case err != nil:
			return out, err
		}
		for _, c := range contacts[code] {
			list = append(list, store.NewMessage{SurveyID: sv.ID, Municipality: code, Kind: domain.MessageFeedback,
				Recipient: c.Email, InvitationID: inv.ID, UserID: userID, Lang: contactLang(c)})
		}
	}
	if len(list) == 0 {
		return out, nil
	}
	queued, err := m.Store.QueueFeedbackMessages(ctx, sv.ID, list)
	out.Messages = len(queued)
	m.Metrics.Mail("queued", domain.MessageFeedback, len(queued))
	if err == nil {
		m.wakeOutbox()
		err = m.audit(ctx, p, domain.AuditMailQueueFeedback, sv.ID, soleOf(queued), map[string]any{"queued": len(queued)})
	}
	return out, err
}

// contactLang is the language to write to a contact in: its own, Latvian
// when it has none.
func contactLang(c domain.Contact) string {
	if c.Lang == domain.ContactEN {
		return domain.ContactEN
	}
	return domain.ContactLV
}

// MunicipalityResults is what a municipality's link shows as its results.
type MunicipalityResults struct {
	// Release is its feedback's release; nil when its feedback is not
	// released (never, or withdrawn).
	Release *domain.FeedbackRelease
	// Report is its feedback report, built now from the submitted
	// answers; nil when not released, or when its answers are not
	// submitted now (returned for correction).
	Report *reports.Feedback
}

// OpenResults builds the results the respondent's own municipality may
// see: its feedback report once released, never another municipality's.
// Opening them is recorded (first and last).
func (m *Manager) OpenResults(ctx context.Context, r *Respondent, lang string) (MunicipalityResults, error) {
	var out MunicipalityResults
	f, err := m.Store.FeedbackRelease(ctx, r.Survey.ID, r.Municipality.Code)
	switch {
	case errors.Is(err, domain.ErrNotFound):
		return out, nil
	case err != nil:
		return out, err
	case !f.Released():
		return out, nil
	}
	out.Release = &f
	rep, err := m.feedback(ctx, r.Survey, r.Municipality.Code, lang)
	switch {
	case errors.Is(err, reports.ErrNotInRound):
		return out, nil
	case err != nil:
		return out, err
	}
	out.Report = rep
	return out, m.Store.FeedbackOpened(ctx, r.Survey.ID, r.Municipality.Code)
}

// FeedbackOverview is the feedback of a round, per municipality that has
// submitted or whose feedback was ever released.
type FeedbackOverview struct {
	// Rows are the tracker's rows of those municipalities (with contacts).
	Rows []TrackerRow
	// Submitted counts the municipalities that have submitted; Released
	// those whose feedback is released now; Mailed those of them e-mailed
	// since their latest release; Opened those that opened their results.
	Submitted, Released, Mailed, Opened int
	// ToMail counts the released municipalities with contacts not
	// e-mailed since their latest release (what QueueFeedbackMail with no
	// codes would send to, pending ones aside).
	ToMail int
	// Municipalities are every municipality of the tracker, by code (to
	// name them).
	Municipalities map[string]domain.Municipality
}

// FeedbackOverview reads the round's feedback releases with the tracker
// (with contacts), for coordinators (domain.AccessCoordinate).
func (m *Manager) FeedbackOverview(ctx context.Context, p domain.Principal, sv domain.Survey, def *survey.Definition) (FeedbackOverview, error) {
	o := FeedbackOverview{Municipalities: map[string]domain.Municipality{}}
	if err := p.Require(domain.AccessCoordinate); err != nil {
		return o, err
	}
	t, err := m.tracker(ctx, sv, def, true)
	if err != nil {
		return o, err
	}
	for _, r := range t.Rows {
		o.Municipalities[r.Code] = r.Municipality
		submitted := r.Status == TrackSubmitted
		if !submitted && r.Feedback == nil {
			continue
		}
		o.Rows = append(o.Rows, r)
		if submitted {
			o.Submitted++
		}
		if f := r.Feedback; f != nil && f.Released() {
			o.Released++
			if f.Mailed() {
				o.Mailed++
			} else if len(r.Contacts) > 0 {
				o.ToMail++
			}
			if f.FirstOpenedAt != nil {
				o.Opened++
			}
		}
	}
	return o, nil
}

// deliverFeedback sends one queued feedback message: the results link,
// derived again from the link it was queued with. It fails when the
// feedback was withdrawn or the link changed since.
func (m *Manager) deliverFeedback(ctx context.Context, msg domain.Message, sv domain.Survey, mu domain.Municipality) store.Outcome {
	f, err := m.Store.FeedbackRelease(ctx, msg.SurveyID, msg.MunicipalityCode)
	switch {
	case errors.Is(err, domain.ErrNotFound), err == nil && !f.Released():
		return store.Outcome{Status: domain.MessageFailed, Error: "the feedback was withdrawn before sending"}
	case err != nil:
		return store.Outcome{Status: domain.MessageQueued, Error: err.Error()}
	}
	link, inv, err := m.linkOf(ctx, msg.SurveyID, msg.MunicipalityCode)
	switch {
	case errors.Is(err, domain.ErrNotFound), errors.Is(err, ErrLinkNotShowable),
		err == nil && (msg.InvitationID == nil || inv.ID != *msg.InvitationID):
		return store.Outcome{Status: domain.MessageFailed, Error: "the link changed before sending; send again"}
	case err != nil:
		return store.Outcome{Status: domain.MessageQueued, Error: err.Error()}
	}
	l := mailLang(msg)
	link += ResultsPath
	if l == wording.EN {
		link += "?lang=en"
	}
	err = m.Mail.Send(ctx, outmail.Message{
		To:      []mail.Address{{Address: msg.Recipient}},
		Subject: feedbackSubject(l, sv, mu),
		Text:    feedbackText(l, sv, mu, link),
		Headers: map[string]string{"Auto-Submitted": "auto-generated"},
	})
	return outcomeOf(msg, err)
}

// feedbackSubject names the round and the municipality.
func feedbackSubject(l wording.Lang, sv domain.Survey, mu domain.Municipality) string {
	return wording.T(l, "mail.feedback.subject", "survey", surveyTitle(l, sv), "municipality", municipalityName(l, mu))
}

// feedbackText says the municipality's results are ready, with the link
// to them. It holds nothing but the round, the municipality and the link.
func feedbackText(l wording.Lang, sv domain.Survey, mu domain.Municipality, link string) string {
	return wording.T(l, "mail.feedback.text", "survey", surveyTitle(l, sv), "municipality", municipalityName(l, mu),
		"year", sv.ReferenceYear, "link", link)
}

// FeedbackFiles says what WriteFeedbackFiles wrote.
type FeedbackFiles struct {
	// Written lists the municipalities whose files were written.
	Written []string
	// NotSubmitted lists those asked for that have no submitted answers.
	NotSubmitted []string
}

// WriteFeedbackFiles writes, from one snapshot, the feedback report of
// every municipality that has submitted (only the listed ones, when codes
// is given; an unknown code is domain.ErrNotFound) as a standalone HTML
// document, CODE.html, and an Excel workbook, CODE.xlsx, in lang: write
// is called with each file's name and a function that fills it. It needs
// no release: it is the coordinators' own export (domain.AccessCoordinate).
func (m *Manager) WriteFeedbackFiles(ctx context.Context, p domain.Principal, sv domain.Survey, codes []string, lang string,
	write func(name string, fill func(io.Writer) error) error) (FeedbackFiles, error) {
	var out FeedbackFiles
	if err := p.Require(domain.AccessCoordinate); err != nil {
		return out, err
	}
	codes, err := m.knownMunicipalities(ctx, codes)
	if err != nil {
		return out, err
	}
	done := map[string]bool{}
	err = m.feedbackAll(ctx, sv, codes, lang, func(f *reports.Feedback) error {
		code := f.Municipality.Code
		if err := write(code+".html", func(w io.Writer) error { return reports.WriteFeedbackHTML(w, f, true) }); err != nil {
			return err
		}
		if err := write(code+".xlsx", func(w io.Writer) error { return reports.WriteFeedbackXLSX(w, f) }); err != nil {
			return err
		}
		done[code] = true
		out.Written = append(out.Written, code)
		return nil
	})
	for _, c := range codes {
		if !done[c] {
			out.NotSubmitted = append(out.NotSubmitted, c)
		}
	}
	return out, err
}
