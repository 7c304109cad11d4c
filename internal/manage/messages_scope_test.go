package manage_test

import (
	"errors"
	"slices"
	"testing"
	"time"

	"github.com/civitas-lv/surveyd/internal/domain"
	outmail "github.com/civitas-lv/surveyd/internal/mail"
	"github.com/civitas-lv/surveyd/internal/mail/mailtest"
	"github.com/civitas-lv/surveyd/internal/manage"
)

// TestQueueInvitationsToUninvited: invitations "to those not invited yet"
// go to the active municipalities with contacts that no invitation has
// reached; when there are none, ErrNobodyToInvite (also without mail).
// Reminders and a named municipality are not narrowed.
func TestQueueInvitationsToUninvited(t *testing.T) {
	t.Parallel()
	m, def := setup(t)
	op := domain.OperatorPrincipal()
	opens := time.Now().Add(-time.Hour)
	sv, _, err := m.EnsureRound(ctx, def, opens, opens.Add(30*24*time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := m.QueueMessages(ctx, op, sv, domain.MessageInvitation, nil, true); !errors.Is(err, manage.ErrNobodyToInvite) {
		t.Fatalf("nobody has contacts, no mail: %v", err)
	}
	srv := mailtest.Start(t)
	set, err := outmail.ParseURL(srv.URL(), "Aptauja <aptauja@example.lv>")
	if err != nil {
		t.Fatal(err)
	}
	m.Mail = outmail.NewSender(set)
	for code, c := range map[string]string{"riga": "a@riga.lv", "cesis": "b@cesis.lv"} {
		if _, err := m.SaveContacts(ctx, op, code, []domain.Contact{{Email: c}}); err != nil {
			t.Fatal(err)
		}
	}
	queuedTo := func() []string {
		t.Helper()
		o, err := m.Messages(ctx, op, sv)
		if err != nil {
			t.Fatal(err)
		}
		var out []string
		for _, msg := range o.Messages {
			if msg.Status == domain.MessageQueued {
				out = append(out, msg.MunicipalityCode)
			}
		}
		slices.Sort(out)
		return out
	}
	q, err := m.QueueMessages(ctx, op, sv, domain.MessageInvitation, nil, true)
	if err != nil || q.Messages != 2 || !slices.Equal(queuedTo(), []string{"cesis", "riga"}) {
		t.Fatalf("first invitations: %+v %v %v", q, err, queuedTo())
	}
	if d, err := m.Deliver(ctx, sv.ID); err != nil || d.Sent != 2 {
		t.Fatalf("deliver %+v %v", d, err)
	}
	if _, err := m.QueueMessages(ctx, op, sv, domain.MessageInvitation, nil, true); !errors.Is(err, manage.ErrNobodyToInvite) {
		t.Fatalf("everyone with contacts invited: %v", err)
	}
	if _, err := m.SaveContacts(ctx, op, "ogre", []domain.Contact{{Email: "c@ogre.lv"}}); err != nil {
		t.Fatal(err)
	}
	if q, err := m.QueueMessages(ctx, op, sv, domain.MessageInvitation, nil, true); err != nil || q.Messages != 1 ||
		!slices.Equal(queuedTo(), []string{"ogre"}) {
		t.Fatalf("the one not invited yet: %+v %v %v", q, err, queuedTo())
	}
	// A named municipality gets its invitation again; reminders go to every
	// one not submitted, invited or not.
	if q, err := m.QueueMessages(ctx, op, sv, domain.MessageInvitation, []string{"riga"}, true); err != nil || q.Messages != 1 {
		t.Fatalf("riga again: %+v %v", q, err)
	}
	if q, err := m.QueueMessages(ctx, op, sv, domain.MessageReminder, nil, true); err != nil || q.Messages != 3 {
		t.Fatalf("reminders: %+v %v", q, err)
	}
}

// TestSaveContacts: a municipality's contacts are checked again when
// saved, and an unknown municipality is domain.ErrNotFound.
func TestSaveContacts(t *testing.T) {
	t.Parallel()
	m, _ := setup(t)
	op := domain.OperatorPrincipal()
	mu, err := m.SaveContacts(ctx, op, "riga", []domain.Contact{{Email: "Anna@Riga.lv", Name: "Anna"}})
	if err != nil || mu.Code != "riga" {
		t.Fatalf("save: %+v %v", mu, err)
	}
	o, err := m.Contacts(ctx, op)
	if err != nil || len(o.Contacts["riga"]) != 1 || o.Contacts["riga"][0].Email != "anna@riga.lv" || len(o.Municipalities) != 43 {
		t.Fatalf("contacts: %+v %v", o.Contacts, err)
	}
	if _, err := m.SaveContacts(ctx, op, "riga", []domain.Contact{{Email: "nav adrese"}}); !errors.Is(err, manage.ErrBadEmail) {
		t.Fatalf("a bad address: %v", err)
	}
	many := make([]domain.Contact, manage.MaxContacts+1)
	for i := range many {
		many[i].Email = "p" + string(rune('a'+i)) + "@riga.lv"
	}
	if _, err := m.SaveContacts(ctx, op, "riga", many); err == nil {
		t.Fatal("too many contacts saved")
	}
	if _, err := m.SaveContacts(ctx, op, "atlantida", nil); !errors.Is(err, domain.ErrNotFound) {
		t.Fatalf("an unknown municipality: %v", err)
	}
	if o, _ := m.Contacts(ctx, op); len(o.Contacts["riga"]) != 1 {
		t.Fatalf("refused saves changed the contacts: %+v", o.Contacts["riga"])
	}
}
