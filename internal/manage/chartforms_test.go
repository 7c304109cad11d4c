package manage_test

import (
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/civitas-lv/surveyd/internal/domain"
	"github.com/civitas-lv/surveyd/internal/manage"
	"github.com/civitas-lv/surveyd/reports"
	"github.com/civitas-lv/surveyd/survey"
)

// TestChartsFormsKeptSameAsDocuments: once a Manager has read a round
// whole, the prepared forms of its answers are kept in the database
// (and of the earlier round's submitted answers a trend read), and a
// server just started (a Manager that keeps nothing) reads those forms
// instead of decoding the answers documents — and shows exactly the
// charts made from the documents, under several filters: at first, after
// a save (that response's document is read again and its new form
// kept), with a form damaged, after a personal-data erasure, after a save
// read by a Manager that keeps the round's answers (it keeps that form
// too), and with forms of another format.
func TestChartsFormsKeptSameAsDocuments(t *testing.T) {
	t.Parallel()
	e := newTwoRounds(t)
	m, def26, r25, r26 := e.m, e.def26, e.r25, e.r26
	r26.PreviousSurveyID = &r25.ID
	munis := []string{"cesis", "riga", "valmiera", "ventspils", "jelgava", "liepaja"}
	for i, c := range munis {
		e.answer(t, r25, c, 1000*(i+1), 500*(i+2), true, nil)
		var extra survey.Answers
		if c == "valmiera" {
			extra = survey.Answers{"resp_name": "Zelma Distinktīvā", "resp_email": "zelma@valmiera.lv", "consent_contact": true}
		}
		e.answer(t, r26, c, 1100*(i+1), 700*(i+2), i%3 != 2, extra)
	}
	op := domain.OperatorPrincipal()
	filters := []reports.Filter{{}, {Statuses: []string{domain.StatusSubmitted, domain.StatusDraft}},
		{PlanningRegion: "Vidzemes"}, {Kind: "novads"}}
	exec := func(q string, args ...any) {
		t.Helper()
		if _, err := m.Store.DB().ExecContext(ctx, q, args...); err != nil {
			t.Fatal(err)
		}
	}
	count := func(sv domain.Survey) int {
		t.Helper()
		var n int
		if err := m.Store.DB().GetContext(ctx, &n, `SELECT count(*) FROM response_prepared WHERE survey_id = $1`, sv.ID); err != nil {
			t.Fatal(err)
		}
		return n
	}
	// charts is what a server just started shows under every filter, and
	// how many answers it took from the forms kept; the earlier round's
	// aggregate is not kept, so that it reads that round too.
	charts := func(m *manage.Manager) (string, int64) {
		t.Helper()
		exec(`DELETE FROM trend_summaries`)
		var out string
		for _, f := range filters {
			d, err := m.Charts(ctx, op, r26, def26, f, reports.ChartOptions{Lang: "lv"})
			if err != nil {
				t.Fatal(err)
			}
			set, err := json.Marshal(d.Set)
			if err != nil {
				t.Fatal(err)
			}
			out += fmt.Sprintf("%+v: %d %+v %s\n", f, d.Summary.Responses, d.Rate, set)
		}
		m.Wait()
		return out, manage.ChartFormsRead(m)
	}
	// fromDocuments is the same made from the answers documents alone.
	fromDocuments := func() string {
		t.Helper()
		exec(`CREATE TABLE IF NOT EXISTS kept (LIKE response_prepared)`)
		exec(`DELETE FROM kept; INSERT INTO kept SELECT * FROM response_prepared; DELETE FROM response_prepared`)
		m := &manage.Manager{Store: m.Store}
		got, forms := charts(m)
		if forms != 0 {
			t.Fatalf("%d forms read, none kept", forms)
		}
		exec(`DELETE FROM response_prepared; INSERT INTO response_prepared SELECT * FROM kept`)
		return got
	}

	if n := count(r26) + count(r25); n != 0 {
		t.Fatalf("%d forms kept before any charts were read", n)
	}
	want, _ := charts(m)
	// Every response of the round, every submitted one of the earlier round.
	if a, b := count(r26), count(r25); a != 6 || b != 6 {
		t.Fatalf("forms kept: %d of this round, %d of the earlier one; want 6 and 6", a, b)
	}
	if w := fromDocuments(); w != want {
		t.Fatalf("the charts differ from those made from the documents:\n%s\n%s", want, w)
	}
	got, forms := charts(&manage.Manager{Store: m.Store})
	if forms != 12 || got != want {
		t.Fatalf("a server just started: %d forms read, want 12; charts the same: %v", forms, got == want)
	}

	e.answer(t, r26, "riga", 9999, 123456, true, nil)
	got, forms = charts(&manage.Manager{Store: m.Store})
	if forms != 11 || got != fromDocuments() {
		t.Fatalf("after a save: %d forms read, want 11; charts the same: %v", forms, got == fromDocuments())
	}
	// The saved response's new form was kept.
	if _, forms = charts(&manage.Manager{Store: m.Store}); forms != 12 {
		t.Fatalf("after a save and a read: %d forms read, want 12", forms)
	}

	exec(`UPDATE response_prepared SET prepared = '\x01ff' WHERE response_id =
		(SELECT id FROM responses WHERE survey_id = $1 AND municipality_code = 'cesis')`, r26.ID)
	got, forms = charts(&manage.Manager{Store: m.Store})
	if forms != 11 || got != fromDocuments() {
		t.Fatalf("a form damaged: %d forms read, want 11; charts the same: %v", forms, got == fromDocuments())
	}

	// A personal-data erasure deletes the form of the response it changed.
	if _, er, err := m.ErasePerson(ctx, op, domain.PersonQuery{Email: "zelma@valmiera.lv"}); err != nil || er.Responses != 1 {
		t.Fatalf("erasing: %+v, %v", er, err)
	}
	if n := count(r26); n != 5 {
		t.Fatalf("after an erasure, %d forms of the round kept, want 5", n)
	}
	got, forms = charts(&manage.Manager{Store: m.Store})
	if forms != 11 || got != fromDocuments() {
		t.Fatalf("after an erasure: %d forms read, want 11; charts the same: %v", forms, got == fromDocuments())
	}

	// A Manager that keeps the round's answers reads a response saved
	// since as its document, and keeps its form too.
	e.answer(t, r26, "liepaja", 4321, 8765, true, nil)
	if _, forms = charts(m); forms != 0 {
		t.Fatalf("a Manager that keeps the answers read %d forms, want none", forms)
	}
	got, forms = charts(&manage.Manager{Store: m.Store})
	if forms != 12 || got != fromDocuments() {
		t.Fatalf("after a save read by a Manager that keeps the answers: %d forms read, want 12; charts the same: %v",
			forms, got == fromDocuments())
	}

	exec(`UPDATE response_prepared SET format = format + 1`)
	got, forms = charts(&manage.Manager{Store: m.Store})
	if forms != 0 || got != fromDocuments() {
		t.Fatalf("forms of another format: %d read, want none; charts the same: %v", forms, got == fromDocuments())
	}
}

// TestSavedFormsKept: what a municipality saves through its personal link
// (the first save, the saves after it, batched, and the submit) has its
// prepared form kept, under the row version the save left, so that a
// server just started reads the round as forms; and the charts made from
// them are those made from the documents — a negative zero sent
// included (validation makes it 0, as the database would).
func TestSavedFormsKept(t *testing.T) {
	t.Parallel()
	m, def := setup(t)
	now := time.Now()
	sv, _, err := m.EnsureRound(ctx, def, now.Add(-time.Hour), now.Add(24*time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	op := domain.OperatorPrincipal()
	links, err := m.Invite(ctx, op, sv.Slug, []string{"riga"}, false)
	if err != nil || len(links) != 1 {
		t.Fatalf("links %+v: %v", links, err)
	}
	token := links[0].URL[strings.LastIndex(links[0].URL, "/")+1:]
	kept := func() (rowVersion string, n int) {
		t.Helper()
		m.Wait()
		var rows []string
		if err := m.Store.DB().SelectContext(ctx, &rows, `SELECT p.row_xmin::text || ':' || p.row_version::text
			FROM response_prepared p JOIN responses r ON r.id = p.response_id
			WHERE r.survey_id = $1 AND p.row_xmin = r.xmin AND p.row_version = r.version`, sv.ID); err != nil {
			t.Fatal(err)
		}
		var all int
		if err := m.Store.DB().GetContext(ctx, &all, `SELECT count(*) FROM response_prepared`); err != nil {
			t.Fatal(err)
		}
		if len(rows) == 1 {
			rowVersion = rows[0]
		}
		return rowVersion, all
	}
	// Plausible answers that count NGOs supported: none, saved as -0
	// (and no support).
	var answers survey.Answers
	for seed := uint64(1); answers["ngo_supported_count"] == nil; seed++ {
		if answers, err = def.Synthesize(rand.New(rand.NewPCG(5, seed)), nil); err != nil {
			t.Fatal(err)
		}
	}
	answers["ngo_supported_count"], answers["ngo_support_eur"] = json.Number("-0"), json.Number("0")
	in := survey.Answers{}
	for i, code := range slices.Sorted(maps.Keys(answers)) {
		in[code] = answers[code]
		if i%5 != 0 && i != len(answers)-1 {
			continue
		}
		r, err := m.RespondentToSave(ctx, token, now)
		if err != nil {
			t.Fatal(err)
		}
		saved, err := m.SaveAnswers(ctx, r, r.Response.Version, in.Clone())
		if ie := (*manage.InvalidAnswersError)(nil); errors.As(err, &ie) {
			t.Fatalf("%v: %v", err, ie.Errors)
		}
		if err != nil {
			t.Fatal(err)
		}
		if v, n := kept(); v == "" || n != 1 {
			t.Fatalf("after a save to version %d: the form kept is of %q (%d forms), want the response's row", saved.Response.Version, v, n)
		}
	}
	// Saves one after the other within the second: the form of the last.
	for _, name := range []string{"Anna", "Anna B.", "Anna Bērziņa"} {
		r, err := m.RespondentToSave(ctx, token, now)
		if err != nil {
			t.Fatal(err)
		}
		in["resp_name"] = name
		if _, err := m.SaveAnswers(ctx, r, r.Response.Version, in.Clone()); err != nil {
			t.Fatal(err)
		}
	}
	if v, n := kept(); v == "" || n != 1 {
		t.Fatalf("after three saves in a row: the form kept is of %q (%d forms), want the response's row", v, n)
	}
	r, err := m.RespondentByToken(ctx, token, now)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := m.SubmitAnswers(ctx, r, r.Response.Version, "lv"); err != nil {
		if ie := (*manage.InvalidAnswersError)(nil); errors.As(err, &ie) {
			t.Fatalf("%v: %v", err, ie.Errors)
		}
		t.Fatal(err)
	}
	if v, n := kept(); v == "" || n != 1 {
		t.Fatalf("after the submit: the form kept is of %q (%d forms), want the response's row", v, n)
	}
	digest := func(m *manage.Manager) string {
		t.Helper()
		d, err := m.Charts(ctx, op, sv, def, reports.Filter{}, reports.ChartOptions{Lang: "lv"})
		if err != nil {
			t.Fatal(err)
		}
		set, err := json.Marshal(d.Set)
		if err != nil {
			t.Fatal(err)
		}
		return fmt.Sprintf("%d %+v %s", d.Summary.Responses, d.Rate, set)
	}
	fresh := &manage.Manager{Store: m.Store}
	got := digest(fresh)
	if n := manage.ChartFormsRead(fresh); n != 1 {
		t.Fatalf("a server just started read %d forms, want 1", n)
	}
	if _, err := m.Store.DB().ExecContext(ctx, `DELETE FROM response_prepared`); err != nil {
		t.Fatal(err)
	}
	if want := digest(&manage.Manager{Store: m.Store}); got != want {
		t.Fatalf("the charts from the form saved differ from those from the document:\n%.800s\n%.800s", got, want)
	}
}

// TestKeepMissingForms: the start-up job keeps the prepared forms missing
// of the newest rounds — none kept (answers written otherwise than through
// the service), a response changed since its form was kept, forms of
// another format — so that a server just started reads every answer as a
// form; a round with every form kept is only asked, not read.
func TestKeepMissingForms(t *testing.T) {
	t.Parallel()
	e := newTwoRounds(t)
	m := e.m
	for i, c := range []string{"cesis", "riga", "valmiera", "ventspils", "jelgava"} {
		e.answer(t, e.r25, c, 1000*(i+1), 500*(i+2), true, nil)
		e.answer(t, e.r26, c, 1100*(i+1), 700*(i+2), i%2 == 0, nil)
	}
	op := domain.OperatorPrincipal()
	keep := func(what string, want int) {
		t.Helper()
		n0 := m.RoundTrips()
		n, err := m.KeepMissingForms(ctx)
		if err != nil || n != want {
			t.Fatalf("%s: %d forms kept (%v), want %d", what, n, err, want)
		}
		// The rounds (one round trip), then a question for each round
		// (a statement with parameters: two): a round with nothing
		// missing is not read.
		if trips := m.RoundTrips() - n0; want == 0 && trips != 5 {
			t.Fatalf("%s: %d round trips, want 5 (nothing read)", what, trips)
		}
	}
	// read is how many answers a server just started reads as forms for
	// the charts of both rounds.
	read := func() int64 {
		t.Helper()
		fresh := &manage.Manager{Store: m.Store}
		for _, r := range []struct {
			sv  domain.Survey
			def *survey.Definition
		}{{e.r25, e.def25}, {e.r26, e.def26}} {
			if _, err := fresh.Charts(ctx, op, r.sv, r.def, reports.Filter{}, reports.ChartOptions{Lang: "lv"}); err != nil {
				t.Fatal(err)
			}
		}
		fresh.Wait()
		return manage.ChartFormsRead(fresh)
	}
	exec := func(q string, args ...any) {
		t.Helper()
		if _, err := m.Store.DB().ExecContext(ctx, q, args...); err != nil {
			t.Fatal(err)
		}
	}

	keep("answers written otherwise", 10)
	keep("again", 0)
	if n := read(); n != 10 {
		t.Fatalf("%d answers read as forms, want 10", n)
	}
	e.answer(t, e.r26, "riga", 9999, 1234, true, nil)
	keep("a response changed since", 1)
	exec(`UPDATE response_prepared SET format = format + 1 WHERE survey_id = $1`, e.r25.ID)
	keep("forms of another format", 5)
	keep("again", 0)
	exec(`DELETE FROM response_prepared WHERE response_id =
		(SELECT id FROM responses WHERE survey_id = $1 AND municipality_code = 'cesis')`, e.r26.ID)
	keep("a form lost", 1)
	if n := read(); n != 10 {
		t.Fatalf("after the forms were kept again, %d answers read as forms, want 10", n)
	}
}
