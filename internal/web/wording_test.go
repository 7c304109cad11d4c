package web_test

import (
	"encoding/csv"
	"net/http"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/civitas-lv/surveyd/reports"
	"github.com/civitas-lv/surveyd/survey"
)

const nbsp = "\u00a0"

// order returns the positions in body of each text, failing for a missing
// one, so a test can say which comes first.
func order(t *testing.T, body string, texts ...string) []int {
	t.Helper()
	var at []int
	for _, s := range texts {
		i := strings.Index(body, s)
		if i < 0 {
			t.Fatalf("%q not found", s)
		}
		at = append(at, i)
	}
	return at
}

// TestMunicipalitiesInAlphabeticalOrder: every list of municipalities is
// in the Latvian alphabet in Latvian (Ā after A, Ķ after K), in the
// English one in English — the contacts, the deadline extensions, the
// tracker and the links page alike.
func TestMunicipalitiesInAlphabeticalOrder(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	_, ck := e.user("coordinator")
	base := "/surveys/" + e.sv.Slug
	lv := []string{"Aizkraukles novads", "Alūksnes novads", "Ādažu novads", "Krāslavas novads", "Kuldīgas novads",
		"Ķekavas novads", "Ogres novads", "Olaines novads"}
	en := []string{"Adazi Municipality", "Aizkraukle Municipality", "Aluksne Municipality", "Kekava Municipality",
		"Kraslava Municipality", "Kuldiga Municipality", "Ogre Municipality", "Olaine Municipality"}
	for _, page := range []string{"/contacts", base, base + "/links", base + "/settings"} {
		for _, c := range []struct {
			query string
			names []string
		}{{"", lv}, {"?lang=en", en}} {
			r := e.as(ck, "GET", page+c.query, nil)
			wantStatus(t, r, http.StatusOK)
			body := r.body
			if page == base+"/settings" { // the extension form's list of municipalities
				body = body[strings.Index(body, `id="ext-m"`):]
			}
			at := order(t, body, c.names...)
			if !slices.IsSorted(at) {
				t.Errorf("%s%s: municipalities out of order: %v at %v", page, c.query, c.names, at)
			}
		}
	}
	// An extension listed on the settings page follows the same order.
	for _, code := range []string{"olaine", "adazi", "aluksne"} {
		r := e.form(ck, base+"/extensions", map[string][]string{"municipality": {code}, "closes_at": {"2026-12-20T12:00"}})
		wantStatus(t, r, http.StatusSeeOther)
	}
	r := e.as(ck, "GET", base+"/settings", nil)
	ext := r.body[strings.Index(r.body, "Pagarināti termiņi"):strings.Index(r.body, `id="ext-m"`)]
	if at := order(t, ext, "Alūksnes novads", "Ādažu novads", "Olaines novads"); !slices.IsSorted(at) {
		t.Errorf("extensions out of order: %v", at)
	}
}

// TestMoneyAndPercentOnStaffPages: amounts with two decimals and EUR,
// percentages "2 %" in Latvian and "2%" in English; the review page names
// the status once.
func TestMoneyAndPercentOnStaffPages(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	_, ck := e.user("coordinator")
	e.submitFull("riga") // ngo_support_eur 48000, population 24000
	base := "/surveys/" + e.sv.Slug
	r := e.as(ck, "GET", base, nil)
	rowPercent := regexp.MustCompile(`<tr id="m-riga"(?s:.*?)<strong>(\d+)(\S*?%)</strong>`)
	if m := rowPercent.FindStringSubmatch(r.body); !strings.Contains(r.body, "(2"+nbsp+"%)") || m == nil || m[2] != nbsp+"%" {
		t.Errorf("tracker: headline or Rīga's row not in the Latvian style (%q)", m)
	}
	if regexp.MustCompile(`\d%|\d %`).MatchString(r.body) {
		t.Error("tracker has a percentage in another style")
	}
	r = e.as(ck, "GET", base+"?lang=en", nil)
	if m := rowPercent.FindStringSubmatch(r.body); !strings.Contains(r.body, "(2%)") || m == nil || m[2] != "%" {
		t.Errorf("English tracker: headline or Rīga's row (%q)", m)
	}
	review := e.as(ck, "GET", base+"/responses/riga", nil)
	wantStatus(t, review, http.StatusOK)
	if !strings.Contains(review.body, "48"+nbsp+"000,00"+nbsp+"EUR") || !strings.Contains(review.body, "24"+nbsp+"000") {
		t.Error("review lacks 48 000,00 EUR or 24 000")
	}
	if strings.Contains(review.body, "48"+nbsp+"000 EUR") {
		t.Error("review has an amount without decimals")
	}
	status := regexp.MustCompile(`(?s)<div class="status-box">\s*<p>(.*?)</p>`).FindStringSubmatch(review.body)
	if status == nil || !strings.HasPrefix(status[1], "<strong>Iesniegusi 20") || strings.Count(strings.ToLower(status[1]), "iesnieg") != 1 {
		t.Errorf("review status line %q", status)
	}
	en := e.as(ck, "GET", base+"/responses/riga?lang=en", nil)
	if !strings.Contains(en.body, "48,000.00"+nbsp+"EUR") || !strings.Contains(en.body, "<strong>Submitted on ") {
		t.Error("English review lacks 48,000.00 EUR or the status line")
	}
	// The closed form shows the amount the same way.
	e.setNow(e.closes.AddDate(0, 0, 1))
	form := e.do("GET", "/r/"+e.tokens["riga"], nil)
	if !strings.Contains(form.body, "48"+nbsp+"000,00"+nbsp+"EUR") {
		t.Error("the closed form lacks 48 000,00 EUR")
	}
}

// TestLinksCSV: the links CSV opens in columns in Latvian Excel (";",
// BOM) with the same columns as `surveyd invite` writes; "," in English.
func TestLinksCSV(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	_, ck := e.user("coordinator")
	e.setContacts(ck, "cesis", "ilze@cesis.lv\nJānis Bērziņš <janis@cesis.lv>")
	e.setContacts(ck, "adazi", "=cmd|' /C calc'!A0 <x@adazi.lv>")
	for _, c := range []struct {
		query  string
		sep    rune
		header []string
		first  string // the first municipality
		cesis  string
	}{
		{"", ';', []string{"Kods", "Pašvaldība", "Saite", "Kontakti"}, "Aizkraukles novads", "Cēsu novads"},
		{"?lang=en", ',', []string{"Code", "Municipality", "Link", "Contacts"}, "Adazi Municipality", "Cesis Municipality"},
	} {
		r := e.as(ck, "GET", "/surveys/"+e.sv.Slug+"/links.csv"+c.query, nil)
		wantStatus(t, r, http.StatusOK)
		if !strings.HasPrefix(r.body, "\ufeff") {
			t.Fatal("no byte-order mark")
		}
		cr := csv.NewReader(strings.NewReader(strings.TrimPrefix(r.body, "\ufeff")))
		cr.Comma = c.sep
		recs, err := cr.ReadAll()
		if err != nil || len(recs) != 44 || !slices.Equal(recs[0], c.header) {
			t.Fatalf("%s: %d records, header %q, %v", c.query, len(recs), recs[0], err)
		}
		if recs[1][1] != c.first {
			t.Errorf("%s: first row %q", c.query, recs[1])
		}
		for _, rec := range recs[1:] {
			if rec[0] == "cesis" && (rec[1] != c.cesis || rec[2] != "http://survey.test/r/"+e.tokens["cesis"] ||
				rec[3] != "ilze@cesis.lv; janis@cesis.lv") {
				t.Errorf("%s: cesis %q", c.query, rec)
			}
			if rec[0] == "valmiera" && rec[2] != "" {
				t.Errorf("valmiera has no link: %q", rec)
			}
		}
	}
}

// TestNotFoundPages: a mistyped staff address is "Lapa nav atrasta" with a
// way home; an unknown personal link keeps its "Saite nav derīga".
func TestNotFoundPages(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	_, ck := e.user("viewer")
	for _, path := range []string{"/nowhere", "/surveys/no-such-round", "/surveys/" + e.sv.Slug + "/responses/atlantida",
		"/surveys/" + e.sv.Slug + "/charts/nope/data.csv"} {
		r := e.as(ck, "GET", path, nil)
		wantStatus(t, r, http.StatusNotFound)
		if !strings.Contains(r.body, "<h1>Lapa nav atrasta</h1>") || !strings.Contains(r.body, `href="/"`) ||
			strings.Contains(r.body, "Saite nav derīga") {
			t.Errorf("%s: %.300s", path, r.body[strings.Index(r.body, "<main"):])
		}
	}
	if r := e.do("GET", "/nowhere?lang=en", nil); !strings.Contains(r.body, "<h1>Page not found</h1>") {
		t.Error("no English page-not-found")
	}
	r := e.do("GET", "/r/no-such-token", nil)
	wantStatus(t, r, http.StatusNotFound)
	if !strings.Contains(r.body, "Saite nav derīga") || strings.Contains(r.body, "Lapa nav atrasta") {
		t.Error("an unknown link should keep its page")
	}
	api := e.as(ck, "GET", "/api/v1/surveys/no-such-round/status", nil)
	wantStatus(t, api, http.StatusNotFound)
	if m := api.json(t); m["error"] != "not_found" || strings.Contains(api.body, "Saite") {
		t.Errorf("API 404: %s", api.body)
	}
}

// TestSkipLinkAndPlainWording: staff pages skip "to content", the form "to
// the questionnaire", both to the main element; the links page without
// e-mail names no environment variable; "other" is "Cits" in chart data.
func TestSkipLinkAndPlainWording(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	_, ck := e.user("coordinator")
	skip := regexp.MustCompile(`<a class="skip" href="#main">([^<]*)</a>`)
	for path, want := range map[string]string{"/surveys": "Pāriet uz saturu", "/surveys?lang=en": "Skip to content",
		"/contacts": "Pāriet uz saturu", "/r/" + e.tokens["riga"]: "Pāriet uz anketu"} {
		r := e.as(ck, "GET", path, nil)
		if m := skip.FindStringSubmatch(r.body); m == nil || m[1] != want || !strings.Contains(r.body, `<main id="main"`) {
			t.Errorf("%s: skip link %q, want %q to #main", path, m, want)
		}
	}
	if r := e.do("GET", "/login", nil); !strings.Contains(r.body, ">Pāriet uz saturu</a>") {
		t.Error("the sign-in page's skip link")
	}

	e.m.Mail = nil // no SMTP
	for _, q := range []string{"", "?lang=en"} {
		r := e.as(ck, "GET", "/surveys/"+e.sv.Slug+"/links"+q, nil)
		wantStatus(t, r, http.StatusOK)
		if strings.Contains(r.body, "SMTP") || strings.Contains(r.body, "LINK_KEY") || strings.Contains(r.body, "_URL") {
			t.Errorf("links page%s names a variable", q)
		}
		if !strings.Contains(r.body, "servera administrator") && !strings.Contains(r.body, "server’s administrator") {
			t.Errorf("links page%s does not say whom to ask", q)
		}
	}

	e.submitFull("riga")
	r := e.as(ck, "GET", "/surveys/"+e.sv.Slug+"/charts/ngo_forms/data.csv", nil)
	if !strings.Contains(r.body, "\nCits;") || strings.Contains(r.body, "norādiet") {
		t.Errorf("chart data names the other option %q", r.body)
	}
}

// TestWorkbookInAlphabeticalOrder: every sheet of the workbook lists the
// municipalities in the alphabet of its language — the data sheets come
// from the database in that order.
func TestWorkbookInAlphabeticalOrder(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	_, ck := e.user("viewer")
	for _, c := range []struct {
		query string
		lang  string
	}{{"?status=all", "lv"}, {"?status=all&lang=en", "en"}} {
		f := openXLSX(t, e.as(ck, "GET", "/surveys/"+e.sv.Slug+"/export.xlsx"+c.query, nil))
		rows := responseRows(t, f)
		status, _ := f.GetRows(reports.SheetStatus)
		if len(rows) != 43 || len(status) != 44 {
			t.Fatalf("%s: %d wide rows, %d status rows", c.lang, len(rows), len(status))
		}
		var wide, tracker []string
		for i, r := range rows {
			wide = append(wide, r[1])
			tracker = append(tracker, status[i+1][1])
		}
		sorted := slices.Clone(wide)
		survey.SortByName(sorted, c.lang, func(s string) string { return s })
		if !slices.Equal(wide, sorted) || !slices.Equal(tracker, sorted) {
			t.Errorf("%s: wide sheet %v\nstatus sheet %v\nwant %v", c.lang, wide, tracker, sorted)
		}
		if c.lang == "lv" && (slices.Index(wide, "Ādažu novads") != slices.Index(wide, "Augšdaugavas novads")+1 ||
			slices.Index(wide, "Ķekavas novads") != slices.Index(wide, "Kuldīgas novads")+1) {
			t.Errorf("Ā should follow every A, Ķ every K: %v", wide)
		}
	}
}
