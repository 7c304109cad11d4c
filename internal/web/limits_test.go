package web_test

import (
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
)

// TestStaffValueLimits: what staff type in is bounded — round dates in
// the years 2000–2100, names at most 200 characters, reasons, notes and
// comments at most 2000, no control characters (newlines only where a
// text has lines), passwords of at most 256 bytes without control
// characters. Each refusal is a 422 with the form and a message saying
// what to change, and changes nothing.
func TestStaffValueLimits(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	admin, ck := e.user("admin")
	e.submitFull("riga")
	slug := e.sv.Slug
	refused := func(what string, r result, message string) {
		t.Helper()
		if r.status != http.StatusUnprocessableEntity {
			t.Errorf("%s: status %d, want 422; %.300s", what, r.status, text(r.body))
			return
		}
		if !strings.Contains(r.body, message) {
			t.Errorf("%s: the page does not say %q: %.600s", what, message, text(r.body))
		}
	}
	before := dbFingerprint(t, e)

	// Round dates: the answering window, a new round, an extension.
	for _, d := range [][2]string{{"0001-01-01T00:00", "0001-01-02T00:00"}, {"2026-11-01T09:00", "9999-12-31T23:59"},
		{"1999-12-31T09:00", "2026-12-20T23:59"}, {"2026-11-01T09:00", "2101-01-01T00:00"}} {
		r := e.form(ck, "/surveys/"+slug+"/dates", url.Values{"opens_at": {d[0]}, "closes_at": {d[1]}})
		refused("dates "+d[0]+" – "+d[1], r, "no 2000. līdz 2100. gadam")
		body, ctype := multipartBody(t, map[string]string{"slug": "pilot-x", "opens_at": d[0], "closes_at": d[1]},
			"definition", "pilot.yaml", pilotYAML)
		refused("new round "+d[0]+" – "+d[1], e.as(ck, "POST", "/surveys", body, "Content-Type", ctype), "no 2000. līdz 2100. gadam")
	}
	refused("extension to 9999", e.form(ck, "/surveys/"+slug+"/extensions", url.Values{"municipality": {"cesis"},
		"closes_at": {"9999-12-31T23:59"}}), "no 2000. līdz 2100. gadam")

	// Names: users (added and changed) and API tokens.
	long := strings.Repeat("ā", 201)
	for name, message := range map[string]string{long: "ne vairāk kā 200 rakstzīmes", "Līga\x1b[31m": "vadības rakstzīmes",
		"Līga\nOzola": "vadības rakstzīmes", "Līga \u202eazolO": "vadības rakstzīmes"} {
		label := fmt.Sprintf("%.8q", name)
		refused("user name "+label, e.form(ck, "/admin/users", url.Values{"email": {"liga@example.lv"}, "name": {name},
			"role": {"viewer"}}), message)
		refused("user rename "+label, e.form(ck, "/admin/users/"+itoa(int(admin.ID)), url.Values{"name": {name},
			"role": {"admin"}}), message)
		refused("token name "+label, e.form(ck, "/admin/tokens", url.Values{"name": {name}, "user": {itoa(int(admin.ID))}}), message)
	}

	// Texts: a correction's reason, a return's note and comments.
	resp, _ := e.state("riga")
	v := itoa(resp.Version)
	for reason, message := range map[string]string{strings.Repeat("ā", 2001): "ne vairāk kā 2000 rakstzīmes",
		"Precizēts\x07": "vadības rakstzīmes", "Precizēts \u2066slēpts\u2069": "vadības rakstzīmes"} {
		refused("reason", e.form(ck, "/surveys/"+slug+"/responses/riga/correct", url.Values{"version": {v}, "question": {"population"},
			"population": {"24500"}, "reason": {reason}}), message)
		refused("return note", e.form(ck, "/surveys/"+slug+"/responses/riga/return", url.Values{"version": {v},
			"note": {reason}}), message)
		refused("return comment", e.form(ck, "/surveys/"+slug+"/responses/riga/return", url.Values{"version": {v},
			"comment_population": {reason}}), message)
	}

	if after := dbFingerprint(t, e); after != before {
		t.Fatalf("refused dates, names or texts changed the database:\nbefore %s\nafter  %s", before, after)
	}

	// Passwords: set by link and changed, too long or with a control
	// character.
	r := e.form(ck, "/admin/users", url.Values{"email": {"liga@example.lv"}, "role": {"viewer"}})
	wantStatus(t, r, http.StatusOK)
	link := regexp.MustCompile(`id="pwlink" value="http://survey\.test(/password/[A-Za-z0-9_-]{22})"`).FindStringSubmatch(r.body)
	if link == nil {
		t.Fatalf("no set-password link: %.600s", r.body)
	}
	afterAdd := dbFingerprint(t, e)
	for pw, message := range map[string]string{strings.Repeat("a", 257): "ne vairāk kā 256 baiti",
		"tab\there is a password": "vadības rakstzīmes", "ends with a newline\n": "vadības rakstzīmes"} {
		refused("password by link", e.form(nil, link[1], url.Values{"new_password": {pw}, "repeat_password": {pw}}), message)
		refused("password change", e.form(ck, "/account/password", url.Values{"current_password": {password},
			"new_password": {pw}, "repeat_password": {pw}}), message)
	}
	if after := dbFingerprint(t, e); after != afterAdd {
		t.Fatalf("refused passwords changed the database")
	}
	// Longer than bcrypt's 72 bytes works, and every byte counts.
	long100 := strings.Repeat("garā parole ", 8) + "beigas" // 110 bytes
	wantStatus(t, e.form(nil, link[1], url.Values{"new_password": {long100}, "repeat_password": {long100}}), http.StatusSeeOther)
	wantStatus(t, e.login("liga@example.lv", long100), http.StatusSeeOther)
	wantStatus(t, e.login("liga@example.lv", long100[:72]), http.StatusUnauthorized)
	wantStatus(t, e.login("liga@example.lv", long100[:len(long100)-1]+"S"), http.StatusUnauthorized)

	// At the limits, accepted: a 200-character name, a 2000-character
	// reason with lines.
	name := strings.Repeat("ā", 200)
	wantStatus(t, e.form(ck, "/admin/users/"+itoa(int(admin.ID)), url.Values{"name": {name}, "role": {"admin"}}), http.StatusSeeOther)
	if u, _ := e.st.UserByID(ctx, admin.ID); u.Name != name {
		t.Errorf("name of 200 characters not saved: %d", len([]rune(u.Name)))
	}
	reason := strings.Repeat("ā", 1990) + "\r\nrinda 2"
	wantStatus(t, e.form(ck, "/surveys/"+slug+"/responses/riga/correct", url.Values{"version": {v}, "question": {"population"},
		"population": {"24500"}, "reason": {reason}}), http.StatusSeeOther)
	wantStatus(t, e.form(ck, "/surveys/"+slug+"/dates", url.Values{"opens_at": {"2026-11-01T09:00"}, "closes_at": {"2100-12-31T23:59"}}),
		http.StatusSeeOther)
}

const pilotYAML = `format: 1
slug: pilot-2026
title: {lv: "Izmēģinājums", en: "Pilot"}
reference_year: 2026
sections:
  - code: a
    title: {lv: "Sadaļa", en: "Section"}
    questions:
      - code: q1
        type: int
        text: {lv: "Cik?", en: "How many?"}
`
