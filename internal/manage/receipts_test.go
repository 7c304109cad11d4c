package manage_test

import (
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/civitas-lv/surveyd/internal/domain"
	outmail "github.com/civitas-lv/surveyd/internal/mail"
	"github.com/civitas-lv/surveyd/internal/mail/mailtest"
	"github.com/civitas-lv/surveyd/internal/manage"
	"github.com/civitas-lv/surveyd/internal/store"
	"github.com/civitas-lv/surveyd/survey"
)

// receiptSetup is an open round with links for riga and cesis, contacts
// for riga, and riga's answers submitted with resp_email set.
func receiptSetup(t *testing.T) (m *manage.Manager, def *survey.Definition, sv domain.Survey, tokens map[string]string, saved store.Saved) {
	t.Helper()
	m, def = setup(t)
	opens := time.Now().Add(-time.Hour)
	sv, _, err := m.EnsureRound(ctx, def, opens, opens.Add(30*24*time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	links, err := m.Invite(ctx, domain.OperatorPrincipal(), sv.Slug, []string{"riga", "cesis"}, false)
	if err != nil {
		t.Fatal(err)
	}
	tokens = map[string]string{}
	for _, l := range links {
		tokens[l.Municipality] = strings.TrimPrefix(l.URL, "https://aptauja.example.lv/prefix/r/")
	}
	if err := m.Store.ReplaceContacts(ctx, "riga", []domain.Contact{{Email: "kontakts@riga.lv"}}); err != nil {
		t.Fatal(err)
	}
	saved, err = m.Store.Apply(ctx, store.Change{SurveyID: sv.ID, Municipality: "riga", DefinitionSHA256: sv.DefinitionSHA256,
		Answers: survey.Answers{"resp_name": "Anna Ozola", "resp_email": "anna@riga.lv"}, Submit: true,
		Actor: domain.Actor{Kind: domain.ActorSystem}})
	if err != nil {
		t.Fatal(err)
	}
	return m, def, sv, tokens, saved
}

func withMail(t *testing.T, m *manage.Manager) *mailtest.Server {
	t.Helper()
	srv := mailtest.Start(t)
	set, err := outmail.ParseURL(srv.URL(), "Aptauja <aptauja@example.lv>")
	if err != nil {
		t.Fatal(err)
	}
	m.Mail = outmail.NewSender(set)
	return srv
}

func receipts(t *testing.T, m *manage.Manager, sv domain.Survey) []domain.Message {
	t.Helper()
	list, err := m.Store.MessagesOfSurvey(ctx, sv.ID)
	if err != nil {
		t.Fatal(err)
	}
	var out []domain.Message
	for _, msg := range list {
		if msg.Kind == domain.MessageReceipt {
			out = append(out, msg)
		}
	}
	return out
}

// A submit's receipt goes once, to the address typed in resp_email only,
// with what was submitted when and the link to the printable copy.
func TestReceiptToTheTypedAddress(t *testing.T) {
	t.Parallel()
	m, def, sv, tokens, saved := receiptSetup(t)
	r := manage.Receipt{Survey: sv, Definition: def, Response: saved.Response, Token: tokens["riga"]}

	// Without SMTP nothing is queued.
	if ok, err := m.QueueReceipt(ctx, r); ok || err != nil {
		t.Fatalf("without SMTP: %v %v", ok, err)
	}
	srv := withMail(t, m)
	// Another municipality's link is refused.
	bad := r
	bad.Token = tokens["cesis"]
	if ok, err := m.QueueReceipt(ctx, bad); ok || err == nil {
		t.Fatalf("cesis's link for riga's response: %v %v", ok, err)
	} else if strings.Contains(err.Error(), tokens["cesis"]) || strings.Contains(err.Error(), "anna@riga.lv") {
		t.Fatalf("the error holds the token or the address: %v", err)
	}
	if ok, err := m.QueueReceipt(ctx, r); !ok || err != nil {
		t.Fatalf("queue: %v %v", ok, err)
	}
	if list := receipts(t, m, sv); len(list) != 1 || list[0].Recipient != "anna@riga.lv" || list[0].Status != domain.MessageQueued {
		t.Fatalf("queued %+v", list)
	}
	d, err := m.Deliver(ctx, sv.ID)
	if err != nil || d.Sent != 1 || d.Failed != 0 {
		t.Fatalf("deliver %+v %v", d, err)
	}
	msgs := srv.Messages()
	if len(msgs) != 1 || len(msgs[0].To) != 1 || msgs[0].To[0] != "anna@riga.lv" {
		t.Fatalf("sent %+v", msgs)
	}
	msg := msgs[0]
	link := "https://aptauja.example.lv/prefix/r/" + tokens["riga"] + "/print?copy=submitted"
	at := saved.Response.SubmittedAt.In(time.UTC)
	for _, want := range []string{"Paldies! Anketa „Pašvaldību prakse sabiedrības līdzdalībā 2025“ ir iesniegta.",
		"Pašvaldība: Rīgas valstspilsēta\n", "Iesniegta: " + at.Format("02.01.2006.") + " plkst. " + at.Format("15:04"),
		"Versija: " + strconv.Itoa(saved.Response.Version), "Pārskata gads: 2025", link + "\n", "Līdz "} {
		if !strings.Contains(msg.Text, want) {
			t.Errorf("the receipt lacks %q:\n%s", want, msg.Text)
		}
	}
	if msg.Subject != "Atbildes iesniegtas: Pašvaldību prakse sabiedrības līdzdalībā 2025 — Rīgas valstspilsēta" ||
		msg.Header.Get("Auto-Submitted") != "auto-generated" {
		t.Errorf("subject %q, headers %v", msg.Subject, msg.Header)
	}
	if list := receipts(t, m, sv); len(list) != 1 || list[0].Status != domain.MessageSent {
		t.Fatalf("recorded %+v", list)
	}
	// Delivering again sends nothing more.
	if d, err := m.Deliver(ctx, sv.ID); err != nil || d.Sent != 0 || len(srv.Messages()) != 1 {
		t.Fatalf("second delivery %+v %v", d, err)
	}
}

// No address, no receipt: resp_email unanswered, or a definition without
// receipt_email.
func TestReceiptNeedsAnAddress(t *testing.T) {
	t.Parallel()
	m, def, sv, tokens, _ := receiptSetup(t)
	srv := withMail(t, m)
	resp, _ := m.Store.Response(ctx, sv.ID, "riga")
	saved, err := m.Store.Apply(ctx, store.Change{SurveyID: sv.ID, Municipality: "riga", DefinitionSHA256: sv.DefinitionSHA256,
		BaseVersion: resp.Version, Answers: survey.Answers{"resp_name": "Anna Ozola"}, Submit: true,
		Actor: domain.Actor{Kind: domain.ActorSystem}})
	if err != nil {
		t.Fatal(err)
	}
	r := manage.Receipt{Survey: sv, Definition: def, Response: saved.Response, Token: tokens["riga"]}
	if ok, err := m.QueueReceipt(ctx, r); ok || err != nil {
		t.Fatalf("no address: %v %v", ok, err)
	}
	noReceipt, err := survey.Parse([]byte(strings.Replace(string(def.JSON()), `,"receipt_email":"resp_email"`, "", 1)), "")
	if err != nil || noReceipt.ReceiptEmail != "" {
		t.Fatalf("definition without receipt_email: %v", err)
	}
	r.Definition = noReceipt
	r.Response = resp // has resp_email
	if ok, err := m.QueueReceipt(ctx, r); ok || err != nil {
		t.Fatalf("no receipt question: %v %v", ok, err)
	}
	if d, err := m.Deliver(ctx, sv.ID); err != nil || d.Sent != 0 || len(srv.Messages()) != 0 || len(receipts(t, m, sv)) != 0 {
		t.Fatalf("sent %+v %v", d, err)
	}
	// A draft is not confirmed.
	draft, err := m.Store.Apply(ctx, store.Change{SurveyID: sv.ID, Municipality: "cesis", DefinitionSHA256: sv.DefinitionSHA256,
		Answers: survey.Answers{"resp_email": "ilze@cesis.lv"}, Actor: domain.Actor{Kind: domain.ActorSystem}})
	if err != nil {
		t.Fatal(err)
	}
	if ok, err := m.QueueReceipt(ctx, manage.Receipt{Survey: sv, Definition: def, Response: draft.Response, Token: tokens["cesis"]}); ok || err == nil {
		t.Fatalf("a draft: %v %v", ok, err)
	}
}

// In English when asked; a link replaced after queuing is not sent (the
// receipt says where to find the copy instead).
func TestReceiptInEnglishAndAfterTheLinkChanged(t *testing.T) {
	t.Parallel()
	m, def, sv, tokens, saved := receiptSetup(t)
	srv := withMail(t, m)
	r := manage.Receipt{Survey: sv, Definition: def, Response: saved.Response, Token: tokens["riga"], Lang: "en"}
	if ok, err := m.QueueReceipt(ctx, r); !ok || err != nil {
		t.Fatalf("queue: %v %v", ok, err)
	}
	if _, err := m.Deliver(ctx, sv.ID); err != nil {
		t.Fatal(err)
	}
	msgs := srv.Messages()
	if len(msgs) != 1 || !strings.HasPrefix(msgs[0].Subject, "Answers submitted: Municipal practice in public participation 2025 — ") ||
		!strings.Contains(msgs[0].Text, "has been submitted") ||
		!strings.Contains(msgs[0].Text, "/r/"+tokens["riga"]+"/print?copy=submitted&lang=en\n") {
		t.Fatalf("English receipt: %+v", msgs)
	}
	srv.Reset()
	r.Lang = ""
	if ok, err := m.QueueReceipt(ctx, r); !ok || err != nil {
		t.Fatalf("queue: %v %v", ok, err)
	}
	issued, err := m.Invite(ctx, domain.OperatorPrincipal(), sv.Slug, []string{"riga"}, false) // a new link; the old one stops
	if err != nil || len(issued) != 1 {
		t.Fatal(err)
	}
	newLink := issued[0].URL
	if d, err := m.Deliver(ctx, sv.ID); err != nil || d.Sent != 1 {
		t.Fatalf("deliver %+v %v", d, err)
	}
	msgs = srv.Messages()
	if len(msgs) != 1 || strings.Contains(msgs[0].Text, tokens["riga"]) || strings.Contains(msgs[0].Text, newLink) ||
		!strings.Contains(msgs[0].Text, "var atvērt anketā ar saiti „Drukāt / saglabāt PDF“") {
		t.Fatalf("after rotating: %+v", msgs)
	}
}
