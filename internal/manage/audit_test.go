package manage_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"strings"
	"testing"
	"time"

	"golang.org/x/crypto/bcrypt"

	"github.com/civitas-lv/surveyd/internal/auth"
	"github.com/civitas-lv/surveyd/internal/domain"
	outmail "github.com/civitas-lv/surveyd/internal/mail"
	"github.com/civitas-lv/surveyd/internal/mail/mailtest"
	"github.com/civitas-lv/surveyd/internal/manage"
	"github.com/civitas-lv/surveyd/internal/store"
	"github.com/civitas-lv/surveyd/survey"
)

// auditRowsAfter returns the audit rows with an ID above after, oldest
// first.
func auditRowsAfter(t *testing.T, m *manage.Manager, after int64) []domain.AuditEntry {
	t.Helper()
	all, err := m.Store.AuditPage(ctx, domain.AuditFilter{}, 100000)
	if err != nil {
		t.Fatal(err)
	}
	var out []domain.AuditEntry
	for i := len(all) - 1; i >= 0; i-- {
		if all[i].ID > after {
			out = append(out, all[i])
		}
	}
	return out
}

func lastAuditID(t *testing.T, m *manage.Manager) int64 {
	t.Helper()
	var id int64
	if err := m.Store.DB().GetContext(ctx, &id, `SELECT coalesce(max(id), 0) FROM audit_log`); err != nil {
		t.Fatal(err)
	}
	return id
}

// TestAuditRecordsEachAction does each audited action once, as a user from
// an address of its own, and checks that it appended exactly one row
// with the action, the actor, the round, the municipality and the
// address (and no row for a viewer's review, which shows no personal
// data). Then no row holds an answer, a token, a link, a password or a
// note given along the way.
func TestAuditRecordsEachAction(t *testing.T) {
	t.Parallel()
	f := newAuthzFixture(t)
	m, sv := f.m, f.round
	h, err := auth.NewHasher(bcrypt.MinCost)
	if err != nil {
		t.Fatal(err)
	}
	m.Accounts = manage.AccountSettings{Hasher: h}
	srv := mailtest.Start(t)
	set, err := outmail.ParseURL(srv.URL(), "Aptauja <aptauja@example.lv>")
	if err != nil {
		t.Fatal(err)
	}
	m.Mail = outmail.NewSender(set)
	for code, e := range map[string]string{"riga": "kontakts@riga.lv", "cesis": "kontakts@cesis.lv"} {
		if err := m.Store.ReplaceContacts(ctx, code, []domain.Contact{{Email: e, Name: "Kontaktpersona"}}); err != nil {
			t.Fatal(err)
		}
	}
	// cesis needs a link for its feedback e-mail.
	if _, err := m.Invite(ctx, domain.OperatorPrincipal(), sv.Slug, []string{"cesis"}, false); err != nil {
		t.Fatal(err)
	}
	const password = "Slepenā parole Qx7 zirgs"
	hash, err := h.Hash(password)
	if err != nil {
		t.Fatal(err)
	}
	signer, err := m.Store.CreateUser(ctx, "parakstitajs@survey.test", "Parakstītājs", domain.RoleCoordinator, hash)
	if err != nil {
		t.Fatal(err)
	}

	// The values that must never reach the log.
	secrets := []string{password, "Slepenā Vērtība Zxq", "Anna Bērziņa", "Jānis Ozols", f.token,
		"Pārliecinieties par datiem Wq9", "Labojuma iemesls Pq3", "Otra parole Kj4 zirgs"}
	secret := func(s string) {
		if s == "" {
			t.Fatal("an empty secret")
		}
		secrets = append(secrets, s)
		if i := strings.LastIndex(s, "/"); i >= 0 && i < len(s)-1 {
			secrets = append(secrets, s[i+1:]) // the token of a link
		}
	}
	secret(f.token)
	secret("vards@valmiera.lv") // a contact, then the person searched for, exported and erased

	as := func(u domain.User, from string) domain.Principal {
		p := domain.UserPrincipal(u)
		p.From = from
		return p
	}
	admin := as(f.users[domain.RoleAdmin], "203.0.113.1")
	coord := as(f.users[domain.RoleCoordinator], "203.0.113.2")
	viewer := as(f.users[domain.RoleViewer], "203.0.113.3")
	var session string
	var token string

	type want struct {
		action       string // "": no row
		kind         string // actor kind (default user)
		email        string // the actor's e-mail ("" for none)
		survey       bool
		municipality string
		addr         string
		multi        bool   // rows of other actions come first: the last is this one
		otherRound   string // the row names this round (slug), not the test's
	}
	user := func(p domain.Principal, action string, survey bool, muni string) want {
		return want{action: action, kind: domain.AuditActorUser, email: p.User.Email, survey: survey, municipality: muni, addr: p.From}
	}
	steps := []struct {
		name string
		do   func() error
		want want
	}{
		{"review as viewer", func() error {
			_, err := m.Review(ctx, viewer, sv.Slug, "cesis")
			return err
		}, want{}},
		{"review", func() error {
			_, err := m.Review(ctx, coord, sv.Slug, "cesis")
			return err
		}, user(coord, domain.AuditResponseView, true, "cesis")},
		{"correct", func() error {
			cur, err := m.Store.Response(ctx, sv.ID, "riga")
			if err != nil {
				return err
			}
			_, err = m.Correct(ctx, coord, manage.Correction{Slug: sv.Slug, Municipality: "riga", Question: "resp_name",
				BaseVersion: cur.Version, Answers: survey.Answers{"resp_name": "Slepenā Vērtība Zxq"}, Reason: "Labojuma iemesls Pq3"})
			return err
		}, user(coord, domain.AuditResponseCorrect, true, "riga")},
		{"export with personal data", func() error {
			personal, err := m.Export(ctx, coord, io.Discard, sv, f.def, manage.ExportOptions{})
			if err == nil && !personal {
				err = errors.New("not personal")
			}
			return err
		}, user(coord, domain.AuditExportWorkbook, true, "")},
		{"export without personal data", func() error {
			_, err := m.Export(ctx, viewer, io.Discard, sv, f.def, manage.ExportOptions{})
			return err
		}, user(viewer, domain.AuditExportWorkbook, true, "")},
		{"export by the operator", func() error {
			_, err := m.Export(ctx, domain.OperatorPrincipal(), io.Discard, sv, f.def, manage.ExportOptions{})
			return err
		}, want{action: domain.AuditExportWorkbook, kind: domain.AuditActorOperator, survey: true, addr: "cli"}},
		{"contact list", func() error {
			_, err := m.ContactList(ctx, coord, sv, "lv")
			return err
		}, user(coord, domain.AuditExportContactList, true, "")},
		{"links CSV", func() error {
			rows, err := m.LinkRows(ctx, coord, sv.ID, "lv")
			for _, r := range rows {
				if r.URL != "" {
					secret(r.URL)
				}
			}
			return err
		}, user(coord, domain.AuditExportLinks, true, "")},
		{"links page", func() error {
			_, err := m.LinksPage(ctx, coord, sv, f.def)
			return err
		}, user(coord, domain.AuditLinkShow, true, "")},
		{"issue a link", func() error {
			links, err := m.IssueLinks(ctx, coord, sv.Slug, []string{"ogre"}, false)
			for _, l := range links.Links {
				secret(l.URL)
			}
			return err
		}, user(coord, domain.AuditLinkIssue, true, "ogre")},
		{"rotate a link", func() error {
			inv, err := m.Store.ActiveInvitation(ctx, sv.ID, "ogre")
			if err != nil {
				return err
			}
			u, err := m.ReplaceLink(ctx, coord, sv.ID, "ogre", inv.ID)
			secret(u)
			return err
		}, user(coord, domain.AuditLinkRotate, true, "ogre")},
		{"revoke a link", func() error {
			inv, err := m.Store.ActiveInvitation(ctx, sv.ID, "ogre")
			if err != nil {
				return err
			}
			return m.RevokeLink(ctx, coord, sv.ID, "ogre", inv.ID)
		}, user(coord, domain.AuditLinkRevoke, true, "ogre")},
		{"queue a reminder", func() error {
			q, err := m.QueueMessages(ctx, coord, sv, domain.MessageReminder, []string{"riga"}, false)
			if err == nil && q.Messages != 1 {
				err = errors.New("nothing queued")
			}
			return err
		}, user(coord, domain.AuditMailQueue, true, "riga")},
		{"release feedback", func() error {
			_, err := m.ReleaseFeedback(ctx, coord, sv, []string{"cesis"})
			return err
		}, user(coord, domain.AuditFeedbackRelease, true, "cesis")},
		{"queue the feedback e-mail", func() error {
			q, err := m.QueueFeedbackMail(ctx, coord, sv, []string{"cesis"})
			if err == nil && q.Messages != 1 {
				err = errors.New("nothing queued")
			}
			return err
		}, user(coord, domain.AuditMailQueueFeedback, true, "cesis")},
		{"withdraw feedback", func() error {
			rel, err := m.Store.FeedbackRelease(ctx, sv.ID, "cesis")
			if err != nil {
				return err
			}
			return m.WithdrawFeedback(ctx, coord, sv, "cesis", rel.ReleasedAt)
		}, user(coord, domain.AuditFeedbackWithdraw, true, "cesis")},
		{"return", func() error {
			cur, err := m.Store.Response(ctx, sv.ID, "cesis")
			if err != nil {
				return err
			}
			_, err = m.ReturnResponse(ctx, coord, manage.Return{Slug: sv.Slug, Municipality: "cesis", BaseVersion: cur.Version,
				Note: "Pārliecinieties par datiem Wq9"})
			return err
		}, user(coord, domain.AuditResponseReturn, true, "cesis")},
		{"save contacts", func() error {
			_, err := m.SaveContacts(ctx, coord, "valmiera", []domain.Contact{{Email: "vards@valmiera.lv"}})
			return err
		}, user(coord, domain.AuditContactsSave, false, "valmiera")},
		{"import contacts", func() error {
			plan, err := m.PreviewContactImport(ctx, coord, "k.csv", []byte("Pašvaldība;E-pasts;Vārds\nogre;jauns@ogre.lv;Jauns\n"))
			if err != nil {
				return err
			}
			_, err = m.ApplyContactImport(ctx, coord, plan.Lines, plan.Fingerprint)
			return err
		}, user(coord, domain.AuditContactsImport, false, "")},
		{"add a user", func() error {
			_, link, err := m.AddUser(ctx, admin, "jauns@survey.test", "Jauns", domain.RoleViewer)
			secret(link)
			return err
		}, user(admin, domain.AuditUserCreate, false, "")},
		{"change a role", func() error {
			v := f.users[domain.RoleViewer]
			_, err := m.UpdateUser(ctx, admin, v.ID, v.Name, domain.RoleCoordinator, false)
			return err
		}, user(admin, domain.AuditUserRole, false, "")},
		{"disable a user", func() error {
			v := f.users[domain.RoleViewer]
			_, err := m.UpdateUser(ctx, admin, v.ID, v.Name, domain.RoleCoordinator, true)
			return err
		}, user(admin, domain.AuditUserDisable, false, "")},
		{"enable a user", func() error {
			v := f.users[domain.RoleViewer]
			_, err := m.UpdateUser(ctx, admin, v.ID, v.Name, domain.RoleCoordinator, false)
			return err
		}, user(admin, domain.AuditUserEnable, false, "")},
		{"rename a user", func() error {
			v := f.users[domain.RoleViewer]
			_, err := m.UpdateUser(ctx, admin, v.ID, "Cits vārds", domain.RoleCoordinator, false)
			return err
		}, user(admin, domain.AuditUserUpdate, false, "")},
		{"password link", func() error {
			_, link, err := m.PasswordLink(ctx, admin, f.users[domain.RoleCoordinator].ID)
			secret(link)
			return err
		}, user(admin, domain.AuditUserPasswordLink, false, "")},
		{"create an API token", func() error {
			var err error
			_, token, err = m.CreateAPIToken(ctx, admin, f.users[domain.RoleCoordinator].ID, "Skripts B")
			secret(token)
			return err
		}, user(admin, domain.AuditTokenCreate, false, "")},
		{"review through the API token", func() error {
			p, err := m.TokenPrincipal(ctx, token)
			if err != nil {
				return err
			}
			p.From = "198.51.100.20"
			_, err = m.Review(ctx, p, sv.Slug, "riga")
			return err
		}, want{action: domain.AuditResponseView, kind: domain.AuditActorAPIToken, email: f.users[domain.RoleCoordinator].Email,
			survey: true, municipality: "riga", addr: "198.51.100.20"}},
		{"revoke an API token", func() error { return m.RevokeAPIToken(ctx, admin, f.apiToken.ID) },
			user(admin, domain.AuditTokenRevoke, false, "")},
		{"set a password by link", func() error {
			_, link, err := m.PasswordLink(ctx, domain.OperatorPrincipal(), signer.ID)
			if err != nil {
				return err
			}
			secret(link)
			// The operator's password link is a row of its own, before this step's.
			before := lastAuditID(t, m)
			_, err = m.SetPasswordByLink(ctx, link[strings.LastIndex(link, "/")+1:], password, password, "198.51.100.6")
			if rows := auditRowsAfter(t, m, before); len(rows) != 1 {
				t.Errorf("set by link: %d rows", len(rows))
			}
			return err
		}, want{action: domain.AuditPasswordSet, kind: domain.AuditActorUser, email: signer.Email, addr: "198.51.100.6", multi: true}},
		{"sign-in failed", func() error {
			_, err := m.SignIn(ctx, signer.Email, "nepareiza parole Hh5", "198.51.100.7", time.Now())
			if errors.Is(err, manage.ErrSignInFailed) {
				return nil
			}
			return errors.New("signed in with a wrong password")
		}, want{action: domain.AuditSignInFailed, kind: domain.AuditActorAnonymous, addr: "198.51.100.7"}},
		{"sign in", func() error {
			in, err := m.SignIn(ctx, signer.Email, password, "198.51.100.8", time.Now())
			session = in.Token
			secret(session)
			return err
		}, want{action: domain.AuditSignIn, kind: domain.AuditActorUser, email: signer.Email, addr: "198.51.100.8"}},
		{"change the password", func() error {
			return m.ChangePassword(ctx, as(signer, "198.51.100.9"), manage.PasswordChange{Current: password,
				New: "Otra parole Kj4 zirgs", Repeat: "Otra parole Kj4 zirgs", KeepSession: session})
		}, want{action: domain.AuditPasswordChange, kind: domain.AuditActorUser, email: signer.Email, addr: "198.51.100.9"}},
		{"sign out", func() error { return m.SignOut(ctx, session, "198.51.100.10") },
			want{action: domain.AuditSignOut, kind: domain.AuditActorUser, email: signer.Email, addr: "198.51.100.10"}},
		{"export a round archive", func() error {
			_, err := m.ExportArchive(ctx, admin, sv.Slug, io.Discard, time.Now())
			return err
		}, user(admin, domain.AuditArchiveExport, true, "")},
		{"import a round archive", func() error {
			var buf bytes.Buffer
			if _, _, err := manage.WriteArchive(m, ctx, sv.Slug, &buf, time.Now()); err != nil {
				return err
			}
			_, err := m.ImportArchive(ctx, admin, bytes.NewReader(buf.Bytes()), int64(buf.Len()), "restored-round")
			return err
		}, want{action: domain.AuditArchiveImport, kind: domain.AuditActorUser, email: admin.User.Email, survey: true,
			addr: admin.From, otherRound: "restored-round"}},
		{"set a round's retention", func() error {
			days := 0
			return m.SetRoundRetention(ctx, coord, sv, &days)
		}, user(coord, domain.AuditRetentionSet, true, "")},
		{"the retention job", func() error {
			res, err := m.EraseExpiredPersonal(ctx, time.Now().AddDate(1, 0, 0))
			if err == nil && len(res) == 0 {
				err = errors.New("the job erased nothing")
			}
			return err
		}, want{action: domain.AuditRetentionErase, kind: domain.AuditActorSystem, survey: true, addr: "service"}},
		{"search for a person", func() error {
			_, err := m.FindPerson(ctx, admin, domain.PersonQuery{Email: "vards@valmiera.lv"})
			return err
		}, user(admin, domain.AuditPersonSearch, false, "")},
		{"export a person's data", func() error {
			_, err := m.ExportPerson(ctx, admin, domain.PersonQuery{Email: "vards@valmiera.lv"}, time.Now())
			return err
		}, user(admin, domain.AuditPersonExport, false, "")},
		{"erase a person", func() error {
			_, _, err := m.ErasePerson(ctx, admin, domain.PersonQuery{Email: "vards@valmiera.lv"})
			return err
		}, user(admin, domain.AuditPersonErase, false, "")},
		{"read the audit log", func() error {
			_, err := m.AuditLog(ctx, admin, domain.AuditFilter{Action: domain.AuditSignIn})
			return err
		}, user(admin, domain.AuditLogView, false, "")},
		{"export the audit log", func() error {
			return m.ExportAuditLog(ctx, admin, io.Discard, domain.AuditFilter{}, "lv")
		}, user(admin, domain.AuditLogExport, false, "")},
	}
	seen := map[string]bool{}
	for _, st := range steps {
		before := lastAuditID(t, m)
		if err := st.do(); err != nil {
			t.Fatalf("%s: %v", st.name, err)
		}
		rows := auditRowsAfter(t, m, before)
		w := st.want
		if w.action == "" {
			if len(rows) != 0 {
				t.Errorf("%s: %d rows, want none: %+v", st.name, len(rows), rows)
			}
			continue
		}
		seen[w.action] = true
		if w.multi && len(rows) > 0 {
			rows = rows[len(rows)-1:]
		}
		if len(rows) != 1 {
			t.Errorf("%s: %d rows, want 1: %+v", st.name, len(rows), rows)
			continue
		}
		r := rows[0]
		var gotUser string
		if r.UserID != nil {
			gotUser = r.UserEmail
		}
		if r.Action != w.action || r.ActorKind != w.kind || gotUser != w.email || r.Municipality != w.municipality ||
			r.ClientAddr != w.addr || (r.SurveyID != nil) != w.survey ||
			w.survey && w.otherRound == "" && (*r.SurveyID != sv.ID || r.SurveySlug != sv.Slug) ||
			w.otherRound != "" && (r.SurveyID == nil || *r.SurveyID == sv.ID || r.SurveySlug != w.otherRound) {
			t.Errorf("%s: row %+v (detail %s), want %+v", st.name, r, r.Detail, w)
		}
		if w.kind == domain.AuditActorAPIToken && (r.APITokenID == nil || *r.APITokenID == 0) {
			t.Errorf("%s: no API token in %+v", st.name, r)
		}
		if w.action == domain.AuditSignInFailed && !strings.Contains(string(r.Detail), signer.Email) {
			t.Errorf("%s: the e-mail tried is not in %s", st.name, r.Detail)
		}
		if w.action == domain.AuditExportWorkbook {
			var d struct{ Personal bool }
			if err := json.Unmarshal(r.Detail, &d); err != nil || d.Personal != (st.name == "export with personal data" ||
				st.name == "export by the operator") {
				t.Errorf("%s: detail %s", st.name, r.Detail)
			}
		}
		if w.action == domain.AuditUserRole && !strings.Contains(string(r.Detail), `"from": "viewer"`) {
			t.Errorf("%s: detail %s", st.name, r.Detail)
		}
	}
	for _, a := range domain.AuditActions() {
		if !seen[a] && a != domain.AuditSignInThrottled {
			t.Errorf("action %s is not tried here", a)
		}
	}

	// No secret in any row, whatever the column.
	var texts []string
	if err := m.Store.DB().SelectContext(ctx, &texts, `SELECT row_to_json(a)::text FROM audit_log a`); err != nil {
		t.Fatal(err)
	}
	all := strings.Join(texts, "\n")
	for _, s := range secrets {
		if strings.Contains(all, s) {
			t.Errorf("the audit log holds %q", s)
		}
	}
	// The password's hash neither.
	var hashes []string
	if err := m.Store.DB().SelectContext(ctx, &hashes, `SELECT password_hash FROM users WHERE password_hash IS NOT NULL`); err != nil {
		t.Fatal(err)
	}
	for _, h := range hashes {
		if strings.Contains(all, h) {
			t.Errorf("the audit log holds a password hash")
		}
	}
}

// TestAuditThrottledSignIn: a sign-in the throttle refuses is a row too,
// with the e-mail tried.
func TestAuditThrottledSignIn(t *testing.T) {
	t.Parallel()
	m, u := accountsSetup(t)
	now := time.Now()
	for range 3 {
		if _, err := m.SignIn(ctx, u.Email, "nepareiza", "192.0.2.50", now); !errors.Is(err, manage.ErrSignInFailed) {
			t.Fatal(err)
		}
	}
	before := lastAuditID(t, m)
	var th *manage.ThrottledError
	if _, err := m.SignIn(ctx, u.Email, accountPassword, "192.0.2.50", now); !errors.As(err, &th) {
		t.Fatalf("not throttled: %v", err)
	}
	rows := auditRowsAfter(t, m, before)
	if len(rows) != 1 || rows[0].Action != domain.AuditSignInThrottled || rows[0].ClientAddr != "192.0.2.50" ||
		!strings.Contains(string(rows[0].Detail), u.Email) || strings.Contains(string(rows[0].Detail), accountPassword) {
		t.Fatalf("rows %+v", rows)
	}
}

// TestAuditSignInNotAnAddress: what is typed as the e-mail address of a
// failed sign-in is recorded only when it is an address (a password typed
// in the wrong field is not).
func TestAuditSignInNotAnAddress(t *testing.T) {
	t.Parallel()
	m, _ := accountsSetup(t)
	before := lastAuditID(t, m)
	if _, err := m.SignIn(ctx, "Mana Parole 77", "", "192.0.2.51", time.Now()); !errors.Is(err, manage.ErrSignInFailed) {
		t.Fatal(err)
	}
	rows := auditRowsAfter(t, m, before)
	if len(rows) != 1 || rows[0].Action != domain.AuditSignInFailed || strings.Contains(strings.ToLower(string(rows[0].Detail)), "parole") {
		t.Fatalf("rows %+v", rows)
	}
}

// TestAuditLogPagesAndCSV: the page is newest first and pages by ID; the
// CSV has every row of the filter, its cells safe against formulas.
func TestAuditLogPagesAndCSV(t *testing.T) {
	t.Parallel()
	m, _ := setup(t)
	admin, err := m.Store.CreateUser(ctx, "admins@survey.test", "Admins", domain.RoleAdmin, "")
	if err != nil {
		t.Fatal(err)
	}
	// A cell a spreadsheet would read as a formula (no operation writes
	// one: the store is asked directly).
	if err := m.Store.AppendAudit(ctx, store.NewAudit{Action: domain.AuditUserPasswordLink, ActorKind: domain.AuditActorAnonymous,
		Municipality: "=cmd|' /C calc'!A0", ClientAddr: "@SUM(1+1)"}); err != nil {
		t.Fatal(err)
	}
	p := domain.UserPrincipal(admin)
	p.From = "192.0.2.60"
	for range manage.AuditPageSize + 4 {
		if _, _, err := m.PasswordLink(ctx, p, admin.ID); err != nil {
			t.Fatal(err)
		}
	}
	first, err := m.AuditLog(ctx, p, domain.AuditFilter{Action: domain.AuditUserPasswordLink})
	if err != nil || len(first.Rows) != manage.AuditPageSize || first.Next == 0 || first.Rows[0].ID < first.Rows[1].ID {
		t.Fatalf("first page: %d rows, next %d, %v", len(first.Rows), first.Next, err)
	}
	second, err := m.AuditLog(ctx, p, domain.AuditFilter{Action: domain.AuditUserPasswordLink, Before: first.Next})
	if err != nil || len(second.Rows) != 5 || second.Next != 0 || second.Rows[0].ID >= first.Next {
		t.Fatalf("second page: %d rows, next %d, %v", len(second.Rows), second.Next, err)
	}
	var b bytes.Buffer
	if err := m.ExportAuditLog(ctx, p, &b, domain.AuditFilter{Action: domain.AuditUserPasswordLink}, "en"); err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(b.String()), "\n")
	if len(lines) != 1+manage.AuditPageSize+5 || !strings.HasPrefix(lines[0], "\ufeffID,Time,Action") {
		t.Fatalf("%d lines, first %q", len(lines), lines[0])
	}
	if !strings.Contains(b.String(), "cmd|") || strings.Contains(b.String(), ",=cmd") || strings.Contains(b.String(), "\"=cmd") ||
		strings.Contains(b.String(), ",@SUM") || strings.Contains(b.String(), "\"@SUM") {
		t.Errorf("a formula in the CSV: %s", lines[len(lines)-1])
	}
}
