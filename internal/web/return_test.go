package web_test

import (
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
)

// TestReturnFormGrouped: the return form groups the questions by section
// in folded <details>, each question with the municipality's answer and a
// comment box that opens on request; sent back with a problem, the
// sections and boxes with comments come back open, with what was typed.
func TestReturnFormGrouped(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	_, ck := e.user("coordinator")
	e.submitFull("riga")
	resp, _ := e.state("riga")
	path := "/surveys/" + e.sv.Slug + "/responses/riga/return"
	r := e.as(ck, "GET", path, nil)
	wantStatus(t, r, http.StatusOK)
	sections := regexp.MustCompile(`<details class="return-section" id="rs-([a-z_]+)"( open)?>`).FindAllStringSubmatch(r.body, -1)
	var codes []string
	for _, s := range sections {
		codes = append(codes, s[1])
		if s[2] != "" {
			t.Errorf("section %s is open before any comment", s[1])
		}
	}
	if strings.Join(codes, " ") != "resp ngo del pb rc other" {
		t.Errorf("sections %v", codes)
	}
	// Every question shown to the municipality, with its answer, in its
	// section; each comment box is folded and labelled with the question.
	ngo := r.body[strings.Index(r.body, `id="rs-ngo"`):strings.Index(r.body, `id="rs-del"`)]
	for _, want := range []string{`id="rq-ngo_rules"`, `id="rq-ngo_support_eur"`, "48\u00a0000,00\u00a0EUR", `<details class="comment-toggle">`,
		`<label for="c-ngo_support_eur">Komentārs pašvaldībai<span class="sr-only">: Kopējais finansiālais atbalsts`,
		`name="comment_ngo_support_eur"`} {
		if !strings.Contains(ngo, want) {
			t.Errorf("the ngo section lacks %q", want)
		}
	}
	if strings.Contains(r.body, `id="rq-pb_first_year"`) {
		t.Error("a question hidden from the municipality is on the return form")
	}
	if n := strings.Count(r.body, "<textarea"); n != 1+strings.Count(r.body, `class="comment-toggle"`) {
		t.Errorf("%d text areas", n)
	}

	// A comment that is too long: the page comes back with what was typed,
	// its section and box open, the others folded.
	long := strings.Repeat("ā", 2001)
	r = e.form(ck, path, url.Values{"version": {itoa(resp.Version)}, "note": {"Piezīme"},
		"comment_population": {"Vai iedzīvotāju skaits ir pareizs?"}, "comment_ngo_support_eur": {long}})
	wantStatus(t, r, http.StatusUnprocessableEntity)
	for _, want := range []string{`<details class="return-section" id="rs-resp" open>`, `<details class="return-section" id="rs-ngo" open>`,
		`<details class="return-section" id="rs-del">`, "komentāri: 1", "Vai iedzīvotāju skaits ir pareizs?", long,
		"Komentārs ir pārāk garš"} {
		if !strings.Contains(r.body, want) {
			t.Errorf("the form sent back lacks %.80q", want)
		}
	}
	if !regexp.MustCompile(`(?s)id="rq-population".*?<details class="comment-toggle" open>`).MatchString(r.body) {
		t.Error("the commented question's box is folded")
	}
	if now, _ := e.state("riga"); now.Status != "submitted" {
		t.Fatalf("a refused return changed the status to %s", now.Status)
	}
	if r := e.as(ck, "GET", path+"?lang=en", nil); !strings.Contains(r.body, "questions: ") || !strings.Contains(r.body, ">Comment<") {
		t.Error("the English return form")
	}
}
