package web_test

import (
	"encoding/json"
	"net/http"
	"net/url"
	"reflect"
	"strings"
	"sync"
	"testing"

	"github.com/civitas-lv/surveyd/survey"
)

// savedReply is the body of a successful PUT.
type savedReply struct {
	Version  int               `json:"version"`
	Merged   []string          `json:"merged"`
	Answers  map[string]any    `json:"answers"`
	Warnings map[string]string `json:"warnings"`
	Cleared  []string          `json:"cleared"`
}

type conflictReply struct {
	Error     string         `json:"error"`
	Version   int            `json:"version"`
	Conflicts []string       `json:"conflicts"`
	Answers   map[string]any `json:"answers"`
}

func decode[T any](t *testing.T, r result) T {
	t.Helper()
	var v T
	if err := json.Unmarshal([]byte(r.body), &v); err != nil {
		t.Fatalf("decoding %s: %v", r.body, err)
	}
	return v
}

// TestMergeDisjointSaves: two colleagues save from the same version; the
// second save changed other questions, so it is applied on top of the
// first: both answers are kept, each save is one revision with only its own
// changes, and the reply names the colleague's questions and carries the
// answers now stored.
func TestMergeDisjointSaves(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	wantStatus(t, e.put("riga", 0, `{"resp_name":"Anna Ozola","population":24000}`), http.StatusOK)
	base, revs0 := e.state("riga")

	wantStatus(t, e.put("riga", base.Version, `{"resp_name":"Anna Ozola","population":24000,"resp_position":"Vadītāja"}`), http.StatusOK)
	r := e.put("riga", base.Version, `{"resp_name":"Anna Ozola","population":25000,"ngo_rules":"adopted"}`)
	wantStatus(t, r, http.StatusOK)
	got := decode[savedReply](t, r)
	if !reflect.DeepEqual(got.Merged, []string{"resp_position"}) {
		t.Errorf("merged = %v, want [resp_position]", got.Merged)
	}
	if got.Answers["resp_position"] != "Vadītāja" || got.Answers["population"] != 25000.0 {
		t.Errorf("reply answers = %v", got.Answers)
	}
	a := e.answers("riga")
	want := survey.Answers{"resp_name": "Anna Ozola", "population": json.Number("25000"),
		"resp_position": "Vadītāja", "ngo_rules": "adopted"}
	if !reflect.DeepEqual(a, want) {
		t.Fatalf("stored %v\nwant    %v", a, want)
	}
	now, revs := e.state("riga")
	if now.Version != base.Version+2 || revs != revs0+2 || got.Version != now.Version {
		t.Fatalf("version %d (reply %d), revisions %d; want %d and %d", now.Version, got.Version, revs, base.Version+2, revs0+2)
	}
	all, _ := e.st.Revisions(ctx, now.ID)
	last := all[len(all)-1]
	after, _ := last.After()
	if len(after) != 2 || after["population"] != json.Number("25000") || after["ngo_rules"] != "adopted" {
		t.Errorf("the merged save's revision records %v, want only its own two changes", after)
	}
}

// TestMergeOverlapConflicts: when both changed the same question
// differently, the save is refused with 409 naming exactly those
// questions and carrying the stored answers; nothing changes. Changing a
// question to the same answer is no conflict.
func TestMergeOverlapConflicts(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	wantStatus(t, e.put("riga", 0, `{"resp_name":"Anna Ozola","population":24000,"resp_email":"a@x.lv"}`), http.StatusOK)
	base, _ := e.state("riga")
	wantStatus(t, e.put("riga", base.Version, `{"resp_name":"Anna Ozola","population":24500,"resp_email":"anna@x.lv"}`), http.StatusOK)
	before, revs := e.state("riga")

	r := e.put("riga", base.Version, `{"resp_name":"Jānis","population":26000,"resp_email":"anna@x.lv"}`)
	wantStatus(t, r, http.StatusConflict)
	c := decode[conflictReply](t, r)
	if c.Error != "version_conflict" || c.Version != before.Version || !reflect.DeepEqual(c.Conflicts, []string{"population"}) {
		t.Errorf("409 = %+v, want version %d and conflicts [population]", c, before.Version)
	}
	if c.Answers["population"] != 24500.0 {
		t.Errorf("409 answers = %v", c.Answers)
	}
	after, revs2 := e.state("riga")
	if after.Version != before.Version || revs2 != revs || e.answers("riga")["resp_name"] != "Anna Ozola" {
		t.Fatal("a refused save changed the response")
	}
	// A colleague's answer that hides one of mine is a conflict too.
	wantStatus(t, e.put("riga", after.Version, `{"resp_name":"Anna Ozola","population":24500,"resp_email":"anna@x.lv","pb_status":"voted"}`), http.StatusOK)
	v, _ := e.state("riga")
	wantStatus(t, e.put("riga", v.Version, `{"resp_name":"Anna Ozola","population":24500,"resp_email":"anna@x.lv","pb_status":"not_started"}`), http.StatusOK)
	r = e.put("riga", v.Version, `{"resp_name":"Anna Ozola","population":24500,"resp_email":"anna@x.lv","pb_status":"voted","pb_votes":300}`)
	wantStatus(t, r, http.StatusConflict)
	if c := decode[conflictReply](t, r); !reflect.DeepEqual(c.Conflicts, []string{"pb_status", "pb_votes"}) {
		t.Errorf("hiding conflict names %v", c.Conflicts)
	}
}

// TestMergeSubmitNeedsCurrentVersion: a submit names the version it saw;
// after a colleague's save it is refused, and nothing is submitted.
func TestMergeSubmitNeedsCurrentVersion(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	wantStatus(t, e.put("riga", 0, full), http.StatusOK)
	seen, _ := e.state("riga")
	wantStatus(t, e.put("riga", seen.Version, strings.Replace(full, `"population":24000`, `"population":24001`, 1)), http.StatusOK)
	r := e.api("POST", "riga", "/submit", `{"version":`+itoa(seen.Version)+`}`)
	wantStatus(t, r, http.StatusConflict)
	if now, _ := e.state("riga"); now.Status != "draft" {
		t.Fatal("a submit from an older version went through")
	}
}

// TestMergeConcurrentDisjointSavesLoseNothing: many colleagues save at once
// from the same version, each changing a different question; every save
// lands (merged in some order) and every answer is there.
func TestMergeConcurrentDisjointSavesLoseNothing(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	wantStatus(t, e.put("riga", 0, `{"resp_name":"Anna Ozola"}`), http.StatusOK)
	base, _ := e.state("riga")
	edits := []string{`"resp_position":"Vadītāja"`, `"resp_email":"a@x.lv"`, `"resp_phone":"+371 67000000"`,
		`"population":24000`, `"consent_contact":true`, `"ngo_rules":"adopted"`, `"del_status":"no"`, `"rc_status":"not_planned"`}
	var wg sync.WaitGroup
	codes := make([]int, len(edits))
	for i, ed := range edits {
		wg.Add(1)
		go func() {
			defer wg.Done()
			codes[i] = e.put("riga", base.Version, `{"resp_name":"Anna Ozola",`+ed+`}`).status
		}()
	}
	wg.Wait()
	for i, c := range codes {
		if c != http.StatusOK {
			t.Errorf("save %d: status %d", i, c)
		}
	}
	a := e.answers("riga")
	if len(a) != len(edits)+1 {
		t.Errorf("stored %d answers, want %d: %v", len(a), len(edits)+1, a)
	}
	if now, revs := e.state("riga"); now.Version != base.Version+len(edits) || revs != now.Version {
		t.Errorf("version %d with %d revisions, want %d", now.Version, revs, base.Version+len(edits))
	}
}

// TestMergeWithoutJavaScript: the form posted without JavaScript merges
// like the API; a collision shows the colleague's answer beside the typed
// one with a "take theirs" box, and the next post follows the choice.
func TestMergeWithoutJavaScript(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	wantStatus(t, e.put("riga", 0, `{"resp_name":"Anna Ozola","population":24000}`), http.StatusOK)
	base, _ := e.state("riga")
	wantStatus(t, e.put("riga", base.Version, `{"resp_name":"Anna Ozola","population":24500,"resp_position":"Vadītāja"}`), http.StatusOK)

	// Disjoint: merged, and the page names the colleague's question.
	r := e.post("riga", url.Values{"version": {itoa(base.Version)}, "resp_name": {"Anna Ozola"}, "population": {"24000"},
		"resp_email": {"anna@riga.lv"}})
	wantStatus(t, r, http.StatusSeeOther)
	loc := r.header.Get("Location")
	if !strings.Contains(loc, "merged=resp_position") {
		t.Fatalf("redirect %s does not name the colleague's question", loc)
	}
	page := e.do("GET", loc, nil)
	if !strings.Contains(page.body, "Kolēģis tikko aizpildīja") || !strings.Contains(page.body, "Amats") {
		t.Error("the page does not say what the colleague filled in")
	}
	a := e.answers("riga")
	if a["resp_position"] != "Vadītāja" || a["resp_email"] != "anna@riga.lv" || a["population"] != json.Number("24500") {
		t.Fatalf("merged answers %v", a)
	}

	// Colliding: 409 page with both answers and the choice.
	cur, _ := e.state("riga")
	wantStatus(t, e.put("riga", cur.Version, `{"resp_name":"Anna Ozola","population":25000,"resp_position":"Vadītāja","resp_email":"anna@riga.lv"}`), http.StatusOK)
	r = e.post("riga", url.Values{"version": {itoa(cur.Version)}, "resp_name": {"Anna Ozola"}, "population": {"26000"},
		"resp_position": {"Vadītāja"}, "resp_email": {"anna@riga.lv"}, "resp_phone": {"+371 67000000"}})
	wantStatus(t, r, http.StatusConflict)
	for _, want := range []string{`id="theirs-population"`, `name="theirs" value="population"`, `Kolēģa atbilde:`,
		`value="26000"`, `&#43;371 67000000`} {
		if !strings.Contains(r.body, want) {
			t.Errorf("conflict page lacks %s", want)
		}
	}
	if strings.Count(r.body, `name="theirs"`) != 1 {
		t.Error("the conflict page asks about more than the colliding question")
	}
	now, _ := e.state("riga")
	if !strings.Contains(r.body, `name="version" value="`+itoa(now.Version)+`"`) {
		t.Error("the conflict page does not carry the current version")
	}
	// Taking the colleague's population, keeping the typed phone.
	r = e.post("riga", url.Values{"version": {itoa(now.Version)}, "resp_name": {"Anna Ozola"}, "population": {"26000"},
		"resp_position": {"Vadītāja"}, "resp_email": {"anna@riga.lv"}, "resp_phone": {"+371 67000000"}, "theirs": {"population"}})
	wantStatus(t, r, http.StatusSeeOther)
	a = e.answers("riga")
	if a["population"] != json.Number("25000") || a["resp_phone"] != "+371 67000000" {
		t.Fatalf("after the choice: %v", a)
	}
}

// TestInvalidFormSaveSaysNothingSaved: without JavaScript one invalid value
// refuses the whole save, and the page says so.
func TestInvalidFormSaveSaysNothingSaved(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	r := e.post("riga", url.Values{"version": {"0"}, "resp_name": {"Anna Ozola"}, "population": {"-5"}})
	wantStatus(t, r, http.StatusUnprocessableEntity)
	if !strings.Contains(r.body, "<h2>Nekas netika saglabāts") || strings.Contains(r.body, "<h2>Dažas atbildes nav saglabātas") {
		t.Errorf("the page does not say that nothing was saved: %s", r.body)
	}
	if now, _ := e.state("riga"); now.Version != 0 {
		t.Fatal("something was saved")
	}
}

// TestDraftWarnings: the API saves a draft that breaks a cross-field rule
// and reports the rule at its field; the page shows it beside the field.
func TestDraftWarnings(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	r := e.put("riga", 0, `{"pb_status":"voted","pb_ideas_submitted":40,"pb_ideas_admitted":12,"pb_winners":20}`)
	wantStatus(t, r, http.StatusOK)
	if w := decode[savedReply](t, r).Warnings["pb_winners"]; !strings.Contains(w, "nevar būt lielāks") {
		t.Errorf("warnings = %v", decode[savedReply](t, r).Warnings)
	}
	page := e.do("GET", "/r/"+e.tokens["riga"], nil)
	if !strings.Contains(page.body, `<p class="q-warning" id="warn-pb_winners">Atbalstīto`) {
		t.Error("the page does not show the warning beside winners")
	}
	en := e.api("PUT", "riga", "?lang=en", `{"version":1,"answers":{"pb_status":"voted","pb_ideas_submitted":40,"pb_ideas_admitted":12,"pb_winners":21}}`)
	wantStatus(t, en, http.StatusOK)
	if w := decode[savedReply](t, en).Warnings["pb_winners"]; !strings.Contains(w, "cannot") {
		t.Errorf("English warning = %q", w)
	}
}
