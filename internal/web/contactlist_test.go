package web_test

import (
	"encoding/csv"
	"encoding/json"
	"fmt"
	"html"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
	"github.com/civitas-lv/surveyd/internal/domain"
	"github.com/civitas-lv/surveyd/reports"
	"github.com/civitas-lv/surveyd/survey"
	"github.com/xuri/excelize/v2"
)

// fullWith is the complete set of answers with some changed (nil removes
// an answer).
func fullWith(t *testing.T, change map[string]any) string {
	t.Helper()
	var a map[string]any
	must(t, json.Unmarshal([]byte(full), &a))
	for k, v := range change {
		if v == nil {
			delete(a, k)
		} else {
			a[k] = v
		}
	}
	b, err := json.Marshal(a)
	must(t, err)
	return string(b)
}

// invite gives more municipalities a link in the test round.
func (e *env) invite(codes ...string) {
	e.t.Helper()
	links, err := e.m.Invite(ctx, domain.OperatorPrincipal(), e.sv.Slug, codes, false)
	must(e.t, err)
	for _, l := range links {
		e.tokens[l.Municipality] = strings.TrimPrefix(l.URL, "http://survey.test/r/")
	}
}

// contactPerson is one respondent's contact answers.
type contactPerson struct{ name, position, email, phone string }

func (p contactPerson) answers(consent any) map[string]any {
	a := map[string]any{"resp_name": p.name, "resp_position": p.position, "resp_email": p.email, "resp_phone": nil,
		"consent_contact": consent}
	if p.phone != "" {
		a["resp_phone"] = p.phone
	}
	return a
}

var (
	liga    = contactPerson{"Līga Ābele", "Attīstības nodaļas vadītāja", "liga@aluksne.lv", "+371 26 123 456"}
	janis   = contactPerson{"Jānis Bērziņš", "Sabiedrisko attiecību speciālists", "janis@adazi.lv", ""}
	oskars  = contactPerson{"Oskars Egle", "Jurists", "oskars@ogre.lv", "+371 29 000 001"}
	rasma   = contactPerson{"Rasma Rīdziniece", "Projektu vadītāja", "rasma@riga.lv", "67 012 345"}
	absent1 = contactPerson{"Cēsu Nepiekritēja", "Sekretāre", "nepiekrit@cesis.lv", "+371 20 000 002"}
	absent2 = contactPerson{"Kuldīgas Vēlākā", "Speciāliste", "velak@kuldiga.lv", ""}
	absent3 = contactPerson{"Krāslavas Melnraksts", "Vadītāja", "draft@kraslava.lv", ""}
	absent4 = contactPerson{"Pēteris Nepiesniegtais", "Jurists", "peteris@ogre.lv", ""}
)

// contactRound fills the round: four municipalities submitted with consent
// (Ogre then changed its working copy to no consent and another name
// without submitting it again), Cēsis submitted without consent, Kuldīga
// submitted without and then saved consent without submitting, Krāslava
// has a draft with consent.
func contactRound(t *testing.T, e *env) {
	e.invite("aluksne", "adazi", "ogre", "kuldiga", "kraslava")
	e.submitAnswers("aluksne", fullWith(t, liga.answers(true)))
	e.submitAnswers("adazi", fullWith(t, janis.answers(true)))
	e.submitAnswers("riga", fullWith(t, rasma.answers(true)))
	resp := e.submitAnswers("ogre", fullWith(t, oskars.answers(true)))
	wantStatus(t, e.put("ogre", resp.Version, fullWith(t, absent4.answers(false))), http.StatusOK)
	e.submitAnswers("cesis", fullWith(t, absent1.answers(false)))
	resp = e.submitAnswers("kuldiga", fullWith(t, absent2.answers(false)))
	wantStatus(t, e.put("kuldiga", resp.Version, fullWith(t, absent2.answers(true))), http.StatusOK)
	wantStatus(t, e.put("kraslava", 0, fullWith(t, absent3.answers(true))), http.StatusOK)
}

// contactTable is what the list must hold in each language: the header
// and the rows, in that language's alphabet.
var contactTable = map[string][][]string{
	"lv": {{"Pašvaldība", "Vārds, uzvārds", "Amats", "E-pasts", "Tālrunis"},
		{"Alūksnes novads", liga.name, liga.position, liga.email, liga.phone},
		{"Ādažu novads", janis.name, janis.position, janis.email, ""},
		{"Ogres novads", oskars.name, oskars.position, oskars.email, oskars.phone},
		{"Rīgas valstspilsēta", rasma.name, rasma.position, rasma.email, rasma.phone}},
	"en": {{"Municipality", "Name and surname", "Position", "E-mail", "Phone"},
		{"Adazi Municipality", janis.name, janis.position, janis.email, ""},
		{"Aluksne Municipality", liga.name, liga.position, liga.email, liga.phone},
		{"Ogre Municipality", oskars.name, oskars.position, oskars.email, oskars.phone},
		{"Riga State City", rasma.name, rasma.position, rasma.email, rasma.phone}},
}

// TestContactList: the invitation list has exactly the submitted
// respondents who agreed, from their submitted answers, with the right
// fields, in the alphabet of the page's language — on the page, in the
// CSV (which parses back in both languages) and in the workbook (text
// cells); each read is logged with the user and the round, never the data.
func TestContactList(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	coord, ck := e.user("coordinator")
	_, adminCk := e.user("admin")
	contactRound(t, e)
	base := "/surveys/" + e.sv.Slug + "/contact-list"

	for _, lang := range []string{"lv", "en"} {
		want := contactTable[lang]
		r := e.as(ck, "GET", base+"?lang="+lang, nil)
		wantStatus(t, r, http.StatusOK)
		body := html.UnescapeString(r.body) // html/template writes "+" as &#43;
		var names []string
		for _, row := range want[1:] {
			names = append(names, ">"+row[0]+"<")
			for _, v := range row[1:] {
				if v != "" && !strings.Contains(body, v) {
					t.Errorf("%s: %q not on the page", lang, v)
				}
			}
		}
		if at := order(t, body, names...); !slices.IsSorted(at) {
			t.Errorf("%s: municipalities out of order: %v", lang, at)
		}
		for _, p := range []contactPerson{absent1, absent2, absent3, absent4} {
			if strings.Contains(body, p.name) || strings.Contains(body, p.email) {
				t.Errorf("%s: %s is on the page", lang, p.name)
			}
		}
		if !strings.Contains(body, `href="mailto:`+liga.email+`"`) {
			t.Errorf("%s: no mailto link", lang)
		}
		if n := strings.Count(body, `<tr id="c-`); n != 4 {
			t.Errorf("%s: %d rows, want 4", lang, n)
		}
		counts := regexp.MustCompile(`<span class="n">(\d+)</span>`).FindAllStringSubmatch(body, -1)
		if len(counts) != 2 || counts[0][1] != "6" || counts[1][1] != "4" {
			t.Errorf("%s: counts %q, want 6 submitted and 4 agreed", lang, counts)
		}
		words := map[string][]string{"lv": {"Iesniegtās anketas", "Piekrita uzaicinājumam", "tikai no iesniegtajām atbildēm"},
			"en": {"Submitted questionnaires", "Agreed to be invited", "from submitted answers only"}}[lang]
		for _, w := range words {
			if !strings.Contains(body, w) {
				t.Errorf("%s: the page does not say %q", lang, w)
			}
		}

		// The CSV: the same table, read back as a spreadsheet would.
		r = e.as(ck, "GET", base+".csv?lang="+lang, nil)
		wantStatus(t, r, http.StatusOK)
		if ct := r.header.Get("Content-Type"); ct != "text/csv; charset=utf-8" {
			t.Errorf("CSV Content-Type %q", ct)
		}
		if cd := r.header.Get("Content-Disposition"); cd != `attachment; filename="contact-list-regional-2025.csv"` {
			t.Errorf("CSV Content-Disposition %q", cd)
		}
		data, ok := strings.CutPrefix(r.body, "\ufeff")
		if !ok {
			t.Fatalf("%s: the CSV has no byte-order mark", lang)
		}
		cr := csv.NewReader(strings.NewReader(data))
		cr.Comma = reports.CSVSeparator(lang)
		recs, err := cr.ReadAll()
		must(t, err)
		wantCSV := [][]string{}
		for _, row := range want {
			rec := slices.Clone(row)
			for i := range rec {
				rec[i] = reports.CSVSafe(rec[i]) // "+371 …" gets its apostrophe
			}
			wantCSV = append(wantCSV, rec)
		}
		if !slices.EqualFunc(recs, wantCSV, slices.Equal) {
			t.Errorf("%s: CSV\n%q\nwant\n%q", lang, recs, wantCSV)
		}

		// The workbook: the same table, every cell text.
		r = e.as(adminCk, "GET", base+".xlsx?lang="+lang, nil)
		f := openXLSX(t, r)
		sheet := f.GetSheetList()[0]
		rows, err := f.GetRows(sheet)
		must(t, err)
		wantRows := [][]string{}
		for _, row := range want {
			row = slices.Clone(row)
			for len(row) > 0 && row[len(row)-1] == "" {
				row = row[:len(row)-1]
			}
			wantRows = append(wantRows, row)
		}
		if !slices.EqualFunc(rows, wantRows, slices.Equal) {
			t.Errorf("%s: workbook\n%q\nwant\n%q", lang, rows, wantRows)
		}
		for i, row := range rows {
			for j, v := range row {
				ref, _ := excelize.CoordinatesToCellName(j+1, i+1)
				typ, _ := f.GetCellType(sheet, ref)
				formula, _ := f.GetCellFormula(sheet, ref)
				if v != "" && (typ != excelize.CellTypeSharedString && typ != excelize.CellTypeInlineString || formula != "") {
					t.Errorf("%s %s %q: type %v formula %q, want text", lang, ref, v, typ, formula)
				}
			}
		}
	}

	// Every read was logged: who, which round, how; never the data.
	logs := e.logs.String()
	reads := regexp.MustCompile(`msg="invitation list read".*`).FindAllString(logs, -1)
	if len(reads) != 6 {
		t.Fatalf("%d reads logged, want 6:\n%s", len(reads), logs)
	}
	for i, line := range reads {
		format := []string{"page", "csv", "xlsx"}[i%3]
		if !strings.Contains(line, "survey=regional-2025") || !strings.Contains(line, "format="+format) ||
			!strings.Contains(line, "entries=4") || i%3 == 0 && !strings.Contains(line, "user_id="+itoa(int(coord.ID))) {
			t.Errorf("log line %d: %s", i, line)
		}
	}
	for _, p := range []contactPerson{liga, janis, oskars, rasma} {
		for _, v := range []string{p.name, p.email} {
			if strings.Contains(logs, v) {
				t.Errorf("the log holds %q", v)
			}
		}
	}
}

// TestContactListNotForViewers: a viewer gets 403 on the page and both
// downloads, and sees no link to them on the tracker; an API token — a
// viewer's or a coordinator's — opens none of them (they are pages, not
// the API).
func TestContactListNotForViewers(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	viewer, viewerCk := e.user("viewer")
	coord, coordCk := e.user("coordinator")
	_, adminCk := e.user("admin")
	e.invite("aluksne")
	e.submitAnswers("aluksne", fullWith(t, liga.answers(true)))
	base := "/surveys/" + e.sv.Slug + "/contact-list"
	tokens := map[string]string{"viewer": e.apiToken(adminCk, viewer.Email), "coordinator": e.apiToken(adminCk, coord.Email)}
	for _, path := range []string{base, base + ".csv", base + ".xlsx"} {
		r := e.as(viewerCk, "GET", path, nil)
		wantStatus(t, r, http.StatusForbidden)
		if strings.Contains(r.body, liga.name) || strings.Contains(r.body, liga.email) {
			t.Errorf("viewer %s: the data is in the refusal", path)
		}
		for who, token := range tokens {
			r := e.as(nil, "GET", path, nil, "Authorization", "Bearer "+token)
			if r.status == http.StatusOK || strings.Contains(r.body, liga.name) || strings.Contains(r.body, liga.email) {
				t.Errorf("%s's API token on %s: %d", who, path, r.status)
			}
		}
		wantStatus(t, e.as(coordCk, "GET", path, nil), http.StatusOK)
	}
	reads := regexp.MustCompile(`msg="invitation list read".*`).FindAllString(e.logs.String(), -1)
	if len(reads) != 3 || slices.ContainsFunc(reads, func(l string) bool { return !strings.Contains(l, "user_id="+itoa(int(coord.ID))+" ") }) {
		t.Errorf("reads logged, want the coordinator's three only:\n%s", strings.Join(reads, "\n"))
	}
	link := `href="` + base + `"`
	if r := e.as(viewerCk, "GET", "/surveys/"+e.sv.Slug, nil); r.status != http.StatusOK || strings.Contains(r.body, link) {
		t.Errorf("viewer's tracker (%d) links to the list", r.status)
	}
	if r := e.as(coordCk, "GET", "/surveys/"+e.sv.Slug, nil); !strings.Contains(r.body, link) || !strings.Contains(r.body, "Uzaicināmo saraksts") {
		t.Error("coordinator's tracker has no link to the list")
	}
}

// TestContactListEmptyAndWithoutBlock: before anyone agreed the page says
// so and offers no download; a round whose stored questionnaire has no
// contact_list (made before the block existed) says it names no consent
// question, and its downloads are 404 with that message.
func TestContactListEmptyAndWithoutBlock(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	_, ck := e.user("coordinator")
	e.submitAnswers("cesis", fullWith(t, absent1.answers(false)))
	r := e.as(ck, "GET", "/surveys/"+e.sv.Slug+"/contact-list", nil)
	wantStatus(t, r, http.StatusOK)
	if !strings.Contains(r.body, "neviens respondents iesniegtajā anketā nav piekritis") || strings.Contains(r.body, "contact-list.csv") ||
		strings.Contains(r.body, absent1.name) {
		t.Errorf("empty list: %.2000s", r.body)
	}

	def, err := parseDef(e.sv)
	must(t, err)
	var doc map[string]any
	must(t, json.Unmarshal(def.JSON(), &doc))
	delete(doc, "contact_list")
	doc["slug"] = "old-2025"
	js, _ := json.Marshal(doc)
	old, err := survey.Parse(js, "old")
	must(t, err)
	sv, _, err := e.m.EnsureRound(ctx, old, e.opens, e.closes)
	must(t, err)
	base := "/surveys/" + sv.Slug + "/contact-list"
	for _, c := range []struct{ lang, says string }{
		{"lv", "Šīs kārtas anketā nav norādīts piekrišanas jautājums"},
		{"en", "This round&#39;s questionnaire names no consent question"},
	} {
		r := e.as(ck, "GET", base+"?lang="+c.lang, nil)
		wantStatus(t, r, http.StatusOK)
		if !strings.Contains(r.body, c.says) || strings.Contains(r.body, "contact-list.csv") {
			t.Errorf("%s: %.2000s", c.lang, r.body)
		}
		for _, path := range []string{base + ".csv", base + ".xlsx"} {
			r := e.as(ck, "GET", path+"?lang="+c.lang, nil)
			wantStatus(t, r, http.StatusNotFound)
			if !strings.Contains(r.body, c.says) {
				t.Errorf("%s %s: %.2000s", c.lang, path, r.body)
			}
		}
	}
}

// TestBrowserContactList: in Chromium a coordinator goes from the tracker
// to the invitation list, which shows the respondents who agreed; the
// list and the tracker fit a 1366 px screen and a 390 px phone without
// scrolling sideways, in both languages ($SCREENSHOT_DIR keeps
// screenshots).
func TestBrowserContactList(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	e.realTime()
	coord, _ := e.user("coordinator")
	contactRound(t, e)
	ts := httptest.NewServer(e.srv)
	defer ts.Close()
	c := browser(t)
	signIn(t, c, ts.URL, coord.Email)
	tracker := "/surveys/" + e.sv.Slug
	must(t, chromedp.Do(c, chromedp.Navigate(ts.URL+tracker)))
	follow(t, c, `main a[href="`+tracker+`/contact-list"]`)
	wantPath(t, c, tracker+"/contact-list")
	wantExact(t, c, "main h1", "Uzaicināmie uz padomes sēdi")
	wantExact(t, c, "#c-aluksne th", "Alūksnes novads")
	wantText(t, c, "#c-aluksne", liga.email)
	wantText(t, c, "#c-adazi .c-phone", "Nav atbildes") // for screen readers; "—" on screen
	if n := eval[int](t, c, `document.querySelectorAll('table.contact-list tbody tr').length`); n != 4 {
		t.Errorf("%d rows, want 4", n)
	}
	for _, w := range []int64{1366, 390} {
		for _, lang := range []string{"lv", "en"} {
			fitsWidth(t, c, ts.URL+tracker+"/contact-list?lang="+lang, "contact-list-"+lang, w)
		}
		// The tracker's table scrolls in its own box on a phone; the page
		// itself does not, and the list's link is in view.
		for _, lang := range []string{"lv", "en"} {
			must(t, chromedp.Do(c, chromedp.EmulateViewport(w, 900), chromedp.Navigate(ts.URL+tracker+"?lang="+lang)))
			if v := eval[[]int](t, c, `[document.documentElement.scrollWidth, window.innerWidth]`); v[0] > v[1] {
				t.Errorf("tracker (%s) at %d px: the page is %d px wide", lang, w, v[0])
			}
			if v := eval[[]int](t, c, `(function () { var r = document.querySelector('main a[href$="/contact-list"]').getBoundingClientRect(); return [Math.round(r.left), Math.round(r.right)]; })()`); v[0] < 0 || v[1] > int(w) {
				t.Errorf("tracker (%s) at %d px: the list's link is at %v", lang, w, v)
			}
			if dir := os.Getenv("SCREENSHOT_DIR"); dir != "" {
				png, err := chromedp.Run(c, chromedp.CaptureScreenshot())
				must(t, err)
				must(t, os.WriteFile(filepath.Join(dir, fmt.Sprintf("tracker-%s-%d.png", lang, w)), png, 0o644))
			}
		}
	}
}
