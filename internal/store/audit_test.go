package store_test

import (
	"strings"
	"testing"
	"time"

	"github.com/civitas-lv/surveyd/internal/domain"
	"github.com/civitas-lv/surveyd/internal/store"
	"github.com/civitas-lv/surveyd/internal/store/storetest"
)

// The audit log is append-only in the database itself: UPDATE, DELETE and
// TRUNCATE fail, whoever asks, and the rows stay as they were.
func TestAuditLogAppendOnly(t *testing.T) {
	t.Parallel()
	s := storetest.New(t)
	if err := s.AppendAudit(ctx, store.NewAudit{Action: domain.AuditSignInFailed, ActorKind: domain.AuditActorAnonymous,
		ClientAddr: "192.0.2.1", Detail: map[string]any{"email": "a@x.lv"}}); err != nil {
		t.Fatal(err)
	}
	before := storetest.Fingerprint(t, s)
	for _, q := range []string{
		`UPDATE audit_log SET client_addr = '192.0.2.2'`,
		`UPDATE audit_log SET detail = '{}' WHERE id > 0`,
		`DELETE FROM audit_log`,
		`DELETE FROM audit_log WHERE id > 0`,
		`TRUNCATE audit_log`,
	} {
		_, err := s.DB().ExecContext(ctx, q)
		if err == nil || !strings.Contains(err.Error(), "append-only") {
			t.Errorf("%s: %v, want refused as append-only", q, err)
		}
	}
	if after := storetest.Fingerprint(t, s); after != before {
		t.Errorf("the audit log changed:\n%s\n%s", before, after)
	}
	// Appending still works.
	if err := s.AppendAudit(ctx, store.NewAudit{Action: domain.AuditSignOut, ActorKind: domain.AuditActorAnonymous}); err != nil {
		t.Fatal(err)
	}
	// An action code that is not one is refused.
	if err := s.AppendAudit(ctx, store.NewAudit{Action: "Nav kods", ActorKind: domain.AuditActorAnonymous}); err == nil {
		t.Error("a malformed action code was stored")
	}
}

// The filters of the audit page: each field selects, the dates bound the
// time, Before pages.
func TestAuditLogFilters(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	s := f.s
	uid := int64(7)
	add := func(action, email, muni string, survey bool) {
		t.Helper()
		a := store.NewAudit{Action: action, ActorKind: domain.AuditActorUser, UserEmail: email, Municipality: muni,
			ClientAddr: "192.0.2.9"}
		if email != "" {
			a.UserID = &uid
		}
		if survey {
			a.SurveyID = &f.sv.ID
		}
		if err := s.AppendAudit(ctx, a); err != nil {
			t.Fatal(err)
		}
	}
	add(domain.AuditResponseView, "a@x.lv", "riga", true)
	add(domain.AuditResponseView, "b@x.lv", "cesis", true)
	add(domain.AuditLinkRevoke, "a@x.lv", "riga", true)
	add(domain.AuditUserCreate, "b@x.lv", "", false)
	now := time.Now()
	count := func(name string, fl domain.AuditFilter, want int) []domain.AuditEntry {
		t.Helper()
		rows, err := s.AuditPage(ctx, fl, 100)
		if err != nil {
			t.Fatal(err)
		}
		if len(rows) != want {
			t.Errorf("%s: %d rows, want %d: %+v", name, len(rows), want, rows)
		}
		n := 0
		if err := s.EachAudit(ctx, fl, func(domain.AuditEntry) error { n++; return nil }); err != nil || n != len(rows) && fl.Before == 0 {
			t.Errorf("%s: EachAudit %d rows, %v", name, n, err)
		}
		return rows
	}
	all := count("all", domain.AuditFilter{}, 4)
	if all[0].Action != domain.AuditUserCreate || all[3].SurveySlug != f.sv.Slug || all[0].SurveySlug != "" {
		t.Errorf("not newest first, or the round's slug is not copied: %+v", all)
	}
	count("action", domain.AuditFilter{Action: domain.AuditResponseView}, 2)
	count("user", domain.AuditFilter{UserEmail: "a@x.lv"}, 2)
	count("round", domain.AuditFilter{SurveySlug: f.sv.Slug}, 3)
	count("municipality", domain.AuditFilter{Municipality: "riga"}, 2)
	count("all of them", domain.AuditFilter{Action: domain.AuditLinkRevoke, UserEmail: "a@x.lv", SurveySlug: f.sv.Slug,
		Municipality: "riga"}, 1)
	count("from", domain.AuditFilter{From: now.Add(-time.Hour)}, 4)
	count("from later", domain.AuditFilter{From: now.Add(time.Hour)}, 0)
	count("to", domain.AuditFilter{To: now.Add(-time.Hour)}, 0)
	count("between", domain.AuditFilter{From: now.Add(-time.Hour), To: now.Add(time.Hour)}, 4)
	count("before", domain.AuditFilter{Before: all[1].ID}, 2)
}
