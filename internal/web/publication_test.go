package web_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/civitas-lv/surveyd/internal/domain"
)

// TestPublishableQuestions: the round's settings list exactly the free-text
// questions that are not personal, none ticked by default; a coordinator's
// choice is stored and shown; a question that cannot be published (personal,
// a number) is refused; a viewer cannot change it.
func TestPublishableQuestions(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	_, coord := e.user("coordinator")
	_, viewer := e.user("viewer")
	settings := "/surveys/" + e.sv.Slug + "/settings"
	page := e.as(coord, "GET", settings, nil)
	wantStatus(t, page, http.StatusOK)
	free := []string{"ngo_obstacles", "del_comments", "pb_lessons", "rc_challenges", "final_comments"}
	if n := strings.Count(page.body, `name="question"`); n != len(free) {
		t.Errorf("%d questions listed, want %d", n, len(free))
	}
	for _, code := range free {
		if !strings.Contains(page.body, `id="pub-`+code+`"`) || strings.Contains(page.body, `id="pub-`+code+`" checked`) {
			t.Errorf("%s: not listed, or ticked by default", code)
		}
	}
	for _, code := range []string{"resp_name", "resp_email", "population"} {
		if strings.Contains(page.body, `id="pub-`+code+`"`) {
			t.Errorf("%s is offered for publication", code)
		}
	}
	post := func(cookie *http.Cookie, v url.Values) result {
		return e.form(cookie, "/surveys/"+e.sv.Slug+"/publishable", v)
	}
	r := post(coord, url.Values{"question": free, "publishable": {"pb_lessons", "final_comments"}})
	wantStatus(t, r, http.StatusSeeOther)
	page = e.as(coord, "GET", settings, nil)
	for _, code := range free {
		on := code == "pb_lessons" || code == "final_comments"
		if got := strings.Contains(page.body, `id="pub-`+code+`" checked`); got != on {
			t.Errorf("%s ticked = %v, want %v", code, got, on)
		}
	}
	def, _ := e.m.Definition(e.sv)
	pub, err := e.m.Publishable(ctx, domain.OperatorPrincipal(), e.sv, def)
	if err != nil || !pub["pb_lessons"] || pub["ngo_obstacles"] || len(pub) != len(free) {
		t.Errorf("Publishable = %v, %v", pub, err)
	}
	// Unticking is stored too.
	wantStatus(t, post(coord, url.Values{"question": {"pb_lessons"}}), http.StatusSeeOther)
	if pub, _ := e.m.Publishable(ctx, domain.OperatorPrincipal(), e.sv, def); pub["pb_lessons"] || !pub["final_comments"] {
		t.Errorf("after unticking: %v", pub)
	}
	// Questions that are never free text to publish.
	for _, code := range []string{"resp_name", "population", "nope"} {
		r := post(coord, url.Values{"question": {code}, "publishable": {code}})
		wantStatus(t, r, http.StatusBadRequest)
	}
	if pub, _ := e.m.Publishable(ctx, domain.OperatorPrincipal(), e.sv, def); pub["resp_name"] {
		t.Error("a personal question became publishable")
	}
	wantStatus(t, post(viewer, url.Values{"question": {"pb_lessons"}, "publishable": {"pb_lessons"}}), http.StatusForbidden)
	if pub, _ := e.m.Publishable(ctx, domain.OperatorPrincipal(), e.sv, def); pub["pb_lessons"] {
		t.Error("a viewer changed the choice")
	}
}
