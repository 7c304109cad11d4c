package manage_test

import (
	"errors"
	"net/mail"
	"strings"
	"testing"
	"time"

	"github.com/civitas-lv/surveyd/internal/domain"
	outmail "github.com/civitas-lv/surveyd/internal/mail"
	"github.com/civitas-lv/surveyd/internal/mail/mailtest"
	"github.com/civitas-lv/surveyd/internal/manage"
	"github.com/civitas-lv/surveyd/reports"
)

func TestParseContacts(t *testing.T) {
	t.Parallel()
	got, err := manage.ParseContacts("Jānis Bērziņš <Janis@Cesis.lv>\n\n  ilze@cesis.lv ; janis@cesis.lv\n\"Ozola, Anna\" <anna@cesis.lv>")
	if err != nil {
		t.Fatal(err)
	}
	want := []domain.Contact{{Email: "janis@cesis.lv", Name: "Jānis Bērziņš"}, {Email: "ilze@cesis.lv"},
		{Email: "anna@cesis.lv", Name: "Ozola, Anna"}}
	if len(got) != len(want) {
		t.Fatalf("%+v", got)
	}
	for i := range want {
		if got[i].Email != want[i].Email || got[i].Name != want[i].Name {
			t.Fatalf("%d: %+v, want %+v", i, got[i], want[i])
		}
	}
	for _, bad := range []string{"not an address", "a@b.lv\nJānis <janis@>", strings.Repeat("x@y.lv\n", 1) + "=HYPERLINK()"} {
		if _, err := manage.ParseContacts(bad); !errors.Is(err, manage.ErrBadEmail) {
			t.Errorf("%q: %v", bad, err)
		}
	}
	var many []string
	for i := 0; i < 11; i++ {
		many = append(many, "p"+string(rune('a'+i))+"@x.lv")
	}
	if _, err := manage.ParseContacts(strings.Join(many, "\n")); err == nil {
		t.Error("11 contacts accepted")
	}
	if got, err := manage.ParseContacts("  \n "); err != nil || len(got) != 0 {
		t.Errorf("empty: %v %v", got, err)
	}
}

func TestDeliverRetriesAndRefusesDeadLinks(t *testing.T) {
	t.Parallel()
	m, def := setup(t)
	opens := time.Now().Add(-time.Hour)
	sv, _, err := m.EnsureRound(ctx, def, opens, opens.Add(30*24*time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := m.QueueMessages(ctx, domain.OperatorPrincipal(), sv, domain.MessageInvitation, nil, false); !errors.Is(err, manage.ErrNoMail) {
		t.Fatalf("without SMTP: %v", err)
	}
	srv := mailtest.Start(t)
	set, err := outmail.ParseURL(srv.URL(), "Aptauja <aptauja@example.lv>")
	if err != nil {
		t.Fatal(err)
	}
	m.Mail = outmail.NewSender(set)
	for code, c := range map[string]string{"riga": "a@riga.lv", "cesis": "b@cesis.lv", "valmiera": "c@valmiera.lv"} {
		if err := m.Store.ReplaceContacts(ctx, code, []domain.Contact{{Email: c}}); err != nil {
			t.Fatal(err)
		}
	}
	q, err := m.QueueMessages(ctx, domain.OperatorPrincipal(), sv, domain.MessageInvitation, []string{"riga", "cesis", "valmiera"}, false)
	if err != nil || q.Messages != 3 {
		t.Fatalf("queued %+v %v", q, err)
	}
	// Valmiera's link is replaced after queuing: its message must not carry
	// the dead link.
	if _, err := m.Invite(ctx, domain.OperatorPrincipal(), sv.Slug, []string{"valmiera"}, false); err != nil {
		t.Fatal(err)
	}
	srv.FailNext(1) // the first DATA gets a temporary 451
	d, err := m.Deliver(ctx, sv.ID)
	if err != nil || d.Sent != 1 || d.Retry != 1 || d.Failed != 1 {
		t.Fatalf("first run %+v %v", d, err)
	}
	// The next run sends the retried one.
	d, err = m.Deliver(ctx, sv.ID)
	if err != nil || d.Sent != 1 || d.Retry != 0 {
		t.Fatalf("second run %+v %v", d, err)
	}
	got := map[string]bool{}
	for _, msg := range srv.Messages() {
		got[msg.To[0]] = true
		addr, _ := mail.ParseAddress(msg.Header.Get("From"))
		if addr == nil || addr.Address != "aptauja@example.lv" || msg.Header.Get("Auto-Submitted") != "auto-generated" {
			t.Fatalf("headers %v", msg.Header)
		}
	}
	if !got["a@riga.lv"] || !got["b@cesis.lv"] || got["c@valmiera.lv"] {
		t.Fatalf("delivered to %v", got)
	}
	list, _ := m.Store.MessagesOfSurvey(ctx, sv.ID)
	for _, msg := range list {
		if msg.MunicipalityCode == "valmiera" && (msg.Status != domain.MessageFailed || msg.Error == nil) {
			t.Fatalf("valmiera %+v", msg)
		}
	}
}

// A report's passes read one snapshot: a response submitted between them
// changes neither.
func TestResultsReadOneSnapshot(t *testing.T) {
	t.Parallel()
	m, def := setup(t)
	sv, _, err := m.EnsureRound(ctx, def, time.Now().Add(-time.Hour), time.Now().Add(time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := m.Demo(ctx, domain.OperatorPrincipal(), sv.Slug, 3, 1); err != nil {
		t.Fatal(err)
	}
	count := func(src reports.Source) int {
		n := 0
		for r, err := range src() {
			if err != nil {
				t.Fatal(err)
			}
			if r.Status == domain.StatusSubmitted {
				n++
			}
		}
		return n
	}
	err = m.Results(ctx, domain.OperatorPrincipal(), sv, def, "lv", func(src reports.Source, tr manage.Tracker) error {
		first := count(src)
		if _, err := m.Demo(ctx, domain.OperatorPrincipal(), sv.Slug, 2, 2); err != nil { // two more submit meanwhile
			return err
		}
		if second := count(src); second != first || first != 3 || tr.All.Submitted != 3 {
			t.Fatalf("passes saw %d and %d submitted, tracker %d", first, second, tr.All.Submitted)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if tr, _ := m.Tracker(ctx, domain.OperatorPrincipal(), sv, def); tr.All.Submitted != 5 {
		t.Fatalf("after: %d submitted", tr.All.Submitted)
	}
}
