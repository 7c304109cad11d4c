package manage

import (
	"context"
	"errors"
	"fmt"
	"net/mail"
	"time"

	"github.com/civitas-lv/surveyd/internal/domain"
	outmail "github.com/civitas-lv/surveyd/internal/mail"
	"github.com/civitas-lv/surveyd/internal/store"
	"github.com/civitas-lv/surveyd/internal/wording"
)

// ErrNoMail is returned when e-mail is asked for but SMTP is not configured.
var ErrNoMail = errors.New("e-mail is not configured (SMTP_URL)")

// ErrNobodyToInvite: every active municipality with contacts has been sent
// an invitation already (QueueMessages' uninvited).
var ErrNobodyToInvite = errors.New("every municipality with contacts has been sent an invitation")

// maxAttempts is how often a temporarily failing message is tried.
const maxAttempts = 3

// Queued says what QueueMessages did.
type Queued struct {
	Messages int
	// Municipalities that got none, by reason (SkipReasons): "no_contacts",
	// "submitted", "link" (their link cannot be shown and is in use),
	// "pending" (a message of the kind is still queued or being sent).
	Skipped map[string][]string
}

// SkipReasons are the keys of Queued.Skipped, in the order to show them.
var SkipReasons = []string{"no_contacts", "submitted", "link", "pending"}

// QueueMessages records invitations or reminders for the listed
// municipalities (every active one when codes is empty), one message per
// contact, and wakes the delivery loop (RunOutbox). Reminders go only to
// municipalities that have not submitted; a municipality whose message of
// the kind is still waiting or being sent gets no second one. Links are
// issued where missing. Nothing is sent here: see Deliver.
//
// With uninvited (invitations only, and codes empty) the municipalities
// are those not yet sent an invitation that have contacts:
// ErrNobodyToInvite when there are none. For coordinators
// (domain.AccessCoordinate); the messages record the acting user.
func (m *Manager) QueueMessages(ctx context.Context, p domain.Principal, sv domain.Survey, kind string, codes []string, uninvited bool) (Queued, error) {
	out := Queued{Skipped: map[string][]string{}}
	if err := p.Require(domain.AccessCoordinate); err != nil {
		return out, err
	}
	if kind != domain.MessageInvitation && kind != domain.MessageReminder {
		return out, fmt.Errorf("unknown message kind %q", kind)
	}
	rows, err := m.Store.Tracker(ctx, sv.ID)
	if err != nil {
		return out, err
	}
	contacts, err := m.Store.Contacts(ctx)
	if err != nil {
		return out, err
	}
	if uninvited && kind == domain.MessageInvitation && len(codes) == 0 {
		for _, r := range rows {
			if r.Active && r.InvitationsSent == 0 && len(contacts[r.Code]) > 0 {
				codes = append(codes, r.Code)
			}
		}
		if len(codes) == 0 {
			return out, ErrNobodyToInvite
		}
	}
	if m.Mail == nil {
		return out, ErrNoMail
	}
	pendingList, err := m.Store.PendingMessages(ctx, sv.ID, kind)
	if err != nil {
		return out, err
	}
	pending := map[string]bool{}
	for _, c := range pendingList {
		pending[c] = true
	}
	want := map[string]bool{}
	for _, c := range codes {
		want[c] = true
	}
	var list []store.NewMessage
	for _, r := range rows {
		if len(codes) > 0 && !want[r.Code] || len(codes) == 0 && !r.Active {
			continue
		}
		delete(want, r.Code)
		switch {
		case kind == domain.MessageReminder && trackStatus(r) == TrackSubmitted:
			out.Skipped["submitted"] = append(out.Skipped["submitted"], r.Code)
			continue
		case len(contacts[r.Code]) == 0:
			out.Skipped["no_contacts"] = append(out.Skipped["no_contacts"], r.Code)
			continue
		case pending[r.Code]:
			out.Skipped["pending"] = append(out.Skipped["pending"], r.Code)
			continue
		}
		_, inv, err := m.ensureLink(ctx, sv.ID, r.Code)
		if errors.Is(err, ErrLinkNotShowable) {
			out.Skipped["link"] = append(out.Skipped["link"], r.Code)
			continue
		}
		if err != nil {
			return out, err
		}
		for _, c := range contacts[r.Code] {
			list = append(list, store.NewMessage{SurveyID: sv.ID, Municipality: r.Code, Kind: kind,
				Recipient: c.Email, InvitationID: inv.ID, UserID: recordedUserID(p), Lang: contactLang(c)})
		}
	}
	for c := range want {
		return out, fmt.Errorf("unknown municipality %q: %w", c, domain.ErrNotFound)
	}
	queued, err := m.queueMessages(ctx, list)
	out.Messages = len(queued)
	if err == nil && len(queued) > 0 {
		m.wakeOutbox()
		err = m.audit(ctx, p, domain.AuditMailQueue, sv.ID, soleOf(queued), map[string]any{"kind": kind, "queued": len(queued)})
	}
	return out, err
}

// Delivered counts the outcome of Deliver.
type Delivered struct {
	Sent, Failed, Retry int
	// Requeued counts stale claims put back in the queue.
	Requeued int
}

// Deliver sends queued messages (of one round, or all when surveyID is 0)
// one by one until none is left or ctx ends. Each message is claimed in a
// statement of its own, sent outside any transaction, and its outcome
// recorded at once in another, so a sender stopped at any point leaves
// every message it sent recorded as sent, except at most the one whose
// outcome it was about to record (see RunOutbox for the at-least-once
// window). Claims older than ClaimTimeout (their sender died) go back to
// the queue first. A permanent refusal (5xx) fails the message; a
// temporary one is tried again by a later run, up to maxAttempts times.
// When ctx ends, the message being sent gets StopGrace to finish.
// queueMessages queues list (store.QueueMessages) and counts the messages
// queued by kind.
func (m *Manager) queueMessages(ctx context.Context, list []store.NewMessage) ([]domain.Message, error) {
	queued, err := m.Store.QueueMessages(ctx, list)
	for _, q := range queued {
		m.Metrics.Mail("queued", q.Kind, 1)
	}
	return queued, err
}

func (m *Manager) Deliver(ctx context.Context, surveyID int64) (Delivered, error) {
	var d Delivered
	if m.Mail == nil {
		return d, nil
	}
	var err error
	if d.Requeued, err = m.Store.RequeueStaleMessages(ctx, ClaimTimeout); err != nil {
		return d, err
	}
	munis := map[string]domain.Municipality{}
	list, err := m.Store.Municipalities(ctx)
	if err != nil {
		return d, err
	}
	for _, mu := range list {
		munis[mu.Code] = mu
	}
	surveys := map[int64]domain.Survey{}
	owner := newClaimOwner()
	retried := []int64{} // tried in this run already: left for the next
	for ctx.Err() == nil {
		// The claim and the record run to their end even when ctx ends
		// meanwhile: a claim made must be used, an outcome known must be
		// written.
		dbctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), recordTimeout)
		msg, err := m.Store.ClaimMessage(dbctx, surveyID, retried, owner)
		cancel()
		if errors.Is(err, domain.ErrNotFound) {
			return d, nil
		}
		if err != nil {
			return d, err
		}
		sctx, stop := sendContext(ctx)
		o := m.deliverOne(sctx, msg, munis, surveys)
		stop()
		dbctx, cancel = context.WithTimeout(context.WithoutCancel(ctx), recordTimeout)
		ok, err := m.Store.FinishMessage(dbctx, msg.ID, owner, o)
		cancel()
		if err != nil {
			return d, err // the claim stays and goes back to the queue when stale
		}
		if !ok {
			continue // the claim went stale and was taken back meanwhile
		}
		switch o.Status {
		case domain.MessageSent:
			d.Sent++
			m.Metrics.Mail("sent", msg.Kind, 1)
		case domain.MessageFailed:
			d.Failed++
			m.Metrics.Mail("failed", msg.Kind, 1)
		default:
			d.Retry++
			m.Metrics.Mail("retry", msg.Kind, 1)
			retried = append(retried, msg.ID)
		}
	}
	return d, nil
}

func (m *Manager) deliverOne(ctx context.Context, msg domain.Message, munis map[string]domain.Municipality,
	surveys map[int64]domain.Survey) store.Outcome {
	sv, ok := surveys[msg.SurveyID]
	if !ok {
		var err error
		if sv, err = m.Store.SurveyByID(ctx, msg.SurveyID); err != nil {
			return store.Outcome{Status: domain.MessageQueued, Error: err.Error()}
		}
		surveys[msg.SurveyID] = sv
	}
	switch msg.Kind {
	case domain.MessageReceipt:
		return m.deliverReceipt(ctx, msg, sv, munis[msg.MunicipalityCode])
	case domain.MessageFeedback:
		return m.deliverFeedback(ctx, msg, sv, munis[msg.MunicipalityCode])
	}
	link, inv, err := m.linkOf(ctx, msg.SurveyID, msg.MunicipalityCode)
	if err != nil || msg.InvitationID == nil || inv.ID != *msg.InvitationID {
		// The link was rotated or revoked after queuing: sending the old
		// one would send a dead link.
		return store.Outcome{Status: domain.MessageFailed, Error: "the link changed before sending; send again"}
	}
	deadline, err := m.deadlineOf(ctx, sv, msg.MunicipalityCode)
	if err != nil {
		return store.Outcome{Status: domain.MessageQueued, Error: err.Error()}
	}
	l := mailLang(msg)
	text := composeText(msg.Kind, l, sv, munis[msg.MunicipalityCode], link, deadline)
	err = m.Mail.Send(ctx, outmail.Message{
		To:      []mail.Address{{Address: msg.Recipient}},
		Subject: subject(msg.Kind, l, sv, munis[msg.MunicipalityCode]),
		Text:    text,
		Headers: map[string]string{"Auto-Submitted": "auto-generated"},
	})
	return outcomeOf(msg, err)
}

// outcomeOf is the outcome of an attempt to send msg: sent, failed for
// good (a permanent refusal, or the last attempt), or to try again.
func outcomeOf(msg domain.Message, err error) store.Outcome {
	switch {
	case err == nil:
		return store.Outcome{Status: domain.MessageSent}
	case outmail.IsPermanent(err) || msg.Attempts+1 >= maxAttempts:
		return store.Outcome{Status: domain.MessageFailed, Error: err.Error()}
	}
	return store.Outcome{Status: domain.MessageQueued, Error: err.Error()}
}

func (m *Manager) tz() *time.Location {
	if m.TimeZone == nil {
		return time.UTC
	}
	return m.TimeZone
}

// subject names the round and the municipality, in the language l.
func subject(kind string, l wording.Lang, sv domain.Survey, mu domain.Municipality) string {
	key := "mail.invitation.subject"
	if kind == domain.MessageReminder {
		key = "mail.reminder.subject"
	}
	return wording.T(l, key, "survey", surveyTitle(l, sv), "municipality", municipalityName(l, mu))
}

// composeText writes an invitation or a reminder in the language l: who
// it is for, the deadline and the personal link.
func composeText(kind string, l wording.Lang, sv domain.Survey, mu domain.Municipality, link string, deadline time.Time) string {
	key := "mail.invitation.text"
	if kind == domain.MessageReminder {
		key = "mail.reminder.text"
	}
	return wording.T(l, key, "survey", surveyTitle(l, sv), "municipality", municipalityName(l, mu),
		"date", mailDate(l, deadline), "time", deadline.Format("15:04"), "link", link)
}

// mailLang is the language a message is written in: its own (the
// contact's or the respondent's), Latvian when it has none.
func mailLang(msg domain.Message) wording.Lang {
	if msg.Lang != nil && *msg.Lang == string(wording.EN) {
		return wording.EN
	}
	return wording.LV
}

// surveyTitle and municipalityName are the round's title and the
// municipality's name in l (the Latvian ones when there is no English).
func surveyTitle(l wording.Lang, sv domain.Survey) string {
	if l == wording.EN {
		return orLV(sv.TitleEN, sv.TitleLV)
	}
	return sv.TitleLV
}

func municipalityName(l wording.Lang, mu domain.Municipality) string {
	if l == wording.EN {
		return orLV(mu.NameEN, mu.NameLV)
	}
	return mu.NameLV
}

// mailDate writes a day in e-mail: "15.12.2026." in Latvian, "15 December
// 2026" in English.
func mailDate(l wording.Lang, t time.Time) string {
	if l == wording.EN {
		return t.Format("2 January 2006")
	}
	return t.Format("02.01.2006.")
}

// deadlineOf is the municipality's deadline in the round (its extension,
// if any), in the time zone of e-mail.
func (m *Manager) deadlineOf(ctx context.Context, sv domain.Survey, municipality string) (time.Time, error) {
	ext, err := m.Store.Extensions(ctx, sv.ID)
	if err != nil {
		return time.Time{}, err
	}
	var until *time.Time
	if e, ok := ext[municipality]; ok {
		until = &e.ClosesAt
	}
	return sv.Deadline(until).In(m.tz()), nil
}
