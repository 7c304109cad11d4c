package manage_test

import (
	"context"
	"io"
	"log/slog"
	"net/url"
	"sync"
	"testing"
	"time"

	"github.com/civitas-lv/surveyd/internal/auth"
	"github.com/civitas-lv/surveyd/internal/domain"
	outmail "github.com/civitas-lv/surveyd/internal/mail"
	"github.com/civitas-lv/surveyd/internal/mail/mailtest"
	"github.com/civitas-lv/surveyd/internal/manage"
	"github.com/civitas-lv/surveyd/internal/store"
	"github.com/civitas-lv/surveyd/internal/store/storetest"
	"github.com/civitas-lv/surveyd/survey"
)

// outboxCodes are municipalities that get one contact each in the outbox
// tests: <code>@example.lv.
var outboxCodes = []string{"riga", "cesis", "valmiera", "ogre", "jelgava", "liepaja", "talsi", "bauska", "dobele", "tukums"}

// queueInvitations opens a round, gives each of outboxCodes a contact and
// queues an invitation to each.
func queueInvitations(t *testing.T, m *manage.Manager) domain.Survey {
	t.Helper()
	def, _, err := survey.Builtin("regional-2025")
	if err != nil {
		t.Fatal(err)
	}
	opens := time.Now().Add(-time.Hour)
	sv, _, err := m.EnsureRound(ctx, def, opens, opens.Add(30*24*time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	for _, code := range outboxCodes {
		if err := m.Store.ReplaceContacts(ctx, code, []domain.Contact{{Email: code + "@example.lv"}}); err != nil {
			t.Fatal(err)
		}
	}
	q, err := m.QueueMessages(ctx, domain.OperatorPrincipal(), sv, domain.MessageInvitation, outboxCodes, false)
	if err != nil || q.Messages != len(outboxCodes) {
		t.Fatalf("queued %+v %v", q, err)
	}
	return sv
}

// receivedOnce fails unless every contact of outboxCodes got exactly one
// message.
func receivedOnce(t *testing.T, srv *mailtest.Server) {
	t.Helper()
	got := map[string]int{}
	for _, msg := range srv.Messages() {
		for _, to := range msg.To {
			got[to]++
		}
	}
	for _, code := range outboxCodes {
		if n := got[code+"@example.lv"]; n != 1 {
			t.Errorf("%s@example.lv received %d messages, want 1", code, n)
		}
	}
	if len(got) != len(outboxCodes) {
		t.Errorf("messages went to %v", got)
	}
}

// idleInTransaction counts the connections to the test's database that
// hold a transaction open while doing nothing.
func idleInTransaction(t *testing.T, m *manage.Manager) int {
	t.Helper()
	var n int
	if err := m.Store.DB().GetContext(ctx, &n, `SELECT count(*) FROM pg_stat_activity
WHERE datname = current_database() AND pid <> pg_backend_pid() AND state LIKE 'idle in transaction%'`); err != nil {
		t.Fatal(err)
	}
	return n
}

// The sender is stopped in the middle of a batch while the SMTP server
// hangs on the fifth message. No transaction is open while it waits, the
// four sent are recorded as sent, and after recovery everybody has exactly
// one message: nobody twice, nobody skipped.
func TestDeliverStoppedMidBatchSendsEachOnce(t *testing.T) {
	t.Parallel()
	m, _ := setup(t)
	srv := withMail(t, m)
	sv := queueInvitations(t, m)
	srv.HangAfter(4)
	dctx, cancel := context.WithCancel(ctx)
	done := make(chan struct{})
	go func() {
		defer close(done)
		m.Deliver(dctx, sv.ID) // stopped: its error does not matter
	}()
	deadline := time.Now().Add(10 * time.Second)
	for srv.Hanging() == 0 {
		if time.Now().After(deadline) {
			t.Fatal("the fifth message never reached the server")
		}
		time.Sleep(5 * time.Millisecond)
	}
	if n := idleInTransaction(t, m); n != 0 {
		t.Errorf("%d transactions held open while the SMTP server hangs", n)
	}
	cancel()
	time.Sleep(50 * time.Millisecond)
	srv.Release()
	select {
	case <-done:
	case <-time.After(20 * time.Second):
		t.Fatal("the stopped sender did not return")
	}
	if n := len(srv.Messages()); n < 4 {
		t.Fatalf("%d messages accepted before the stop, want at least 4", n)
	}
	// Recovery: the next run sends what is left.
	if _, err := m.Deliver(ctx, sv.ID); err != nil {
		t.Fatal(err)
	}
	receivedOnce(t, srv)
	list, err := m.Store.MessagesOfSurvey(ctx, sv.ID)
	if err != nil {
		t.Fatal(err)
	}
	for _, msg := range list {
		if msg.Status != domain.MessageSent {
			t.Errorf("message to %s is %s", msg.Recipient, msg.Status)
		}
	}
}

// A sender that died mid-send leaves its claim behind: the message is not
// sent again while the claim is fresh, and is sent once after it goes
// stale (ClaimTimeout); everybody else is sent meanwhile.
func TestDeliverRecoversADeadSendersClaim(t *testing.T) {
	t.Parallel()
	m, _ := setup(t)
	srv := withMail(t, m)
	sv := queueInvitations(t, m)
	dead, err := m.Store.ClaimMessage(ctx, sv.ID, nil, "a sender that died")
	if err != nil {
		t.Fatal(err)
	}
	d, err := m.Deliver(ctx, sv.ID)
	if err != nil || d.Sent != len(outboxCodes)-1 {
		t.Fatalf("first run %+v %v", d, err)
	}
	for _, msg := range srv.Messages() {
		if msg.To[0] == dead.Recipient {
			t.Fatalf("%s got the message claimed by the dead sender", dead.Recipient)
		}
	}
	if _, err := m.Store.DB().ExecContext(ctx, `UPDATE messages SET claimed_at = claimed_at - $1 * interval '1 second' WHERE id = $2`,
		(manage.ClaimTimeout + time.Second).Seconds(), dead.ID); err != nil {
		t.Fatal(err)
	}
	d, err = m.Deliver(ctx, sv.ID)
	if err != nil || d.Sent != 1 || d.Requeued != 1 {
		t.Fatalf("after the claim went stale %+v %v", d, err)
	}
	receivedOnce(t, srv)
	counts, err := messageCounts(m.Store, sv.ID)
	if err != nil || counts[domain.MessageSent] != len(outboxCodes) || len(counts) != 1 {
		t.Fatalf("counts %v %v", counts, err)
	}
}

// Two instances of the service (each its own connection pool) delivering
// the same queue at once never send the same message.
func TestTwoSendersNeverSendTheSameMessage(t *testing.T) {
	t.Parallel()
	dsn := storetest.NewDatabase(t)
	srv := mailtest.Start(t)
	set, err := outmail.ParseURL(srv.URL(), "Aptauja <aptauja@example.lv>")
	if err != nil {
		t.Fatal(err)
	}
	key, err := auth.NewLinkKey([]byte("manage test key of at least 32 bytes"))
	if err != nil {
		t.Fatal(err)
	}
	base, _ := url.Parse("https://aptauja.example.lv/prefix")
	var ms []*manage.Manager
	for i := 0; i < 2; i++ {
		st, err := store.Open(ctx, dsn)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { st.Close() })
		ms = append(ms, &manage.Manager{Store: st, BaseURL: base, Links: key, Mail: outmail.NewSender(set)})
	}
	if _, err := ms[0].LoadMunicipalities(ctx); err != nil {
		t.Fatal(err)
	}
	sv := queueInvitations(t, ms[0])
	var wg sync.WaitGroup
	var sent [2]int
	for i, m := range ms {
		wg.Go(func() {
			d, err := m.Deliver(ctx, sv.ID)
			if err != nil {
				t.Error(err)
			}
			sent[i] = d.Sent
		})
	}
	wg.Wait()
	if sent[0]+sent[1] != len(outboxCodes) {
		t.Errorf("sent %v, want %d in all", sent, len(outboxCodes))
	}
	receivedOnce(t, srv)
}

// RunOutbox sends what is queued as soon as it is queued, and when it is
// stopped it lets the message being sent finish and records it before
// returning.
func TestRunOutboxWakesAndStopsCleanly(t *testing.T) {
	t.Parallel()
	m, _ := setup(t)
	srv := withMail(t, m)
	rctx, stop := context.WithCancel(ctx)
	done := make(chan struct{})
	go func() {
		defer close(done)
		m.RunOutbox(rctx, time.Hour, slog.New(slog.NewTextHandler(io.Discard, nil)))
	}()
	sv := queueInvitations(t, m)
	waitFor(t, "the queued invitations to be sent", func() bool { return len(srv.Messages()) == len(outboxCodes) })

	srv.HangAfter(0)
	q, err := m.QueueMessages(ctx, domain.OperatorPrincipal(), sv, domain.MessageReminder, []string{"riga"}, false)
	if err != nil || q.Messages != 1 {
		t.Fatalf("reminder %+v %v", q, err)
	}
	waitFor(t, "the reminder to reach the server", func() bool { return srv.Hanging() == 1 })
	if counts, _ := messageCounts(m.Store, sv.ID); counts[domain.MessageSending] != 1 {
		t.Fatalf("while sending: %v", counts)
	}
	stop()
	select {
	case <-done:
		t.Fatal("RunOutbox returned with a message still being sent")
	case <-time.After(100 * time.Millisecond):
	}
	srv.Release()
	select {
	case <-done:
	case <-time.After(manage.StopGrace):
		t.Fatal("RunOutbox did not return after the message was sent")
	}
	counts, err := messageCounts(m.Store, sv.ID)
	if err != nil || counts[domain.MessageSent] != len(outboxCodes)+1 || len(counts) != 1 {
		t.Fatalf("after the stop: %v %v", counts, err)
	}
	// A second click while a message of the kind is still waiting queues
	// no second one.
	if _, err := m.QueueMessages(ctx, domain.OperatorPrincipal(), sv, domain.MessageReminder, []string{"riga"}, false); err != nil {
		t.Fatal(err)
	}
	q, err = m.QueueMessages(ctx, domain.OperatorPrincipal(), sv, domain.MessageReminder, []string{"riga", "cesis"}, false)
	if err != nil || q.Messages != 1 || len(q.Skipped["pending"]) != 1 || q.Skipped["pending"][0] != "riga" {
		t.Fatalf("second click %+v %v", q, err)
	}
}

func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("waited 10 s for %s", what)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// messageCounts counts the round's messages by status.
func messageCounts(st *store.Store, surveyID int64) (map[string]int, error) {
	list, err := st.MessagesOfSurvey(ctx, surveyID)
	out := map[string]int{}
	for _, m := range list {
		out[m.Status]++
	}
	return out, err
}
