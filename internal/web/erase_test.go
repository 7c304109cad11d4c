package web_test

import (
	"encoding/json"
	"net/http"
	"net/url"
	"reflect"
	"strings"
	"testing"

	"github.com/civitas-lv/surveyd/internal/domain"
	"github.com/civitas-lv/surveyd/internal/store/storetest"
	"github.com/civitas-lv/surveyd/survey"
)

// erasedReply is the body of the 409 a save from before an erasure gets.
type erasedReply struct {
	Error     string         `json:"error"`
	Version   int            `json:"version"`
	Erased    bool           `json:"erased"`
	Conflicts []string       `json:"conflicts"`
	Answers   map[string]any `json:"answers"`
}

// TestErasedAnswersNotWrittenBack: a respondent's page opened before an
// admin erased the respondent's personal data still holds them; its next
// autosave (PUT with its old version) is refused with 409 "erased", and
// nothing is written — neither the erased answers nor its other changes.
// The page then reads the answers stored (GET) and saves its own changes
// again from the new version: they are kept, the erased answers stay
// erased. The history shows the erasure by the admin, in Latvian and in
// English, naming the questions and no values.
func TestErasedAnswersNotWrittenBack(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	const name, email, phone = "Ilze Dzēšamā", "ilze.dzesama@example.lv", "+371 20004321"
	personal := `"resp_name":"` + name + `","resp_email":"` + email + `","resp_phone":"` + phone + `"`
	wantStatus(t, e.put("riga", 0, `{`+personal+`,"population":1000}`), http.StatusOK)
	opened, _ := e.state("riga") // the page, opened now (version 1)

	admin, ak := e.user("admin")
	r := e.form(ak, "/admin/personal/erase", url.Values{"q": {email}, "confirm": {"1"}})
	wantStatus(t, r, http.StatusOK)
	if !strings.Contains(r.body, "Dzēsts. Atbildes: 1") {
		t.Fatalf("after erasing: %.2000s", r.body)
	}
	erased, revs := e.state("riga")
	if erased.Version != opened.Version+1 || revs != 2 {
		t.Fatalf("after the erasure: version %d with %d revisions, want %d and 2", erased.Version, revs, opened.Version+1)
	}
	all, err := e.st.Revisions(ctx, erased.ID)
	if err != nil {
		t.Fatal(err)
	}
	last := all[len(all)-1]
	if last.Action != domain.RevisionErase || last.Version != erased.Version || last.Actor != domain.ActorUser ||
		last.UserID == nil || *last.UserID != admin.ID || string(last.BeforeJSON) != `{}` || string(last.AfterJSON) != `{}` ||
		last.Note == nil || *last.Note != "resp_name, resp_email, resp_phone" {
		t.Fatalf("the erasure's revision: %+v (note %v)", last, last.Note)
	}

	// The page's autosave: the erased answers it still holds, and its own
	// changes to two other questions.
	r = e.put("riga", opened.Version, `{`+personal+`,"population":1200,"ngo_rules":"adopted"}`)
	wantStatus(t, r, http.StatusConflict)
	c := decode[erasedReply](t, r)
	if c.Error != "version_conflict" || c.Version != erased.Version || !c.Erased || c.Conflicts != nil || c.Answers != nil {
		t.Errorf("409 = %+v, want version %d, erased, nothing to decide", c, erased.Version)
	}
	now, revs2 := e.state("riga")
	if now.Version != erased.Version || revs2 != revs ||
		!reflect.DeepEqual(e.answers("riga"), survey.Answers{"population": json.Number("1000")}) {
		t.Fatalf("the refused save wrote: version %d, %d revisions, answers %v", now.Version, revs2, e.answers("riga"))
	}
	if hits := storetest.Traces(t, e.st, nil, name, email, phone); len(hits) != 0 {
		t.Fatalf("the erased answers are back: %v", hits)
	}

	// What the page does next (form.js pullTheirs): reads what is stored,
	// takes it where nothing was typed since its last save (the erased
	// answers), and saves the rest from the new version.
	g := e.api("GET", "riga", "", "")
	wantStatus(t, g, http.StatusOK)
	got := g.json(t)
	if got["version"] != float64(erased.Version) || !reflect.DeepEqual(got["answers"], map[string]any{"population": 1000.0}) {
		t.Fatalf("GET after the erasure: %v", got)
	}
	wantStatus(t, e.put("riga", erased.Version, `{"population":1200,"ngo_rules":"adopted"}`), http.StatusOK)
	want := survey.Answers{"population": json.Number("1200"), "ngo_rules": "adopted"}
	if a := e.answers("riga"); !reflect.DeepEqual(a, want) {
		t.Fatalf("stored %v, want %v", a, want)
	}
	if hits := storetest.Traces(t, e.st, nil, name, email, phone); len(hits) != 0 {
		t.Fatalf("the erased answers are back: %v", hits)
	}

	// The history: the erasure, by the admin, naming the questions.
	_, ck := e.user("coordinator")
	path := "/surveys/" + e.sv.Slug + "/responses/riga"
	for _, tc := range []struct{ lang, action, note string }{
		{"lv", "dzēsa personas datus", "Dzēstās atbildes: Vārds, uzvārds; E-pasts; Tālrunis. Vērtības nav saglabātas."},
		{"en", "erased personal data", "Erased answers: Name and surname; E-mail; Phone. The values are not kept."},
	} {
		page := e.as(ck, "GET", path+"?lang="+tc.lang, nil)
		wantStatus(t, page, http.StatusOK)
		if !strings.Contains(page.body, "admin@survey.test · "+tc.action+` <span class="muted small">(v2)</span>`) ||
			!strings.Contains(page.body, htmlEscape(tc.note)) {
			t.Errorf("%s: the history does not show the erasure: %.6000s", tc.lang, page.body)
		}
		for _, v := range []string{name, email, phone} {
			if strings.Contains(page.body, htmlEscape(v)) {
				t.Errorf("%s: the review page shows the erased %q", tc.lang, v)
			}
		}
	}
}
