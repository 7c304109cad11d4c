package store_test

import (
	"testing"
	"time"

	"github.com/civitas-lv/surveyd/internal/store"
)

// A receipt keeps its language, version and time; without them the
// database refuses it, and nothing of the batch is queued.
func TestQueueReceipt(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	at := time.Date(2026, 12, 3, 12, 2, 0, 0, time.UTC)
	got, err := f.s.QueueMessages(ctx, []store.NewMessage{{SurveyID: f.sv.ID, Municipality: "riga", Kind: store.MessageReceipt,
		Recipient: "anna@riga.lv", Lang: "en", ResponseVersion: 7, SubmittedAt: at}})
	if err != nil || len(got) != 1 {
		t.Fatalf("%v %v", got, err)
	}
	m := got[0]
	if m.Kind != store.MessageReceipt || m.Lang == nil || *m.Lang != "en" || m.ResponseVersion == nil || *m.ResponseVersion != 7 ||
		m.SubmittedAt == nil || !m.SubmittedAt.Equal(at) || m.Status != store.MessageQueued {
		t.Fatalf("stored %+v", m)
	}
	// An invitation keeps only its language (the contact's, issue 11), none
	// of the rest.
	inv, err := f.s.QueueMessages(ctx, []store.NewMessage{{SurveyID: f.sv.ID, Municipality: "riga", Kind: store.MessageInvitation,
		Recipient: "kontakts@riga.lv", Lang: "en", ResponseVersion: 7, SubmittedAt: at}})
	if err != nil || inv[0].Lang == nil || *inv[0].Lang != "en" || inv[0].ResponseVersion != nil || inv[0].SubmittedAt != nil {
		t.Fatalf("invitation %+v %v", inv, err)
	}
	_, err = f.s.QueueMessages(ctx, []store.NewMessage{
		{SurveyID: f.sv.ID, Municipality: "cesis", Kind: store.MessageReceipt, Recipient: "a@cesis.lv", Lang: "lv", ResponseVersion: 1, SubmittedAt: at},
		{SurveyID: f.sv.ID, Municipality: "cesis", Kind: store.MessageReceipt, Recipient: "b@cesis.lv", Lang: "de", ResponseVersion: 1, SubmittedAt: at},
	})
	if err == nil {
		t.Fatal("a receipt in an unknown language was queued")
	}
	list, err := f.s.MessagesOfSurvey(ctx, f.sv.ID)
	if err != nil || len(list) != 2 {
		t.Fatalf("%d messages, want 2 (%v)", len(list), err)
	}
}
