package store_test

import (
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/civitas-lv/surveyd/internal/auth"
	"github.com/civitas-lv/surveyd/internal/store"
	"github.com/civitas-lv/surveyd/survey"
)

// Three senders claiming at once never send the same message twice, and
// no transaction stays open while they send.
func TestClaimMessageEachOnce(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	var list []store.NewMessage
	for i := 0; i < 30; i++ {
		list = append(list, store.NewMessage{SurveyID: f.sv.ID, Municipality: "riga", Kind: store.MessageInvitation,
			Recipient: "a" + string(rune('a'+i%26)) + "@riga.lv"})
	}
	if _, err := f.s.QueueMessages(ctx, list); err != nil {
		t.Fatal(err)
	}
	var mu sync.Mutex
	sent := map[int64]int{}
	var wg sync.WaitGroup
	for w := 0; w < 3; w++ {
		owner := "sender-" + string(rune('a'+w))
		wg.Go(func() {
			for {
				m, err := f.s.ClaimMessage(ctx, 0, nil, owner)
				if errors.Is(err, store.ErrNotFound) {
					return
				}
				if err != nil {
					t.Error(err)
					return
				}
				if m.Status != store.MessageSending || m.ClaimedBy == nil || *m.ClaimedBy != owner || m.ClaimedAt == nil {
					t.Errorf("claimed %+v", m)
				}
				mu.Lock()
				sent[m.ID]++
				mu.Unlock()
				time.Sleep(2 * time.Millisecond) // a slow SMTP server
				if ok, err := f.s.FinishMessage(ctx, m.ID, owner, store.Outcome{Status: store.MessageSent}); err != nil || !ok {
					t.Errorf("finish %d: %v %v", m.ID, ok, err)
				}
			}
		})
	}
	wg.Wait()
	if len(sent) != 30 {
		t.Fatalf("%d messages sent, want 30", len(sent))
	}
	for id, n := range sent {
		if n != 1 {
			t.Fatalf("message %d sent %d times", id, n)
		}
	}
	recorded, err := f.s.MessagesOfSurvey(ctx, f.sv.ID)
	if err != nil || len(recorded) != 30 {
		t.Fatalf("%d messages (%v)", len(recorded), err)
	}
	for _, m := range recorded {
		if m.Status != store.MessageSent || m.Attempts != 1 || m.ClaimedAt != nil || m.ClaimedBy != nil {
			t.Fatalf("after sending: %+v", m)
		}
	}
}

// A claim whose sender died goes back to the queue once it is older than
// the claim timeout, and the dead sender's late outcome changes nothing.
func TestStaleClaimRequeued(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	if _, err := f.s.QueueMessages(ctx, []store.NewMessage{{SurveyID: f.sv.ID, Municipality: "riga",
		Kind: store.MessageInvitation, Recipient: "a@riga.lv"}}); err != nil {
		t.Fatal(err)
	}
	m, err := f.s.ClaimMessage(ctx, f.sv.ID, nil, "dead")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.s.ClaimMessage(ctx, f.sv.ID, nil, "live"); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("a claimed message claimed again: %v", err)
	}
	if n, err := f.s.RequeueStaleMessages(ctx, 5*time.Minute); err != nil || n != 0 {
		t.Fatalf("a fresh claim requeued: %d %v", n, err)
	}
	if _, err := f.s.DB().ExecContext(ctx, `UPDATE messages SET claimed_at = claimed_at - interval '6 minutes'`); err != nil {
		t.Fatal(err)
	}
	if n, err := f.s.RequeueStaleMessages(ctx, 5*time.Minute); err != nil || n != 1 {
		t.Fatalf("stale claim: %d %v", n, err)
	}
	again, err := f.s.ClaimMessage(ctx, f.sv.ID, nil, "live")
	if err != nil || again.ID != m.ID {
		t.Fatalf("reclaim: %+v %v", again, err)
	}
	if ok, err := f.s.FinishMessage(ctx, m.ID, "dead", store.Outcome{Status: store.MessageFailed, Error: "late"}); err != nil || ok {
		t.Fatalf("the dead sender's outcome was recorded: %v %v", ok, err)
	}
	if ok, err := f.s.FinishMessage(ctx, m.ID, "live", store.Outcome{Status: store.MessageSent}); err != nil || !ok {
		t.Fatalf("finish: %v %v", ok, err)
	}
	list, _ := f.s.MessagesOfSurvey(ctx, f.sv.ID)
	if len(list) != 1 || list[0].Status != store.MessageSent || list[0].Attempts != 1 || list[0].Error != nil || list[0].ClaimedAt != nil {
		t.Fatalf("%+v", list)
	}
}

func TestReturnAndCorrectRefuseStaleOrWrongState(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	h, err := auth.NewHasher(4)
	if err != nil {
		t.Fatal(err)
	}
	pw, _ := h.Hash("irrelevant password")
	u, err := f.s.CreateUser(ctx, "coord@example.lv", "", store.RoleCoordinator, pw)
	if err != nil {
		t.Fatal(err)
	}
	saved, err := f.apply(t, 0, `{"population": 100}`, false)
	if err != nil {
		t.Fatal(err)
	}
	// A draft cannot be returned.
	if _, err := f.s.ReturnResponse(ctx, f.sv.ID, "riga", saved.Response.Version, u.ID, "n", nil); !errors.Is(err, store.ErrNotSubmitted) {
		t.Fatalf("return of a draft: %v", err)
	}
	sub, err := f.apply(t, saved.Response.Version, `{"population": 100}`, true)
	if err != nil {
		t.Fatal(err)
	}
	v := sub.Response.Version
	if _, err := f.s.ReturnResponse(ctx, f.sv.ID, "riga", v-1, u.ID, "n", nil); !errors.Is(err, store.ErrConflict) {
		t.Fatalf("stale return: %v", err)
	}
	ret, err := f.s.ReturnResponse(ctx, f.sv.ID, "riga", v, u.ID, "n", map[string]string{"population": "?"})
	if err != nil || ret.Status != store.StatusReturned || ret.ChangedSinceSubmit() {
		t.Fatalf("return: %+v %v", ret, err)
	}
	// Only one open return at a time.
	if _, err := f.s.ReturnResponse(ctx, f.sv.ID, "riga", ret.Version, u.ID, "again", nil); !errors.Is(err, store.ErrNotSubmitted) {
		t.Fatalf("second return: %v", err)
	}
	// A correction from a stale version is refused and changes nothing.
	_, err = f.s.Correct(ctx, store.Correction{SurveyID: f.sv.ID, Municipality: "riga", BaseVersion: v,
		Answers: survey.Answers{"population": "200"}, UserID: u.ID, Reason: "x"})
	if !errors.Is(err, store.ErrConflict) {
		t.Fatalf("stale correction: %v", err)
	}
	// Submitting again resolves the return.
	again, err := f.apply(t, ret.Version, `{"population": 101}`, true)
	if err != nil || again.Response.Status != store.StatusSubmitted {
		t.Fatalf("resubmit %+v %v", again.Response, err)
	}
	list, _ := f.s.Returns(ctx, again.Response.ID)
	if len(list) != 1 || list[0].ResolvedAt == nil || list[0].Comments["population"] != "?" {
		t.Fatalf("returns %+v", list)
	}
}

// Two admins demoting each other at once cannot leave the service without one.
func TestLastAdminUnderConcurrency(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	a, _ := f.s.CreateUser(ctx, "a@example.lv", "", store.RoleAdmin, "")
	b, _ := f.s.CreateUser(ctx, "b@example.lv", "", store.RoleAdmin, "")
	var wg sync.WaitGroup
	errs := make([]error, 2)
	for i, id := range []int64{a.ID, b.ID} {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, errs[i] = f.s.UpdateUser(ctx, id, "", store.RoleViewer, false)
		}()
	}
	wg.Wait()
	if n, _ := f.s.CountAdmins(ctx); n != 1 {
		t.Fatalf("%d admins left (errors %v)", n, errs)
	}
	if !errors.Is(errs[0], store.ErrLastAdmin) && !errors.Is(errs[1], store.ErrLastAdmin) {
		t.Fatalf("neither was refused: %v", errs)
	}
}
