package manage_test

import (
	"errors"
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

func TestParseContactsLanguage(t *testing.T) {
	t.Parallel()
	text := "Anna Bērziņa <Anna@riga.lv> (en), b@riga.lv (EN); c@riga.lv\n\"Ozola, Anna\" <d@riga.lv> (lv)\ne@riga.lv (Eva)"
	got, err := manage.ParseContacts(text)
	if err != nil {
		t.Fatal(err)
	}
	want := []domain.Contact{{Email: "anna@riga.lv", Name: "Anna Bērziņa", Lang: "en"}, {Email: "b@riga.lv", Lang: "en"},
		{Email: "c@riga.lv", Lang: "lv"}, {Email: "d@riga.lv", Name: "Ozola, Anna", Lang: "lv"}, {Email: "e@riga.lv", Name: "Eva", Lang: "lv"}}
	if len(got) != len(want) {
		t.Fatalf("%+v", got)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("%d: %+v, want %+v", i, got[i], want[i])
		}
	}
	// The page writes them back as they are read.
	written := manage.ContactsText(got)
	if written != "Anna Bērziņa <anna@riga.lv> (en)\nb@riga.lv (en)\nc@riga.lv\n\"Ozola, Anna\" <d@riga.lv>\nEva <e@riga.lv>" {
		t.Errorf("written: %q", written)
	}
	again, err := manage.ParseContacts(written)
	if err != nil || len(again) != len(got) {
		t.Fatalf("read again: %+v %v", again, err)
	}
	for i := range got {
		if again[i] != got[i] {
			t.Errorf("read again %d: %+v, want %+v", i, again[i], got[i])
		}
	}
	for _, bad := range []string{"(en)", "a@riga.lv, (en)", "Anna (en) <anna@>"} {
		if _, err := manage.ParseContacts(bad); !errors.Is(err, manage.ErrBadEmail) {
			t.Errorf("%q: %v", bad, err)
		}
	}
}

// An English contact gets the invitation and the reminder in English, a
// Latvian one the Latvian text as it always was; the message records the
// language.
func TestInvitationsInTheContactsLanguage(t *testing.T) {
	t.Parallel()
	m, def := setup(t)
	sv, _, err := m.EnsureRound(ctx, def, time.Now().Add(-time.Hour), time.Now().Add(30*24*time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	srv := mailtest.Start(t)
	set, err := outmail.ParseURL(srv.URL(), "Aptauja <aptauja@example.lv>")
	if err != nil {
		t.Fatal(err)
	}
	m.Mail = outmail.NewSender(set)
	list, err := manage.ParseContacts("Anna Bērziņa <anna@riga.lv> (en)\njuris@riga.lv")
	if err != nil {
		t.Fatal(err)
	}
	if err := m.Store.ReplaceContacts(ctx, "riga", list); err != nil {
		t.Fatal(err)
	}
	riga, err := m.Store.Municipality(ctx, "riga")
	if err != nil {
		t.Fatal(err)
	}
	deadline := sv.ClosesAt.In(time.UTC)
	for _, kind := range []string{domain.MessageInvitation, domain.MessageReminder} {
		srv.Reset()
		if q, err := m.QueueMessages(ctx, domain.OperatorPrincipal(), sv, kind, []string{"riga"}, false); err != nil || q.Messages != 2 {
			t.Fatalf("%s: queued %+v %v", kind, q, err)
		}
		if d, err := m.Deliver(ctx, sv.ID); err != nil || d.Sent != 2 {
			t.Fatalf("%s: delivered %+v %v", kind, d, err)
		}
		links, err := m.ShowableLinks(ctx, domain.OperatorPrincipal(), sv.ID)
		if err != nil {
			t.Fatal(err)
		}
		link := links["riga"]
		got := map[string]mailtest.Message{}
		for _, msg := range srv.Messages() {
			got[msg.To[0]] = msg
		}
		lvSubject, lvLead := "Aptauja: ", "Aicinām jūsu pašvaldību atbildēt uz aptauju „"+sv.TitleLV+"”."
		enSubject, enLead := "Survey: ", "We invite your municipality to answer the survey “"+sv.TitleEN+"”."
		if kind == domain.MessageReminder {
			lvSubject, lvLead = "Atgādinājums: ", "Atgādinām, ka pašvaldības atbildes uz aptauju „"+sv.TitleLV+"” vēl nav iesniegtas."
			enSubject, enLead = "Reminder: ", "This is a reminder that your municipality's answers to the survey “"+sv.TitleEN+"” have not been submitted yet."
		}
		lv := got["juris@riga.lv"]
		wantLV := "Labdien!\n\n" + lvLead + "\n\n" +
			"Pašvaldība: " + riga.NameLV + "\n" +
			"Atbildes gaidām līdz " + deadline.Format("02.01.2006.") + " plkst. " + deadline.Format("15:04") + ".\n\n" +
			"Anketas saite (tā ir paredzēta tikai jūsu pašvaldībai; to var nodot kolēģiem, kas palīdz atbildēt):\n" +
			link + "\n\n" +
			"Atbildes saglabājas automātiski, tāpēc anketu var aizpildīt pa daļām un vairāki kolēģi. " +
			"Pēc iesniegšanas atbildes var labot līdz termiņam.\n\n" +
			"Ja ir jautājumi, lūdzu, atbildiet uz šo vēstuli.\n"
		if lv.Subject != lvSubject+sv.TitleLV+" — "+riga.NameLV || lv.Text != wantLV {
			t.Errorf("%s in Latvian:\n%s\n%s\nwant\n%s", kind, lv.Subject, lv.Text, wantLV)
		}
		en := got["anna@riga.lv"]
		if en.Subject != enSubject+sv.TitleEN+" — "+riga.NameEN {
			t.Errorf("%s in English: subject %q", kind, en.Subject)
		}
		for _, part := range []string{"Hello,\n\n" + enLead + "\n\n", "Municipality: " + riga.NameEN + "\n",
			"Please submit your answers by " + deadline.Format("2 January 2006, 15:04") + ".\n", "\n" + link + "\n",
			"If you have any questions, please reply to this message.\n"} {
			if !strings.Contains(en.Text, part) {
				t.Errorf("%s in English lacks %q:\n%s", kind, part, en.Text)
			}
		}
		if strings.Contains(en.Text, "Labdien") || strings.Contains(en.Text, "{") {
			t.Errorf("%s in English:\n%s", kind, en.Text)
		}
	}
	// The feedback mail too.
	if _, err := m.Store.Apply(ctx, store.Change{SurveyID: sv.ID, Municipality: "riga", DefinitionSHA256: sv.DefinitionSHA256,
		Answers: survey.Answers{"resp_name": "A", "population": 600000}, Submit: true,
		Actor: domain.Actor{Kind: domain.ActorSystem}}); err != nil {
		t.Fatal(err)
	}
	if _, err := m.ReleaseFeedback(ctx, domain.OperatorPrincipal(), sv, []string{"riga"}); err != nil {
		t.Fatal(err)
	}
	srv.Reset()
	if q, err := m.QueueFeedbackMail(ctx, domain.OperatorPrincipal(), sv, []string{"riga"}); err != nil || q.Messages != 2 {
		t.Fatalf("feedback: queued %+v %v", q, err)
	}
	if d, err := m.Deliver(ctx, sv.ID); err != nil || d.Sent != 2 {
		t.Fatalf("feedback: delivered %+v %v", d, err)
	}
	for _, msg := range srv.Messages() {
		want, lead := "Aptaujas rezultāti: "+sv.TitleLV+" — "+riga.NameLV, "Labdien!\n\nPaldies, ka jūsu pašvaldība"
		if msg.To[0] == "anna@riga.lv" {
			want, lead = "Survey results: "+sv.TitleEN+" — "+riga.NameEN, "Hello,\n\nThank you for your municipality's answers"
		}
		if msg.Subject != want || !strings.HasPrefix(msg.Text, lead) {
			t.Errorf("feedback to %s: %q\n%s", msg.To[0], msg.Subject, msg.Text)
		}
	}
	msgs, err := m.Store.MessagesOfSurvey(ctx, sv.ID)
	if err != nil || len(msgs) != 6 {
		t.Fatalf("messages %d %v", len(msgs), err)
	}
	for _, msg := range msgs {
		want := "lv"
		if msg.Recipient == "anna@riga.lv" {
			want = "en"
		}
		if msg.Lang == nil || *msg.Lang != want {
			t.Errorf("%s to %s: lang %v, want %s", msg.Kind, msg.Recipient, msg.Lang, want)
		}
	}
}

// A contact's language comes from an import's "Valoda" column; without
// the column a known contact keeps its own; a bad language refuses the
// line.
func TestContactImportLanguage(t *testing.T) {
	t.Parallel()
	m, _ := setup(t)
	if err := m.Store.ReplaceContacts(ctx, "riga", []domain.Contact{{Email: "anna@riga.lv", Name: "Anna"}}); err != nil {
		t.Fatal(err)
	}
	langs := func(code string) map[string]string {
		t.Helper()
		list, err := m.Store.ContactsOf(ctx, code)
		if err != nil {
			t.Fatal(err)
		}
		out := map[string]string{}
		for _, c := range list {
			out[c.Email] = c.Lang
		}
		return out
	}
	apply := func(file string) manage.ContactImport {
		t.Helper()
		plan, err := m.PreviewContactImport(ctx, domain.OperatorPrincipal(), "k.csv", []byte(file))
		if err != nil {
			t.Fatal(err)
		}
		if _, err := m.ApplyContactImport(ctx, domain.OperatorPrincipal(), plan.Lines, plan.Fingerprint); err != nil {
			t.Fatal(err)
		}
		return plan
	}
	plan := apply("Pašvaldība;E-pasts;Vārds;Valoda\n" +
		"riga;anna@riga.lv;Anna;English\n" + // kept, now English
		"riga;juris@riga.lv;Juris;\n" + // added, Latvian
		"cesis;ilze@cesis.lv;;en\n" + // added, English
		"ogre;info@ogre.lv;;vācu\n") // refused
	if len(plan.Refused) != 1 || plan.Refused[0].Reason != manage.RefusedBadLang || plan.Refused[0].Value != "vācu" {
		t.Fatalf("refused %+v", plan.Refused)
	}
	if ch := plan.Changes[1]; ch.Municipality.Code != "riga" || len(ch.Relanged) != 1 || ch.Relanged[0] != (manage.Relanged{Email: "anna@riga.lv", From: "lv", To: "en"}) {
		t.Fatalf("riga's change %+v", plan.Changes)
	}
	if got := langs("riga"); got["anna@riga.lv"] != "en" || got["juris@riga.lv"] != "lv" {
		t.Fatalf("riga %v", got)
	}
	if got := langs("cesis"); got["ilze@cesis.lv"] != "en" {
		t.Fatalf("cesis %v", got)
	}
	// A file without the column changes no language.
	plan = apply("Pašvaldība;E-pasts;Vārds\nriga;anna@riga.lv;Anna Ozola\nriga;juris@riga.lv;Juris\n")
	if got := langs("riga"); got["anna@riga.lv"] != "en" || got["juris@riga.lv"] != "lv" || plan.Changed() != 1 {
		t.Fatalf("without the column: %v, changed %d", got, plan.Changed())
	}
	// Only a language changes: still a change.
	plan = apply("Pašvaldība;E-pasts;Vārds;Language\nriga;anna@riga.lv;;lv\nriga;juris@riga.lv;;\n")
	if got := langs("riga"); got["anna@riga.lv"] != "lv" || plan.Changed() != 1 {
		t.Fatalf("back to Latvian: %v, changed %d", got, plan.Changed())
	}
	// Lines sent back with a language nobody knows are refused.
	if _, err := m.ApplyContactImport(ctx, domain.OperatorPrincipal(), []manage.ContactLine{{Line: 2, Municipality: "riga", Email: "anna@riga.lv", Lang: "de"}},
		plan.Fingerprint); !errors.Is(err, manage.ErrImportInvalid) {
		t.Fatalf("lang de: %v", err)
	}
}
