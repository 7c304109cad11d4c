package web_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/civitas-lv/surveyd/internal/domain"
	"github.com/civitas-lv/surveyd/survey"
)

// nextRound submits Rīga's 2025 answers (printAnswers) and makes the 2026
// round from the 2025 one, open at the env's clock; it returns the new
// round and Rīga's token in it.
func (e *env) nextRound() (domain.Survey, string) {
	e.t.Helper()
	e.submitAnswers("riga", printAnswers)
	now := e.clock()
	res, err := e.m.CreateRoundFrom(ctx, domain.OperatorPrincipal(), e.sv.Slug, "regional-2026", 2026,
		now.Add(-time.Hour), now.Add(30*24*time.Hour))
	if err != nil {
		e.t.Fatal(err)
	}
	for _, l := range res.Issued.Links {
		if l.Municipality == "riga" {
			return res.Survey, strings.TrimPrefix(l.URL, "http://survey.test/r/")
		}
	}
	e.t.Fatal("no link for Rīga")
	return domain.Survey{}, ""
}

// TestCarriedForm: without JavaScript, the form marks each carried-over
// answer "2025. gada atbilde — apstipriniet vai labojiet" (text, tied to
// its question for screen readers) with a "confirm" button, and each
// section with such answers a "confirm all" button; submitting is refused
// naming them; confirming a question and a section each write one
// revision naming the source round; what the page held is saved with it.
func TestCarriedForm(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	sv, token := e.nextRound()
	page := e.do("GET", "/r/"+token, nil)
	wantStatus(t, page, http.StatusOK)
	marker := "2025. gada atbilde — apstipriniet vai labojiet"
	if n := strings.Count(page.body, marker); n != 7 {
		t.Fatalf("%d markers, want 7 (ngo_rules, ngo_forms, ngo_liaison, ngo_published, del_status, pb_status, rc_status)", n)
	}
	for _, want := range []string{`id="carried-ngo_rules"`, `aria-describedby="carried-ngo_rules `,
		`name="confirm" value="ngo_rules"`, `name="confirm_section" value="ngo"`, "Apstiprināt visas šīs sadaļas atbildes"} {
		if !strings.Contains(page.body, want) {
			t.Fatalf("the form lacks %q", want)
		}
	}
	if strings.Contains(page.body, `id="carried-ngo_support_eur"`) || strings.Contains(page.body, `name="confirm_section" value="resp"`) {
		t.Fatal("a question that is not carried over is marked")
	}
	// The first thing the municipality reads says what waits for it, the
	// list of sections marks where, and the service's carrying over is not
	// the municipality's own save.
	for _, want := range []string{
		`id="carried-note">7 atbildes ir pārņemtas no jūsu 2025. gada anketas.`,
		`id="cc-ngo">jāapstiprina: 4</span>`, `id="cc-del">jāapstiprina: 1</span>`,
		"Vēl nekas nav saglabāts",
	} {
		if !strings.Contains(page.body, want) {
			t.Errorf("the form lacks %q", want)
		}
	}
	if strings.Contains(page.body, `id="cc-resp"`) || strings.Contains(page.body, "Pēdējoreiz saglabāts") {
		t.Error("a section without carried answers is marked, or the carrying over shows as the municipality's save")
	}
	version := func() string {
		r, _ := e.st.Response(ctx, sv.ID, "riga")
		return itoa(r.Version)
	}
	form := func(extra ...string) url.Values {
		r, _ := e.st.Response(ctx, sv.ID, "riga")
		a, _ := r.Answers()
		def, _ := parseDef(sv)
		v := url.Values{}
		for _, q := range def.Questions() {
			if x, ok := a[q.Code]; ok {
				switch y := x.(type) {
				case []string:
					v[q.Code] = y
				default:
					v.Set(q.Code, survey.FormatInput(y, "lv"))
				}
			}
			if o, ok := a[q.OtherKey()].(string); ok {
				v.Set(q.OtherKey(), o)
			}
		}
		v.Set("version", version())
		for i := 0; i+1 < len(extra); i += 2 {
			v.Set(extra[i], extra[i+1])
		}
		return v
	}
	post := func(v url.Values) result {
		return e.do("POST", "/r/"+token, strings.NewReader(v.Encode()), "Content-Type", "application/x-www-form-urlencoded")
	}
	// Submit: refused naming the carried answers (among the missing ones).
	r := post(form("action", "submit"))
	wantStatus(t, r, http.StatusUnprocessableEntity)
	if !strings.Contains(r.body, "Šī ir 2025. gada atbilde: apstipriniet to vai labojiet pirms iesniegšanas.") {
		t.Fatalf("submit does not name the unconfirmed answers: %.3000s", r.body)
	}
	if cur, _ := e.st.Response(ctx, sv.ID, "riga"); cur.Status == domain.StatusSubmitted {
		t.Fatal("submitted with unconfirmed answers")
	}
	// One question, with a changed answer elsewhere on the page: saved
	// (which confirms the changed one), then the question confirmed.
	r = post(form("confirm", "ngo_rules", "rc_status", "in_progress"))
	wantStatus(t, r, http.StatusSeeOther)
	if loc := r.header.Get("Location"); !strings.HasSuffix(loc, "?done=confirmed#s-ngo") {
		t.Fatalf("redirect %q", loc)
	}
	cur, _ := e.st.Response(ctx, sv.ID, "riga")
	carried, _ := cur.Carried()
	if _, ok := carried["ngo_rules"]; ok || len(carried) != 5 || carried["rc_status"] != "" {
		t.Fatalf("carried after confirming ngo_rules and changing rc_status: %v", carried)
	}
	revs, _ := e.st.Revisions(ctx, cur.ID)
	last := revs[len(revs)-1]
	if last.Action != "confirm" || last.Note == nil || *last.Note != e.sv.Slug || revs[len(revs)-2].Action != "save" {
		t.Fatalf("revisions %+v", revs)
	}
	page = e.do("GET", "/r/"+token+"?done=confirmed", nil)
	if !strings.Contains(page.body, "Iepriekšējā gada atbildes apstiprinātas.") || strings.Count(page.body, marker) != 5 {
		t.Fatalf("after confirming: %d markers", strings.Count(page.body, marker))
	}
	// The NGO section's rest in one revision.
	n := len(revs)
	wantStatus(t, post(form("confirm_section", "ngo")), http.StatusSeeOther)
	cur, _ = e.st.Response(ctx, sv.ID, "riga")
	carried, _ = cur.Carried()
	if len(carried) != 2 || carried["del_status"] == "" || carried["pb_status"] == "" {
		t.Fatalf("carried after the NGO section: %v", carried)
	}
	if revs, _ = e.st.Revisions(ctx, cur.ID); len(revs) != n+1 {
		t.Fatalf("%d revisions after confirming a section, want %d", len(revs), n+1)
	}

	// The API: what is carried, and confirming through it.
	g := e.do("GET", "/api/v1/r/"+token, nil).json(t)
	c, _ := g["carried"].(map[string]any)
	if from, _ := c["pb_status"].(map[string]any); len(c) != 2 || from["round"] != e.sv.Slug || from["reference_year"] != float64(2025) {
		t.Fatalf("API carried %v", g["carried"])
	}
	r = e.do("POST", "/api/v1/r/"+token+"/confirm", strings.NewReader(`{"version":`+version()+`,"codes":["del_status","pb_status"]}`),
		"Content-Type", "application/json")
	wantStatus(t, r, http.StatusOK)
	if left, _ := r.json(t)["carried"].([]any); len(left) != 0 {
		t.Fatalf("left after the API's confirm: %v", left)
	}
	wantStatus(t, e.do("POST", "/api/v1/r/"+token+"/confirm", strings.NewReader(`{"version":`+version()+`,"codes":["nav"]}`),
		"Content-Type", "application/json"), http.StatusBadRequest)
	if page = e.do("GET", "/r/"+token, nil); strings.Contains(page.body, marker) {
		t.Fatal("a marker after confirming everything")
	}
	// The history a coordinator reads: carried over by the system from the
	// named round, then each confirmation, naming it too.
	_, ck := e.user("coordinator")
	review := e.as(ck, "GET", "/surveys/"+sv.Slug+"/responses/riga", nil)
	wantStatus(t, review, http.StatusOK)
	if !strings.Contains(review.body, "pārņēma iepriekšējās kārtas atbildes (jāapstiprina)") ||
		strings.Count(review.body, "apstiprināja iepriekšējās kārtas atbildes") != 3 || !strings.Contains(review.body, e.sv.Slug) {
		t.Fatalf("the history does not show the carry and the confirmations: %.4000s", review.body)
	}
}
