package web_test

import (
	"html"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/civitas-lv/surveyd/internal/domain"
	"github.com/civitas-lv/surveyd/internal/store"
)

var (
	formRE   = regexp.MustCompile(`(?s)<form method="post" action="([^"]+)" class="confirm-form"[^>]*>(.*?)</form>`)
	hiddenRE = regexp.MustCompile(`<input type="hidden" name="([^"]+)" value="([^"]*)">`)
)

// confirmForm finds the confirmation form on a page and returns where it
// posts and what it sends, as a browser without JavaScript would.
func confirmForm(t *testing.T, page string) (string, url.Values) {
	t.Helper()
	m := formRE.FindStringSubmatch(page)
	if m == nil {
		t.Fatalf("no confirmation form on the page: %.600s", page)
	}
	v := url.Values{}
	for _, h := range hiddenRE.FindAllStringSubmatch(m[2], -1) {
		v.Set(h[1], html.UnescapeString(h[2]))
	}
	return html.UnescapeString(m[1]), v
}

// confirmLink replaces or revokes the municipality's link the way a
// coordinator does: open the confirmation page, send its form.
func (e *env) confirmLink(ck *http.Cookie, code, action string) result {
	e.t.Helper()
	r := e.as(ck, "GET", "/surveys/"+e.sv.Slug+"/links/"+code+"/"+action, nil)
	wantStatus(e.t, r, http.StatusOK)
	to, v := confirmForm(e.t, r.body)
	return e.form(ck, to, v)
}

// activeLink is the municipality's working link (nil: none).
func (e *env) activeLink(code string) *store.Invitation {
	e.t.Helper()
	inv, err := e.st.ActiveInvitation(ctx, e.sv.ID, code)
	if err == domain.ErrNotFound {
		return nil
	}
	if err != nil {
		e.t.Fatal(err)
	}
	return &inv
}

// TestLinkActionsNeedConfirmation: a single POST never revokes or replaces
// a working link, it shows what would happen; the confirmation page's form
// (plain HTML, no JavaScript) does it; a confirmation made for a link that
// has been replaced since changes nothing; a municipality without a link
// gets one without confirming.
func TestLinkActionsNeedConfirmation(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	_, ck := e.user("coordinator")
	links := "/surveys/" + e.sv.Slug + "/links"
	token := e.tokens["riga"]
	wantStatus(t, e.put("riga", 0, `{"population":24000}`), http.StatusOK) // opened, answers saved
	first := e.activeLink("riga")

	// A single POST, as the old buttons sent it: the confirmation page, and
	// the link still opens the form.
	for _, action := range []string{"revoke", "rotate"} {
		r := e.form(ck, links+"/riga/"+action, nil)
		wantStatus(t, r, http.StatusOK)
		if !strings.Contains(r.body, `class="confirm-form"`) {
			t.Fatalf("POST %s without confirmation: no confirmation page: %.400s", action, r.body)
		}
		wantStatus(t, e.do("GET", "/r/"+token, nil), http.StatusOK)
		if l := e.activeLink("riga"); l == nil || l.ID != first.ID {
			t.Fatalf("POST %s without confirmation changed the link: %+v", action, l)
		}
	}
	// confirm=1 without saying which link is not a confirmation of this one.
	r := e.form(ck, links+"/riga/revoke", url.Values{"confirm": {"1"}})
	wantStatus(t, r, http.StatusConflict)
	wantStatus(t, e.do("GET", "/r/"+token, nil), http.StatusOK)

	// The confirmation page says what has happened and what will.
	r = e.as(ck, "GET", links+"/riga/revoke", nil)
	wantStatus(t, r, http.StatusOK)
	for _, want := range []string{"Atsaukt saiti: Rīgas valstspilsēta", "Saite izveidota ", "No šīs sistēmas tā e-pastā nav sūtīta",
		"Pašvaldība saiti ir atvērusi", "Pašvaldība jau saglabājusi atbildes (statuss: Aizpilda)",
		"pārstās darboties uzreiz", "vēl nesaglabātās izmaiņas vairs netiks saglabātas", "atbildes netiek dzēstas",
		"Pašvaldībai nebūs saites, līdz koordinators izveidos jaunu", "Jā, atsaukt saiti", "Nē, atstāt kā ir"} {
		if !strings.Contains(r.body, want) {
			t.Errorf("the revoke confirmation lacks %q", want)
		}
	}
	if r := e.as(ck, "GET", links+"/riga/rotate?lang=en", nil); !strings.Contains(r.body, "Yes, issue a new link") ||
		!strings.Contains(r.body, "send it from the links page") {
		t.Errorf("the English rotate confirmation: %.300s", r.body)
	}
	for _, p := range []string{"/riga/rotate?lang=en", "/riga/rotate?lang=lv", "/riga/revoke?lang=en", "/valmiera/revoke?lang=lv", "/valmiera/rotate?lang=en"} {
		if m := importKey.FindString(e.as(ck, "GET", links+p, nil).body); m != "" {
			t.Errorf("%s shows the key %q", p, m)
		}
	}
	revokeTo, revokeForm := confirmForm(t, r.body)

	// Another coordinator replaces the link meanwhile: the first one's
	// confirmation no longer applies, and nothing changes.
	wantStatus(t, e.confirmLink(ck, "riga", "rotate"), http.StatusOK)
	second := e.activeLink("riga")
	if second == nil || second.ID == first.ID {
		t.Fatalf("confirmed rotation: %+v", second)
	}
	wantStatus(t, e.do("GET", "/r/"+token, nil), http.StatusNotFound)
	r = e.form(ck, revokeTo, revokeForm)
	wantStatus(t, r, http.StatusConflict)
	if !strings.Contains(r.body, "šīs pašvaldības saite tika mainīta. Nekas netika darīts") {
		t.Fatalf("stale confirmation: %.500s", r.body)
	}
	if l := e.activeLink("riga"); l == nil || l.ID != second.ID {
		t.Fatalf("a stale confirmation changed the link: %+v", l)
	}

	// A browser without JavaScript: the links page's "Atsaukt" is a link to
	// the confirmation page, whose form revokes.
	r = e.as(ck, "GET", links, nil)
	href := regexp.MustCompile(`<a class="linklike" href="(/surveys/[^"]+/links/riga/revoke)">Atsaukt`).FindStringSubmatch(r.body)
	if href == nil {
		t.Fatal("the links page has no Atsaukt link for riga")
	}
	r = e.as(ck, "GET", href[1], nil)
	wantStatus(t, r, http.StatusOK)
	to, v := confirmForm(t, r.body)
	r = e.form(ck, to, v)
	wantStatus(t, r, http.StatusSeeOther)
	if loc := r.header.Get("Location"); loc != links+"?done=revoked#l-riga" {
		t.Fatalf("after revoking: %s", loc)
	}
	if e.activeLink("riga") != nil {
		t.Fatal("the confirmed revocation left a working link")
	}
	r = e.as(ck, "GET", links+"?done=revoked", nil)
	if !strings.Contains(r.body, "Saite atsaukta; tā vairs nedarbojas.") || !strings.Contains(r.body, "Saite atsaukta ") {
		t.Fatalf("the links page after revoking: %.300s", r.body)
	}
	// Revoking again is harmless; there is nothing to confirm.
	r = e.as(ck, "GET", links+"/riga/revoke", nil)
	if !strings.Contains(r.body, "nav darbojošās saites") || strings.Contains(r.body, `class="confirm-form"`) {
		t.Fatalf("revoking a revoked link offers: %.400s", r.body)
	}

	// A municipality without a working link gets one with one POST (the
	// links page's "Izveidot saiti").
	for _, code := range []string{"riga", "valmiera"} {
		r = e.form(ck, links+"/"+code+"/rotate", nil)
		wantStatus(t, r, http.StatusOK)
		if !strings.Contains(r.body, `id="newlink"`) || e.activeLink(code) == nil {
			t.Fatalf("%s: no link made: %.300s", code, r.body)
		}
	}
	// A confirmation for an unknown municipality is a 404.
	wantStatus(t, e.as(ck, "GET", links+"/nowhere/revoke", nil), http.StatusNotFound)
}

// TestTrackerStatuses gives municipalities each status and checks the API
// keys, the counts, the tracker's words and its status filter.
func TestTrackerStatuses(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	_, ck := e.user("coordinator")
	issued, err := e.m.Invite(ctx, domain.OperatorPrincipal(), e.sv.Slug, []string{"ogre", "jelgava", "liepaja", "talsi", "bauska", "dobele"}, false)
	if err != nil {
		t.Fatal(err)
	}
	for _, l := range issued {
		e.tokens[l.Municipality] = strings.TrimPrefix(l.URL, "http://survey.test/r/")
	}
	links := "/surveys/" + e.sv.Slug + "/links"
	// ogre: revoked → no link. riga: a link nobody sent.
	wantStatus(t, e.confirmLink(ck, "ogre", "revoke"), http.StatusSeeOther)
	// cesis and jelgava: invitations e-mailed; jelgava's link replaced
	// afterwards, so its working link has not been sent.
	e.setContacts(ck, "cesis", "ilze@cesis.lv")
	e.setContacts(ck, "jelgava", "info@jelgava.lv")
	for _, code := range []string{"cesis", "jelgava"} {
		e.send(ck, url.Values{"kind": {"invitation"}, "municipality": {code}})
	}
	wantStatus(t, e.confirmLink(ck, "jelgava", "rotate"), http.StatusOK)
	// liepaja opened its link; talsi saved; bauska submitted; dobele was
	// returned after submitting.
	wantStatus(t, e.do("GET", "/r/"+e.tokens["liepaja"], nil), http.StatusOK)
	wantStatus(t, e.put("talsi", 0, `{"population":1200}`), http.StatusOK)
	e.submitFull("bauska")
	e.submitFull("dobele")
	resp, _ := e.state("dobele")
	wantStatus(t, e.form(ck, "/surveys/"+e.sv.Slug+"/responses/dobele/return", url.Values{"version": {itoa(resp.Version)},
		"note": {"Lūdzu, precizējiet."}}), http.StatusSeeOther)

	want := map[string]string{"valmiera": "no_link", "ogre": "no_link", "riga": "link_created", "jelgava": "link_created",
		"cesis": "invited", "liepaja": "opened", "talsi": "draft", "bauska": "submitted", "dobele": "returned"}
	d := e.statusJSON(ck)
	for _, m := range d.Municipalities {
		if w, ok := want[m.Code]; ok && m.Status != w {
			t.Errorf("%s: status %q, want %q", m.Code, m.Status, w)
		}
	}
	wantCounts := map[string]int{"no_link": 43 - 7, "link_created": 2, "invited": 1, "opened": 1, "draft": 1, "returned": 1, "submitted": 1}
	if len(d.ByStatus) != len(wantCounts) {
		t.Errorf("by_status keys %v", d.ByStatus)
	}
	for k, n := range wantCounts {
		if d.ByStatus[k] != n {
			t.Errorf("by_status[%s] = %d, want %d", k, d.ByStatus[k], n)
		}
	}

	// The tracker names them and filters by them, in both languages.
	r := e.as(ck, "GET", "/surveys/"+e.sv.Slug, nil)
	for _, w := range []string{"Nav saites: 36", "Saite izveidota, nav nosūtīta: 2", "Uzaicinājums nosūtīts: 1", "Atvērusi saiti: 1",
		"Aizpilda: 1", "Atgriezta labošanai: 1"} {
		if !strings.Contains(r.body, w) {
			t.Errorf("the tracker's counts lack %q", w)
		}
	}
	for code, text := range map[string]string{"riga": "Saite izveidota, nav nosūtīta", "cesis": "Uzaicinājums nosūtīts",
		"ogre": "Nav saites", "liepaja": "Atvērusi saiti"} {
		if !regexp.MustCompile(`id="m-` + code + `" data-status="[a-z_]+">[^<]*<th[^>]*>.*?</th>\s*<td><span class="badge track-[a-z_]+">` + text + `<`).MatchString(r.body) {
			t.Errorf("tracker row %s does not read %q", code, text)
		}
	}
	r = e.as(ck, "GET", "/surveys/"+e.sv.Slug+"?status=link_created&lang=en", nil)
	if n := strings.Count(r.body, `data-status="link_created"`); n != 2 || strings.Count(r.body, `data-status=`) != 2 ||
		!strings.Contains(r.body, ">Link created, not sent<") || !strings.Contains(r.body, "Invitation sent: 1") {
		t.Errorf("the status filter link_created shows %d rows: %.300s", n, r.body)
	}
	// The links page says the same.
	r = e.as(ck, "GET", links, nil)
	if !regexp.MustCompile(`(?s)id="l-cesis">.*?<td[^>]*>Uzaicinājums nosūtīts</td>`).MatchString(r.body) ||
		!regexp.MustCompile(`(?s)id="l-jelgava">.*?<td[^>]*>Saite izveidota, nav nosūtīta</td>`).MatchString(r.body) {
		t.Error("the links page does not show cesis as invited and jelgava as link created")
	}
}
