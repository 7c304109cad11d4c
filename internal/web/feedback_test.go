package web_test

import (
	"archive/zip"
	"bytes"
	"io"
	"net/http"
	"regexp"
	"strings"
	"testing"

	"github.com/civitas-lv/surveyd/internal/domain"
	"github.com/civitas-lv/surveyd/internal/store"
)

// feedbackRound fills the round for the feedback tests: 14 municipalities
// with synthetic submitted answers (manage.Demo) into which every
// municipality's own markers are planted — personal answers, an "other"
// text, unpublishable free text, a publishable lesson — plus contacts for
// each; Cēsis saves a draft full of markers and never submits. pb_lessons
// is made publishable. It returns the submitted municipalities' codes.
func (e *env) feedbackRound() []string {
	e.t.Helper()
	t := e.t
	// Cēsis first, so that Demo leaves it alone: a draft only.
	wantStatus(t, e.put("cesis", 0, `{"resp_name":"DRAFT-NAME-cesis","population":777777,"pb_lessons":"DRAFT-LESSON-cesis"}`), http.StatusOK)
	if _, err := e.m.Demo(ctx, domain.OperatorPrincipal(), e.sv.Slug, 14, 7); err != nil {
		t.Fatal(err)
	}
	def, err := parseDef(e.sv)
	must(t, err)
	munis, err := e.st.Municipalities(ctx)
	must(t, err)
	var codes []string
	for _, mu := range munis {
		resp, err := e.st.Response(ctx, e.sv.ID, mu.Code)
		if err != nil || resp.SubmittedJSON == nil {
			continue
		}
		codes = append(codes, mu.Code)
		a, err := resp.Answers()
		must(t, err)
		c := mu.Code
		a["resp_name"], a["resp_position"] = "PERSONAL-NAME-"+c, "PERSONAL-POSITION-"+c
		a["resp_email"], a["resp_phone"] = "personal-email-"+c+"@example.lv", "+371 6700 0"+itoa(len(codes)%10)+"99"
		a["ngo_obstacles"], a["final_comments"] = "SECRET-OBSTACLES-"+c, "SECRET-FINAL-"+c
		a["pb_lessons"] = "PUBLIC-LESSON-" + c
		if forms, _ := a["ngo_forms"].([]string); len(forms) > 0 && forms[0] != "none" && !strings.Contains(strings.Join(forms, ","), "other") {
			a["ngo_forms"], a["ngo_forms_other"] = append(forms, "other"), "OTHER-TEXT-"+c
		}
		_, err = e.st.Apply(ctx, store.Change{SurveyID: e.sv.ID, Municipality: c, DefinitionSHA256: e.sv.DefinitionSHA256,
			BaseVersion: resp.Version, Answers: a, Submit: true, Actor: domain.Actor{Kind: domain.ActorSystem, Note: "test"}})
		must(t, err)
		must(t, e.st.ReplaceContacts(ctx, c, []domain.Contact{{Email: "contact-" + c + "@example.lv", Name: "CONTACT-NAME-" + c}}))
	}
	if len(codes) != 14 {
		t.Fatalf("%d municipalities submitted: %v", len(codes), codes)
	}
	must(t, e.m.SetPublishable(ctx, domain.OperatorPrincipal(), e.sv, def, "pb_lessons", true))
	return codes
}

// secretMarker matches what feedbackRound plants that no report may show:
// personal answers (the report's own municipality's too: they are not part
// of it), contacts, unpublishable and "other" texts, the draft.
var secretMarker = regexp.MustCompile(`PERSONAL-[A-Z]+-|personal-email-|\+371 6700|SECRET-[A-Z]+-|OTHER-TEXT-|CONTACT-|contact-[a-z]+@|DRAFT-|777777`)

// TestFeedbackPreview: a coordinator sees a municipality's report in the
// workspace — the title, the .xlsx link, the English switch, the areas —
// with other municipalities' publishable lessons and nothing of their
// personal answers, contacts, unpublishable or "other" texts, nor of a
// draft; the .xlsx holds none of them either, in any of its parts.
func TestFeedbackPreview(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	codes := e.feedbackRound()
	_, ck := e.user("coordinator")
	me := codes[0]
	mu, err := e.st.Municipality(ctx, me)
	must(t, err)
	base := "/surveys/" + e.sv.Slug + "/feedback/" + me

	r := e.as(ck, "GET", base, nil)
	wantStatus(t, r, http.StatusOK)
	for _, want := range []string{"<h1>" + htmlEscape(mu.NameLV) + "</h1>", `href="` + base + `/report.xlsx?lang=lv"`,
		`href="` + base + `?lang=en"`, "Lejupielādēt .xlsx", `<h2 id="fb-h-summary">Kopsavilkums</h2>`,
		`<h2 id="fb-h-pb">Līdzdalības budžets</h2>`, "Salīdzinātas", "PUBLIC-LESSON-" + codes[1], "PUBLIC-LESSON-" + codes[13],
		"NVO atbalsts uz iedzīvotāju, EUR", `<svg class="fb-chart"`} {
		if want == "Salīdzinātas" {
			want = "Jūsu atbildes salīdzinātas ar visām pašvaldībām, kas iesniegušas atbildes (14 pašvaldības)"
		}
		if !strings.Contains(r.body, want) {
			t.Errorf("the preview lacks %q", want)
		}
	}
	if m := secretMarker.FindAllString(r.body, 5); len(m) > 0 {
		t.Errorf("the preview shows %q", m)
	}
	if strings.Contains(r.body, " style=") || strings.Count(r.body, "<h1") != 1 {
		t.Error("an inline style, or not exactly one h1")
	}
	if got := r.header.Get("Cache-Control"); got != "no-store" {
		t.Errorf("Cache-Control %q", got)
	}

	// In English.
	r = e.as(ck, "GET", base+"?lang=en", nil)
	wantStatus(t, r, http.StatusOK)
	for _, want := range []string{"<h1>" + htmlEscape(mu.NameEN) + "</h1>", "Download .xlsx", "Report in Latvian",
		`<h2 id="fb-h-summary">Summary</h2>`, "Participatory budget", "of 14"} {
		if !strings.Contains(r.body, want) {
			t.Errorf("the English preview lacks %q", want)
		}
	}
	if m := secretMarker.FindAllString(r.body, 5); len(m) > 0 {
		t.Errorf("the English preview shows %q", m)
	}

	// The workbook: every part of the zip.
	for _, l := range []string{"lv", "en"} {
		r = e.as(ck, "GET", base+"/report.xlsx?lang="+l, nil)
		wantStatus(t, r, http.StatusOK)
		if ct := r.header.Get("Content-Type"); !strings.HasPrefix(ct, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet") {
			t.Errorf("Content-Type %q", ct)
		}
		wantName := map[string]string{"lv": "atgriezeniska-saite", "en": "feedback"}[l]
		if cd := r.header.Get("Content-Disposition"); cd != `attachment; filename="`+e.sv.Slug+"-"+me+"-"+wantName+`.xlsx"` {
			t.Errorf("Content-Disposition %q", cd)
		}
		zr, err := zip.NewReader(strings.NewReader(r.body), int64(len(r.body)))
		must(t, err)
		var all bytes.Buffer
		charts := 0
		for _, zf := range zr.File {
			rc, err := zf.Open()
			must(t, err)
			_, err = io.Copy(&all, rc)
			must(t, err)
			rc.Close()
			if strings.HasPrefix(zf.Name, "xl/charts/chart") {
				charts++
			}
		}
		if m := secretMarker.FindAllString(all.String(), 5); len(m) > 0 {
			t.Errorf("%s: the workbook holds %q", l, m)
		}
		if !strings.Contains(all.String(), "PUBLIC-LESSON-"+codes[1]) || charts < 10 {
			t.Errorf("%s: the workbook lacks the lessons or charts (%d)", l, charts)
		}
	}
}

// TestFeedbackPreviewRefusals: a viewer may not see a report (403); a
// municipality that has not submitted — a draft, nothing at all, an
// unknown code — has none ("Lapa nav atrasta", 404), nor a workbook.
func TestFeedbackPreviewRefusals(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	e.submitFull("riga")
	wantStatus(t, e.put("cesis", 0, `{"population":1000}`), http.StatusOK)
	_, viewer := e.user("viewer")
	_, coord := e.user("coordinator")
	_, admin := e.user("admin")
	base := "/surveys/" + e.sv.Slug + "/feedback/"
	for _, path := range []string{base + "riga", base + "riga/report.xlsx"} {
		wantStatus(t, e.as(viewer, "GET", path, nil), http.StatusForbidden)
		wantStatus(t, e.as(admin, "GET", path, nil), http.StatusOK)
		wantStatus(t, e.as(coord, "GET", path, nil), http.StatusOK)
		if r := e.as(nil, "GET", path, nil); r.status != http.StatusSeeOther && r.status != http.StatusUnauthorized {
			t.Errorf("anonymous %s: %d", path, r.status)
		}
	}
	for _, code := range []string{"cesis", "ogre", "nekurienes"} {
		r := e.as(coord, "GET", base+code, nil)
		wantStatus(t, r, http.StatusNotFound)
		if !strings.Contains(r.body, "Lapa nav atrasta") ||
			!strings.Contains(r.body, "Šī pašvaldība šajā aptaujas kārtā nav iesniegusi atbildes, tāpēc tai nav atgriezeniskās saites pārskata.") {
			t.Errorf("%s: %.400s", code, r.body)
		}
		r = e.as(coord, "GET", base+code+"/report.xlsx?lang=en", nil)
		wantStatus(t, r, http.StatusNotFound)
		if !strings.Contains(r.body, "Page not found") || !strings.Contains(r.body, "has not submitted answers in this round") {
			t.Errorf("%s (en): %.400s", code, r.body)
		}
	}
	// A round that does not exist.
	wantStatus(t, e.as(coord, "GET", "/surveys/nav-tadas/feedback/riga", nil), http.StatusNotFound)
	// One respondent in all: the report says there is too little to compare.
	r := e.as(coord, "GET", base+"riga", nil)
	if !strings.Contains(r.body, "Salīdzinājumam vēl par maz atbilžu.") || strings.Contains(r.body, `<svg class="fb-chart"`) {
		t.Error("a report from one response compares something")
	}
}
