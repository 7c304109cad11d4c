package main

import (
	"context"
	"io"
	"log/slog"
	"testing"
	"time"

	"github.com/civitas-lv/surveyd/internal/config"
	"github.com/civitas-lv/surveyd/internal/domain"
	"github.com/civitas-lv/surveyd/internal/mail/mailtest"
	"github.com/civitas-lv/surveyd/internal/store/storetest"
)

// On shutdown, serve stops the outbox and waits for the message being
// sent before it closes the database: the message is recorded as sent,
// not left claimed to be sent again.
func TestServeWaitsForTheOutboxBeforeClosingTheStore(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	dsn := storetest.NewDatabase(t)
	smtp := mailtest.Start(t)
	env := map[string]string{
		"DATABASE_URL": dsn,
		"BASE_URL":     "https://aptauja.example.lv",
		"LOG_LEVEL":    "warn",
		"LINK_KEY":     "serve test link key of 32 characters or more",
		"LISTEN_ADDR":  "127.0.0.1:0",
		"SMTP_URL":     smtp.URL(),
	}
	if err := runEnv(t, env, "seed", "--opens", "2026-01-01", "--closes", "2099-12-31"); err != nil {
		t.Fatal(err)
	}
	cfg, err := config.Load(func(k string) string { return env[k] })
	if err != nil {
		t.Fatal(err)
	}
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	st, m, err := openManager(ctx, cfg, log, false)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	sv, err := st.SurveyBySlug(ctx, "regional-2025")
	if err != nil {
		t.Fatal(err)
	}
	if err := st.ReplaceContacts(ctx, "riga", []domain.Contact{{Email: "anna@riga.lv"}}); err != nil {
		t.Fatal(err)
	}
	if q, err := m.QueueMessages(ctx, domain.OperatorPrincipal(), sv, domain.MessageInvitation, []string{"riga"}, false); err != nil || q.Messages != 1 {
		t.Fatalf("queue %+v %v", q, err)
	}
	smtp.HangAfter(0)

	sctx, stop := context.WithCancel(ctx)
	served := make(chan error, 1)
	go func() { served <- serve(sctx, cfg, log) }()
	deadline := time.Now().Add(10 * time.Second)
	for smtp.Hanging() == 0 {
		if time.Now().After(deadline) {
			stop()
			t.Fatal("the service did not start sending the queued message")
		}
		time.Sleep(5 * time.Millisecond)
	}
	stop() // as SIGTERM does
	select {
	case err := <-served:
		t.Fatalf("serve returned (%v) with a message still being sent", err)
	case <-time.After(200 * time.Millisecond):
	}
	smtp.Release()
	select {
	case err := <-served:
		if err != nil {
			t.Fatal(err)
		}
	case <-time.After(15 * time.Second):
		t.Fatal("serve did not return after the message was sent")
	}
	list, err := st.MessagesOfSurvey(ctx, sv.ID)
	if err != nil || len(list) != 1 || list[0].Status != domain.MessageSent || len(smtp.Messages()) != 1 {
		t.Fatalf("after shutdown: %+v %v; %d delivered", list, err, len(smtp.Messages()))
	}
}
