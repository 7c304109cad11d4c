package manage

import (
	"context"
	"errors"
	"fmt"
	"net/mail"
	"strings"
	"time"

	"github.com/civitas-lv/surveyd/internal/auth"
	"github.com/civitas-lv/surveyd/internal/domain"
	outmail "github.com/civitas-lv/surveyd/internal/mail"
	"github.com/civitas-lv/surveyd/internal/store"
	"github.com/civitas-lv/surveyd/internal/wording"
	"github.com/civitas-lv/surveyd/survey"
)

// Receipt is a submit to confirm to the respondent by e-mail.
type Receipt struct {
	Survey     domain.Survey
	Definition *survey.Definition
	// Response is the response as the submit left it: its municipality,
	// the submitted answers, their version and time.
	Response domain.Response
	// Lang is the respondent's language: "en", or Latvian.
	Lang string
	// Token is the personal link the answers were submitted through. It is
	// not stored: the link in the message is derived again when sending.
	Token string
}

// QueueReceipt records a receipt of a submit, to be sent by Deliver: one
// message to the address typed in the definition's receipt_email question,
// never to the municipality's contacts. Nothing is queued (false, nil)
// without SMTP, when the definition names no receipt question, or when the
// submitted answers have no address there. Errors never hold the address
// or the token.
func (m *Manager) QueueReceipt(ctx context.Context, r Receipt) (bool, error) {
	if m.Mail == nil {
		return false, nil
	}
	resp := r.Response
	if resp.Status != domain.StatusSubmitted || resp.SubmittedJSON == nil || resp.SubmittedVersion == nil || resp.SubmittedAt == nil {
		return false, errors.New("receipt: the response is not submitted")
	}
	answers, err := survey.DecodeAnswers(resp.SubmittedJSON)
	if err != nil {
		return false, fmt.Errorf("receipt: the submitted answers: %w", err)
	}
	addr := r.Definition.ReceiptAddress(answers)
	if addr == "" {
		return false, nil
	}
	hash, err := auth.ParseToken(r.Token)
	if err != nil {
		return false, errors.New("receipt: not a link token")
	}
	inv, err := m.Store.InvitationByTokenHash(ctx, hash)
	if err != nil {
		return false, fmt.Errorf("receipt: the link: %w", err)
	}
	if inv.SurveyID != r.Survey.ID || inv.MunicipalityCode != resp.MunicipalityCode {
		return false, errors.New("receipt: the link is not the response's")
	}
	lang := "lv"
	if r.Lang == "en" {
		lang = "en"
	}
	_, err = m.queueMessages(ctx, []store.NewMessage{{SurveyID: r.Survey.ID, Municipality: resp.MunicipalityCode,
		Kind: domain.MessageReceipt, Recipient: addr, InvitationID: inv.ID, Lang: lang,
		ResponseVersion: *resp.SubmittedVersion, SubmittedAt: *resp.SubmittedAt}})
	if err != nil {
		return false, fmt.Errorf("receipt: %w", err)
	}
	m.wakeOutbox()
	return true, nil
}

// PrintPath is the path, under a personal link, of the printable copy of
// the answers.
const PrintPath = "/print"

// receiptLink is the link to the printable copy of the submitted answers,
// derived again from the link the receipt was queued for; "" when that
// link was replaced or revoked since, or cannot be derived again (the
// message then says where to find the copy instead).
func (m *Manager) receiptLink(ctx context.Context, msg domain.Message) (string, error) {
	link, inv, err := m.linkOf(ctx, msg.SurveyID, msg.MunicipalityCode)
	switch {
	case errors.Is(err, domain.ErrNotFound), errors.Is(err, ErrLinkNotShowable):
		return "", nil
	case err != nil:
		return "", err
	case msg.InvitationID == nil || inv.ID != *msg.InvitationID:
		return "", nil
	}
	link += PrintPath + "?copy=submitted"
	if mailLang(msg) == wording.EN {
		link += "&lang=en"
	}
	return link, nil
}

// receiptSubject names the round and the municipality.
func receiptSubject(l wording.Lang, sv domain.Survey, mu domain.Municipality) string {
	return wording.T(l, "mail.receipt.subject", "survey", surveyTitle(l, sv), "municipality", municipalityName(l, mu))
}

// receiptText says what was submitted when, with the link to the copy and
// until when it can be corrected (deadline nil: the round is over).
func receiptText(l wording.Lang, sv domain.Survey, mu domain.Municipality, version int, at time.Time, link string, deadline *time.Time) string {
	var b strings.Builder
	b.WriteString(wording.T(l, "mail.receipt.head", "survey", surveyTitle(l, sv), "municipality", municipalityName(l, mu),
		"date", mailDate(l, at), "time", at.Format("15:04"), "version", version, "year", sv.ReferenceYear))
	if link != "" {
		b.WriteString(wording.T(l, "mail.receipt.copy", "link", link))
	} else {
		b.WriteString(wording.T(l, "mail.receipt.nocopy"))
	}
	if deadline != nil {
		b.WriteString(wording.T(l, "mail.receipt.deadline", "date", mailDate(l, *deadline), "time", deadline.Format("15:04")))
	}
	b.WriteString(wording.T(l, "mail.receipt.foot"))
	return b.String()
}

func orLV(en, lv string) string {
	if en == "" {
		return lv
	}
	return en
}

// deliverReceipt sends one queued receipt.
func (m *Manager) deliverReceipt(ctx context.Context, msg domain.Message, sv domain.Survey, mu domain.Municipality) store.Outcome {
	if msg.ResponseVersion == nil || msg.SubmittedAt == nil {
		return store.Outcome{Status: domain.MessageFailed, Error: "receipt without its version"}
	}
	link, err := m.receiptLink(ctx, msg)
	if err != nil {
		return store.Outcome{Status: domain.MessageQueued, Error: err.Error()}
	}
	d, err := m.deadlineOf(ctx, sv, msg.MunicipalityCode)
	if err != nil {
		return store.Outcome{Status: domain.MessageQueued, Error: err.Error()}
	}
	var deadline *time.Time
	if d.After(time.Now()) && sv.ClosedAt == nil {
		deadline = &d
	}
	l := mailLang(msg)
	err = m.Mail.Send(ctx, outmail.Message{
		To:      []mail.Address{{Address: msg.Recipient}},
		Subject: receiptSubject(l, sv, mu),
		Text:    receiptText(l, sv, mu, *msg.ResponseVersion, msg.SubmittedAt.In(m.tz()), link, deadline),
		Headers: map[string]string{"Auto-Submitted": "auto-generated"},
	})
	return outcomeOf(msg, err)
}
