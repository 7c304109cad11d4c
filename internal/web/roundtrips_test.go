package web_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"reflect"
	"strings"
	"testing"

	"github.com/civitas-lv/surveyd/internal/domain"
	"github.com/civitas-lv/surveyd/internal/manage"
	"github.com/civitas-lv/surveyd/survey"
)

// maxSaveRoundTrips is what an autosave may cost in SQL round trips, the
// merge of a stale save and a refused (409) one included.
const maxSaveRoundTrips = 3

// saveCase is one kind of save a round-trip cycle measures.
type saveCase struct {
	name  string
	trips uint64
}

// saver sends one save of answers made from version base the way a client
// does (the JSON API, or the form), and returns the reply.
type saver func(muni string, base int, answers map[string]any) result

func (e *env) apiSaver(muni string, base int, answers map[string]any) result {
	body, _ := json.Marshal(answers)
	return e.put(muni, base, string(body))
}

func (e *env) formSaver(muni string, base int, answers map[string]any) result {
	form := url.Values{"version": {itoa(base)}, "action": {"save"}}
	for k, v := range answers {
		form.Set(k, fmt.Sprint(v))
	}
	return e.post(muni, form)
}

// saveCycle saves through send for muni: a first save, a following one,
// a save from a stale version that merges with a colleague's, and one
// that collides with a colleague's (409). It checks the answers and
// revisions each leaves, and returns what each cost in round trips. The
// colleague's saves go through the API and are not counted.
func saveCycle(t *testing.T, e *env, send saver, muni string, ok int) []saveCase {
	t.Helper()
	var out []saveCase
	measure := func(name string, base int, answers map[string]any, status int) result {
		t.Helper()
		e.m.Wait() // the prepared forms of earlier saves written now, not counted below
		n0 := e.m.RoundTrips()
		r := send(muni, base, answers)
		out = append(out, saveCase{name: name, trips: e.m.RoundTrips() - n0})
		if r.status != status {
			t.Log(e.logs.String())
		}
		wantStatus(t, r, status)
		return r
	}
	lastRevision := func(version int) (before, after survey.Answers) {
		t.Helper()
		resp, n := e.state(muni)
		if resp.Version != version || n != version {
			t.Fatalf("%s: version %d with %d revisions, want %d", muni, resp.Version, n, version)
		}
		revs, err := e.st.Revisions(ctx, resp.ID)
		if err != nil {
			t.Fatal(err)
		}
		last := revs[len(revs)-1]
		if last.Version != version {
			t.Fatalf("last revision is version %d, want %d", last.Version, version)
		}
		before, _ = last.Before()
		after, _ = last.After()
		return before, after
	}
	want := func(a survey.Answers, w survey.Answers) {
		t.Helper()
		if !reflect.DeepEqual(a, w) {
			t.Fatalf("%s: %v\nwant %v", muni, a, w)
		}
	}
	n := func(s string) json.Number { return json.Number(s) }

	mine := map[string]any{"resp_name": "Anna Ozola", "population": 24000}
	measure("first save", 0, mine, ok)
	b, a := lastRevision(1)
	want(e.answers(muni), survey.Answers{"resp_name": "Anna Ozola", "population": n("24000")})
	want(b, survey.Answers{})
	want(a, survey.Answers{"resp_name": "Anna Ozola", "population": n("24000")})

	mine["resp_position"] = "Vadītāja"
	measure("next save", 1, mine, ok)
	b, a = lastRevision(2)
	want(b, survey.Answers{})
	want(a, survey.Answers{"resp_position": "Vadītāja"})

	// A colleague adds an e-mail address from version 2; this save, also
	// from version 2, changes the population: merged.
	wantStatus(t, e.put(muni, 2, `{"resp_name":"Anna Ozola","population":24000,"resp_position":"Vadītāja","resp_email":"anna@x.lv"}`), http.StatusOK)
	mine["population"] = 25000
	measure("stale base, merged", 2, mine, ok)
	b, a = lastRevision(4)
	want(b, survey.Answers{"population": n("24000")})
	want(a, survey.Answers{"population": n("25000")})
	want(e.answers(muni), survey.Answers{"resp_name": "Anna Ozola", "population": n("25000"),
		"resp_position": "Vadītāja", "resp_email": "anna@x.lv"})

	// A colleague changes the population from version 4; this save, also
	// from version 4, changes it differently: 409, nothing saved.
	wantStatus(t, e.put(muni, 4, `{"resp_name":"Anna Ozola","population":26000,"resp_position":"Vadītāja","resp_email":"anna@x.lv"}`), http.StatusOK)
	mine["population"], mine["resp_email"] = 27000, "anna@x.lv"
	measure("stale base, conflict", 4, mine, http.StatusConflict)
	lastRevision(5)
	if e.answers(muni)["population"] != n("26000") {
		t.Fatal("the refused save changed the answers")
	}

	// A coordinator corrects the position from version 5 — not through
	// the link, so what the link's last save kept is stale; this save,
	// from version 5, changes the e-mail address: merged.
	if _, err := e.m.Correct(ctx, domain.OperatorPrincipal(), manage.Correction{Slug: e.sv.Slug, Municipality: muni,
		Question: "resp_position", BaseVersion: 5, Answers: survey.Answers{"resp_position": "Nodaļas vadītāja"},
		Reason: "Precizēts amats"}); err != nil {
		t.Fatal(err)
	}
	mine["population"], mine["resp_email"] = 26000, "anna.ozola@x.lv"
	measure("after a coordinator's correction, merged", 5, mine, ok)
	b, a = lastRevision(7)
	want(b, survey.Answers{"resp_email": "anna@x.lv"})
	want(a, survey.Answers{"resp_email": "anna.ozola@x.lv"})
	want(e.answers(muni), survey.Answers{"resp_name": "Anna Ozola", "population": n("26000"),
		"resp_position": "Nodaļas vadītāja", "resp_email": "anna.ozola@x.lv"})
	return out
}

// TestSaveRoundTrips: an autosave — the JSON API's PUT and the form's POST —
// costs at most maxSaveRoundTrips SQL round trips, whether it is the
// municipality's first save, a following one, a save from a stale version
// that is merged (after a colleague's save, or after a coordinator's
// correction that the link's kept context missed), or one that conflicts
// (409); an API save after one through the same link costs one (manage's
// held answers and context). Counted on connections that
// have served a save before (the steady state of the pool: a connection
// prepares the save's statements once); the first cycle, on connections
// that had not, is logged.
func TestSaveRoundTrips(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	for _, code := range []string{"jurmala", "adazi"} {
		links, err := e.m.Invite(ctx, domain.OperatorPrincipal(), e.sv.Slug, []string{code}, false)
		if err != nil {
			t.Fatal(err)
		}
		e.tokens[code] = strings.TrimPrefix(links[0].URL, "http://survey.test/r/")
	}
	for _, c := range saveCycle(t, e, e.apiSaver, "jurmala", http.StatusOK) {
		t.Logf("API, a new connection's first cycle: %s: %d round trips", c.name, c.trips)
	}
	for _, c := range saveCycle(t, e, e.formSaver, "adazi", http.StatusSeeOther) {
		t.Logf("form, a new connection's first cycle: %s: %d round trips", c.name, c.trips)
	}
	for _, via := range []struct {
		name string
		send saver
		muni string
		ok   int
	}{{"API PUT", e.apiSaver, "riga", http.StatusOK}, {"form POST", e.formSaver, "cesis", http.StatusSeeOther}} {
		for _, c := range saveCycle(t, e, via.send, via.muni, via.ok) {
			t.Logf("%s: %s: %d round trips", via.name, c.name, c.trips)
			if c.trips > maxSaveRoundTrips {
				t.Errorf("%s, %s: %d SQL round trips, want at most %d", via.name, c.name, c.trips, maxSaveRoundTrips)
			}
			// The autosave after an autosave through the same link reads
			// nothing: its write is its one round trip.
			if via.name == "API PUT" && c.name == "next save" && c.trips != 1 {
				t.Errorf("%s, %s: %d SQL round trips, want 1", via.name, c.name, c.trips)
			}
		}
	}
	// A submit takes the same way (logged, not bounded: it also queues
	// the e-mail receipt).
	r := e.put("riga", 7, full)
	wantStatus(t, r, http.StatusOK)
	e.m.Wait()
	n0 := e.m.RoundTrips()
	wantStatus(t, e.api("POST", "riga", "/submit", `{"version":`+itoa(decode[savedReply](t, r).Version)+`}`), http.StatusOK)
	t.Logf("API submit: %d round trips", e.m.RoundTrips()-n0)
	if resp, n := e.state("riga"); resp.Status != domain.StatusSubmitted || resp.Version != 9 || n != 9 {
		t.Fatalf("after the submit: %s, version %d, %d revisions", resp.Status, resp.Version, n)
	}
}
