package web_test

import (
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/civitas-lv/surveyd/internal/store/storetest"
)

// TestPersonalDataPages: an admin finds a respondent by e-mail, downloads
// the JSON, is asked to confirm, erases; nothing of her stays. Viewers and
// coordinators cannot search, export or erase (403); a coordinator sets the
// round's retention period on its settings page.
func TestPersonalDataPages(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	_, base := e.state("riga")
	const name, email, phone = "Ilze Meklējamā", "ilze.meklejama@example.lv", "+371 20001234"
	wantStatus(t, e.put("riga", base, `{"resp_name":"`+name+`","resp_email":"`+email+`","resp_phone":"`+phone+`","population":1000}`),
		http.StatusOK)
	_, ak := e.user("admin")
	_, ck := e.user("coordinator")
	_, vk := e.user("viewer")
	q := url.Values{"q": {strings.ToUpper(email)}}
	for _, who := range []*http.Cookie{ck, vk} {
		wantStatus(t, e.as(who, "GET", "/admin/personal", nil), http.StatusForbidden)
		for _, p := range []string{"/admin/personal", "/admin/personal/export", "/admin/personal/erase"} {
			wantStatus(t, e.form(who, p, url.Values{"q": {email}, "confirm": {"1"}}), http.StatusForbidden)
		}
	}
	if hits := storetest.Traces(t, e.st, nil, name, email, phone); len(hits) == 0 {
		t.Fatal("a refused erasure erased")
	}
	wantStatus(t, e.as(ak, "GET", "/admin/personal", nil), http.StatusOK)
	wantStatus(t, e.form(ak, "/admin/personal", url.Values{"q": {"Il"}}), http.StatusUnprocessableEntity)
	r := e.form(ak, "/admin/personal/erase", url.Values{"q": {"Il"}, "confirm": {"1"}})
	wantStatus(t, r, http.StatusUnprocessableEntity)
	if strings.Contains(r.body, "Dzēsts.") {
		t.Fatalf("a refused query says it erased: %s", r.body)
	}
	r = e.form(ak, "/admin/personal", q)
	wantStatus(t, r, http.StatusOK)
	if !strings.Contains(r.body, htmlEscape(name)) || !strings.Contains(r.body, `id="person-erase"`) {
		t.Fatalf("search page: %s", r.body)
	}
	r = e.form(ak, "/admin/personal/export", q)
	wantStatus(t, r, http.StatusOK)
	var doc map[string]any
	if err := json.Unmarshal([]byte(r.body), &doc); err != nil || !strings.Contains(r.body, phone) ||
		!strings.HasPrefix(r.header.Get("Content-Disposition"), "attachment;") {
		t.Fatalf("export %v: %s", err, r.body)
	}
	// Without confirm=1: the confirmation page, nothing erased.
	r = e.form(ak, "/admin/personal/erase", q)
	wantStatus(t, r, http.StatusOK)
	if !strings.Contains(r.body, `id="erase-confirm"`) || len(storetest.Traces(t, e.st, nil, name)) == 0 {
		t.Fatalf("confirmation: %s", r.body)
	}
	q.Set("confirm", "1")
	r = e.form(ak, "/admin/personal/erase", q)
	wantStatus(t, r, http.StatusOK)
	if !strings.Contains(r.body, `id="person-none"`) || !strings.Contains(r.body, "Dzēsts. Atbildes: 1") {
		t.Fatalf("after erasing: %s", r.body)
	}
	if hits := storetest.Traces(t, e.st, nil, name, email, phone); len(hits) != 0 {
		t.Fatalf("left after erasing: %v", hits)
	}
	resp, _ := e.state("riga")
	if a, _ := resp.Answers(); a["population"] == nil {
		t.Fatalf("the other answers went too: %v", a)
	}

	// The retention period: a coordinator sets it; a viewer cannot.
	settings := "/surveys/" + e.sv.Slug + "/settings"
	wantStatus(t, e.form(vk, "/surveys/"+e.sv.Slug+"/retention", url.Values{"retention_days": {"30"}}), http.StatusForbidden)
	wantStatus(t, e.form(ck, "/surveys/"+e.sv.Slug+"/retention", url.Values{"retention_days": {"-3"}}), http.StatusUnprocessableEntity)
	wantStatus(t, e.form(ck, "/surveys/"+e.sv.Slug+"/retention", url.Values{"retention_days": {"30"}}), http.StatusSeeOther)
	r = e.as(ck, "GET", settings+"?done=retention", nil)
	if !strings.Contains(r.body, `value="30"`) || !strings.Contains(r.body, "tiks dzēsti") {
		t.Fatalf("settings: %s", r.body)
	}
	wantStatus(t, e.form(ck, "/surveys/"+e.sv.Slug+"/retention", url.Values{"retention_days": {""}}), http.StatusSeeOther)
	if r = e.as(ck, "GET", settings, nil); !strings.Contains(r.body, "Glabāšanas termiņš nav noteikts") {
		t.Fatalf("settings without a period: %s", r.body)
	}
}
