package reports

import (
	"archive/zip"
	"bytes"
	"errors"
	"io"
	"math"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/civitas-lv/surveyd/internal/domain"
	"github.com/civitas-lv/surveyd/survey"
	"github.com/xuri/excelize/v2"
)

// fbDef: two personal questions, a number (pop) in the first area; in the
// second a single choice, a number shown only for one of its answers, a
// multiple choice with "other", an amount, a yes/no, a year, a
// publishable and an unpublishable free text; and an indicator.
const fbDef = `format: 1
slug: fb-test
title: {lv: Atgriezeniskās saites tests, en: Feedback test}
reference_year: 2025
sections:
  - code: resp
    title: {lv: Par respondentu, en: About the respondent}
    questions:
      - {code: name, type: text, personal: true, text: {lv: Vārds, en: Name}}
      - {code: email, type: email, personal: true, text: {lv: E-pasts, en: E-mail}}
      - {code: pop, type: int, min: 1, text: {lv: Iedzīvotāju skaits, en: Residents}}
  - code: sup
    title: {lv: Atbalsts, en: Support}
    questions:
      - code: status
        type: single
        text: {lv: Vai ir līgumi?, en: Any agreements?}
        options:
          - {code: "yes", text: {lv: "Jā, ir", en: "Yes"}}
          - {code: planned, text: {lv: Plānots, en: Planned}}
          - {code: "no", text: {lv: Nav, en: None}}
      - {code: count, type: int, min: 0, show_if: "status = 'yes'", text: {lv: Līgumu skaits, en: Agreements}}
      - code: forms
        type: multi
        other: true
        text: {lv: Atbalsta veidi, en: Forms of support}
        options:
          - {code: grants, text: {lv: Granti, en: Grants}}
          - {code: premises, text: {lv: Telpas, en: Premises}}
          - {code: training, text: {lv: Mācības, en: Training}}
          - {code: none, exclusive: true, text: {lv: Nekas, en: Nothing}}
      - {code: amount, type: money, min: 0, text: {lv: Atbalsts EUR, en: Support EUR}}
      - {code: council, type: yesno, text: {lv: Vai ir padome?, en: Is there a council?}}
      - {code: since, type: year, min: 2010, max: reference_year, text: {lv: Kopš, en: Since}}
      - {code: note, type: longtext, text: {lv: Piezīmes, en: Notes}}
      - {code: secret, type: longtext, text: {lv: Iekšējās piezīmes, en: Internal notes}}
indicators:
  - {code: per_resident, formula: "amount / pop", unit: EUR, decimals: 2, text: {lv: Atbalsts uz iedzīvotāju, en: Support per resident}}
`

// fbMarkers are strings planted where no other municipality may ever see
// them: personal answers, contacts, unpublishable and "other" texts, and
// everything of a draft and of a response returned for correction.
var fbMarkers = []string{"PERSONAL-NAME", "personal-email", "CONTACT-ADDR", "SECRET-TEXT", "OTHER-TEXT",
	"DRAFT-NOTE", "RETURNED-NOTE", "777777", "888888"}

// fbRows: ten submitted municipalities — five in Vidzeme (A–E), two in
// Kurzeme (F, G), three in Latgale (H, I, J) — a draft (Rīga region) and
// one returned for correction (Zemgale), which must not count.
//
//	     pop    status  count forms                   amount council since per_resident
//	A    1000   yes     3     grants premises          100   yes     2020  0.1
//	B    2000   yes     5     grants                   200   yes     2021  0.1
//	C    4000   planned -     grants training          300   no      2022  0.075
//	D    5000   yes     1     premises                 300   yes     2023  0.06
//	E   10000   no      -     grants premises other    500   yes     2024  0.05
//	F     500   yes     4     none                      50   no      2019  0.1
//	G   20000   no      -     grants                  1000   -       -     0.05
//	H     800   yes     2     grants training            0   yes     2018  0
//	I    4000   planned -     premises                 400   yes     -     0.1
//	J    8000   yes     6     grants                   700   no      -     0.0875
func fbRows(t testing.TB) (*survey.Definition, []Row) {
	t.Helper()
	def, err := survey.Parse([]byte(fbDef), "fb-test")
	if err != nil {
		t.Fatal(err)
	}
	type m struct {
		code, lv, en, region, status string
		a                            string // answers as JSON
	}
	list := []m{
		{"aluksne", "Alūksnes novads", "Aluksne Municipality", "Vidzemes", domain.StatusSubmitted,
			`{"name":"PERSONAL-NAME-A","email":"personal-email-a@example.lv","pop":1000,"status":"yes","count":3,"forms":["grants","premises"],"amount":100,"council":true,"since":2020,"note":"PUBLIC-NOTE-ALUKSNE","secret":"SECRET-TEXT-A"}`},
		{"cesis", "Cēsu novads", "Cesis Municipality", "Vidzemes", domain.StatusSubmitted,
			`{"name":"PERSONAL-NAME-B","pop":2000,"status":"yes","count":5,"forms":["grants"],"amount":200,"council":true,"since":2021,"secret":"SECRET-TEXT-B"}`},
		{"gulbene", "Gulbenes novads", "Gulbene Municipality", "Vidzemes", domain.StatusSubmitted,
			`{"name":"PERSONAL-NAME-C","email":"personal-email-c@example.lv","pop":4000,"status":"planned","forms":["grants","training"],"amount":300,"council":false,"since":2022,"note":"=1+2 PUBLIC-FORMULA-GULBENE","secret":"SECRET-TEXT-C"}`},
		{"madona", "Madonas novads", "Madona Municipality", "Vidzemes", domain.StatusSubmitted,
			`{"name":"PERSONAL-NAME-D","pop":5000,"status":"yes","count":1,"forms":["premises"],"amount":300,"council":true,"since":2023}`},
		{"valmiera", "Valmieras novads", "Valmiera Municipality", "Vidzemes", domain.StatusSubmitted,
			`{"name":"PERSONAL-NAME-E","pop":10000,"status":"no","forms":["grants","premises","other"],"forms_other":"OTHER-TEXT-E","amount":500,"council":true,"since":2024}`},
		{"kuldiga", "Kuldīgas novads", "Kuldiga Municipality", "Kurzemes", domain.StatusSubmitted,
			`{"name":"PERSONAL-NAME-F","pop":500,"status":"yes","count":4,"forms":["none"],"amount":50,"council":false,"since":2019,"note":"PUBLIC-NOTE-KULDIGA"}`},
		{"liepaja", "Liepājas valstspilsēta", "Liepaja State City", "Kurzemes", domain.StatusSubmitted,
			`{"name":"PERSONAL-NAME-G","pop":20000,"status":"no","forms":["grants"],"amount":1000}`},
		{"kraslava", "Krāslavas novads", "Kraslava Municipality", "Latgales", domain.StatusSubmitted,
			`{"pop":800,"status":"yes","count":2,"forms":["grants","training"],"amount":0,"council":true,"since":2018}`},
		{"ludza", "Ludzas novads", "Ludza Municipality", "Latgales", domain.StatusSubmitted,
			`{"pop":4000,"status":"planned","forms":["premises"],"amount":400,"council":true}`},
		{"rezekne", "Rēzeknes novads", "Rezekne Municipality", "Latgales", domain.StatusSubmitted,
			`{"pop":8000,"status":"yes","count":6,"forms":["grants"],"amount":700,"council":false}`},
		{"ogre", "Ogres novads", "Ogre Municipality", "Rīgas", domain.StatusDraft,
			`{"name":"PERSONAL-NAME-DRAFT","pop":99999,"status":"yes","count":99,"forms":["training"],"amount":777777,"note":"DRAFT-NOTE-OGRE"}`},
		{"tukums", "Tukuma novads", "Tukums Municipality", "Zemgales", domain.StatusReturned,
			`{"pop":88888,"status":"no","forms":["none"],"amount":888888,"note":"RETURNED-NOTE-TUKUMS"}`},
	}
	var rows []Row
	for _, x := range list {
		a, err := survey.DecodeAnswers([]byte(x.a))
		if err != nil {
			t.Fatal(err)
		}
		rows = append(rows, Row{Municipality: domain.Municipality{Code: x.code, NameLV: x.lv, NameEN: x.en, Kind: "novads",
			PlanningRegion: x.region, StatisticalRegion: x.region}, Status: x.status, Answers: a,
			Contacts: []string{"CONTACT-ADDR-" + x.code + "@example.lv"}})
	}
	return def, rows
}

// fbBuild builds the report of one municipality of fbRows in lang.
func fbBuild(t testing.TB, code, lang string) *Feedback {
	t.Helper()
	def, rows := fbRows(t)
	f, err := BuildFeedback(FeedbackInput{Definition: def, Title: def.Title, ReferenceYear: 2025, Municipality: code,
		Rows: rows, Lang: lang, Generated: time.Date(2026, 11, 29, 14, 2, 0, 0, riga),
		// "name" is personal and forms_other an "other" text: neither may
		// appear whatever the map says.
		Publishable: map[string]bool{"note": true, "secret": false, "name": true, "forms_other": true}})
	if err != nil {
		t.Fatal(err)
	}
	return f
}

func (f *Feedback) item(code string) *FeedbackItem {
	for _, s := range f.Sections {
		for _, it := range s.Items {
			if it.Code == code {
				return it
			}
		}
	}
	return nil
}

func (f *Feedback) summaryOf(code string) *FeedbackSummary {
	for _, s := range f.Summary {
		if s.Code == code {
			return s
		}
	}
	return nil
}

func near(a, b float64) bool { return math.Abs(a-b) < 1e-9 }

// TestFeedbackNumbers: the figures of a number, its indicator and their
// standing, worked out by hand.
func TestFeedbackNumbers(t *testing.T) {
	t.Parallel()
	f := fbBuild(t, "gulbene", "lv") // C
	if f.Respondents != 10 || f.RegionRespondents != 5 || f.Region != "Vidzemes" {
		t.Fatalf("respondents %d, region %q with %d", f.Respondents, f.Region, f.RegionRespondents)
	}
	// amount, all ten sorted: 0 50 100 200 300 300 400 500 700 1000.
	// QUARTILE.INC: h = p·(n−1) = p·9. Q1: h 2.25 → 100 + .25·100 = 125;
	// median: h 4.5 → 300 + .5·0 = 300; Q3: h 6.75 → 400 + .75·100 = 475.
	// C has 300: equal to the median; larger values 400 500 700 1000 →
	// 5th (D's 300 shares it).
	// Vidzeme (A–E): 100 200 300 300 500, h = p·4: Q1 200, median 300,
	// Q3 300; larger than 300: 500 → 2nd of 5. The other regions have 5
	// answers, so the region is shown, and the bins are split.
	it := f.item("amount")
	all, reg := it.Groups[0], it.Groups[1]
	if !all.Shown || all.N != 10 || !near(all.Q1, 125) || !near(all.Median, 300) || !near(all.Q3, 475) {
		t.Errorf("amount, all: %+v", all)
	}
	if all.Q1Text != "125,00\u00a0EUR" || all.MedianText != "300,00\u00a0EUR" || all.Q3Text != "475,00\u00a0EUR" {
		t.Errorf("amount, all, as text: %q %q %q", all.Q1Text, all.MedianText, all.Q3Text)
	}
	if all.Rank != 5 || all.Position != 0 || all.Standing != "vienāds ar mediānu; 5. vieta no 10" {
		t.Errorf("amount, all, standing: %d %d %q", all.Rank, all.Position, all.Standing)
	}
	if !reg.Shown || reg.N != 5 || !near(reg.Q1, 200) || !near(reg.Median, 300) || !near(reg.Q3, 300) ||
		reg.Standing != "vienāds ar mediānu; 2. vieta no 5" || reg.Name != "Vidzemes reģions" {
		t.Errorf("amount, Vidzeme: %+v", reg)
	}
	if it.OwnText != "300,00\u00a0EUR" || it.State != FeedbackAnswered {
		t.Errorf("amount, own: %q %s", it.OwnText, it.State)
	}
	// Four bins would be 250 wide, rounded up to 500: [0, 500) holds 0–400
	// (7, of them Vidzeme's 100 200 300 300), [500, 1000) 500 and 700
	// (2, Vidzeme's 500), [1000, 1500) 1000 (1). C's 300 is in the first.
	want := []FeedbackBin{{Label: "0–500", Lo: 0, Hi: 500, Count: 7, Region: 4, Own: true},
		{Label: "500–1000", Lo: 500, Hi: 1000, Count: 2, Region: 1}, {Label: "1000–1500", Lo: 1000, Hi: 1500, Count: 1}}
	if !it.Split || !slices.Equal(it.Bins, want) {
		t.Errorf("amount bins (split %v): %+v", it.Split, it.Bins)
	}

	// B (200): below; 6 larger → 7th of 10; Vidzeme: 300 300 500 larger → 4th of 5.
	b := fbBuild(t, "cesis", "lv").item("amount")
	if b.Groups[0].Standing != "zem mediānas; 7. vieta no 10" || b.Groups[1].Standing != "zem mediānas; 4. vieta no 5" {
		t.Errorf("B: %q, %q", b.Groups[0].Standing, b.Groups[1].Standing)
	}
	// E (500): above; 700 1000 larger → 3rd; first in Vidzeme.
	e := fbBuild(t, "valmiera", "lv").item("amount")
	if e.Groups[0].Standing != "virs mediānas; 3. vieta no 10" || e.Groups[1].Standing != "virs mediānas; 1. vieta no 5" {
		t.Errorf("E: %q, %q", e.Groups[0].Standing, e.Groups[1].Standing)
	}

	// per_resident = amount / pop, sorted: 0 .05 .05 .06 .075 .0875 .1 .1
	// .1 .1. Q1: h 2.25 → .05 + .25·.01 = .0525; median: h 4.5 → .075 +
	// .5·.0125 = .08125; Q3: h 6.75 → .1. C's .075 is below; larger:
	// .0875 and four .1 → 6th of 10. Vidzeme: .05 .06 .075 .1 .1 → median
	// .075: equal, 3rd of 5.
	ind := f.item("per_resident")
	if ind == nil || ind.Kind != FeedbackIndicator {
		t.Fatalf("the indicator is not with its area: %+v", ind)
	}
	ia, ir := ind.Groups[0], ind.Groups[1]
	if !near(ia.Q1, .0525) || !near(ia.Median, .08125) || !near(ia.Q3, .1) || ia.Standing != "zem mediānas; 6. vieta no 10" {
		t.Errorf("indicator, all: %+v", ia)
	}
	if !near(ir.Median, .075) || ir.Standing != "vienāds ar mediānu; 3. vieta no 5" {
		t.Errorf("indicator, Vidzeme: %+v", ir)
	}
	if ind.OwnText != "0,08\u00a0EUR" || ia.MedianText != "0,08\u00a0EUR" || ia.Q1Text != "0,05\u00a0EUR" {
		t.Errorf("indicator as text: own %q, median %q, Q1 %q", ind.OwnText, ia.MedianText, ia.Q1Text)
	}

	// count is shown only to those with agreements: A 3, B 5, D 1, F 4,
	// H 2, J 6. All six: Q1 h 1.25 → 2.25, median h 2.5 → 3.5, Q3 h 3.75
	// → 4.75 (whole numbers' figures with one decimal). C was not shown
	// the question. Vidzeme has 3 answers: hidden, with no number (it
	// would tell how many of Vidzeme's 5 have agreements).
	cnt := f.item("count")
	if cnt.State != FeedbackHidden || !strings.Contains(cnt.StateText, "netika rādīts") {
		t.Errorf("count for C: %s %q", cnt.State, cnt.StateText)
	}
	ca, cr := cnt.Groups[0], cnt.Groups[1]
	if !ca.Shown || ca.N != 6 || ca.Q1Text != "2,3" || ca.MedianText != "3,5" || ca.Q3Text != "4,8" || ca.Rank != 0 || ca.Standing != "" {
		t.Errorf("count, all: %+v", ca)
	}
	if cr.Shown || cr.N != 0 || cr.Median != 0 || cr.Note != "Šim jautājumam reģionā par maz atbilžu, lai salīdzinājumā neviena atbilde nebūtu nosakāma." {
		t.Errorf("count, Vidzeme: %+v", cr)
	}
	// A (3): below 3.5; 4 5 6 larger → 4th of 6.
	if s := fbBuild(t, "aluksne", "lv").item("count").Groups[0].Standing; s != "zem mediānas; 4. vieta no 6" {
		t.Errorf("count for A: %q", s)
	}

	// since: 2018 … 2024 (7 answers), Vidzeme has 5 of them and the rest
	// only 2: subtracting would reveal those two, so the region is hidden.
	since := f.item("since")
	if !since.Groups[0].Shown || since.Groups[0].MedianText != "2021" || since.Groups[0].Standing != "virs mediānas; 3. vieta no 7" {
		t.Errorf("since, all: %+v", since.Groups[0])
	}
	if since.Groups[1].Shown || !strings.HasPrefix(since.Groups[1].Note, "Reģiona skaitļi netiek rādīti") || since.Split {
		t.Errorf("since, Vidzeme: %+v (split %v)", since.Groups[1], since.Split)
	}

	// G did not answer council; its other figures still compare.
	g := fbBuild(t, "liepaja", "lv")
	if c := g.item("council"); c.State != FeedbackUnanswered || c.StateText != "Jūs uz šo jautājumu neatbildējāt." || c.Sentences != nil {
		t.Errorf("council for G: %+v", c)
	}
	if s := g.item("pop").Groups[0].Standing; s != "virs mediānas; 1. vieta no 10" {
		t.Errorf("pop for G: %q", s)
	}
}

// TestFeedbackChoices: shares per group, the own choice and the sentences.
func TestFeedbackChoices(t *testing.T) {
	t.Parallel()
	f := fbBuild(t, "gulbene", "lv") // C: planned; grants and training; no council
	// status, all ten: yes 6, planned 2, no 2. Vidzeme: yes 3 (A B D),
	// planned 1, no 1.
	st := f.item("status")
	counts := func(it *FeedbackItem, g int) []int {
		var out []int
		for _, o := range it.Options {
			out = append(out, o.Counts[g])
		}
		return out
	}
	if got := counts(st, 0); !slices.Equal(got, []int{6, 2, 2}) || st.Groups[0].N != 10 {
		t.Errorf("status, all: %v", got)
	}
	if got := counts(st, 1); !slices.Equal(got, []int{3, 1, 1}) || st.Options[0].PercentTexts[1] != "60\u00a0%" {
		t.Errorf("status, Vidzeme: %v %q", got, st.Options[0].PercentTexts[1])
	}
	if !st.Options[1].Own || st.Options[0].Own || st.OwnText != "Plānots" {
		t.Errorf("status, own: %q", st.OwnText)
	}
	if want := []string{"2 no 10 pašvaldībām izvēlējās „Plānots” — jūs arī.", "6 no 10 pašvaldībām izvēlējās „Jā, ir” — jūs ne."}; !slices.Equal(st.Sentences, want) {
		t.Errorf("status sentences:\n%q\nwant\n%q", st.Sentences, want)
	}

	// forms, all ten: grants 7, premises 4, training 2, none 1, other 1;
	// Vidzeme: grants 4, premises 3, training 1, none 0, other 1.
	fo := f.item("forms")
	if got := counts(fo, 0); !slices.Equal(got, []int{7, 4, 2, 1, 1}) {
		t.Errorf("forms, all: %v", got)
	}
	if got := counts(fo, 1); !slices.Equal(got, []int{4, 3, 1, 0, 1}) {
		t.Errorf("forms, Vidzeme: %v", got)
	}
	if fo.Options[4].Label != "Cits" || fo.Options[0].PercentTexts[0] != "70\u00a0%" || fo.OwnText != "Granti; Mācības" {
		t.Errorf("forms: %q %q %q", fo.Options[4].Label, fo.Options[0].PercentTexts[0], fo.OwnText)
	}
	if want := []string{"7 no 10 pašvaldībām izvēlējās „Granti” — jūs arī.", "2 no 10 pašvaldībām izvēlējās „Mācības” — jūs arī."}; !slices.Equal(fo.Sentences, want) {
		t.Errorf("forms sentences for C: %q", fo.Sentences)
	}
	// D chose only premises: grants, which 7 of 10 chose, "— jūs ne".
	if got := fbBuild(t, "madona", "lv").item("forms").Sentences; !slices.Equal(got, []string{
		"7 no 10 pašvaldībām izvēlējās „Granti” — jūs ne.", "4 no 10 pašvaldībām izvēlējās „Telpas” — jūs arī."}) {
		t.Errorf("forms sentences for D: %q", got)
	}
	// E is the only one with "other".
	if got := fbBuild(t, "valmiera", "lv").item("forms").Sentences; !slices.Contains(got, "Tikai jūs izvēlējāties „Cits” (1 no 10).") {
		t.Errorf("forms sentences for E: %q", got)
	}

	// council: 9 answered (G did not): yes 6, no 3. Vidzeme has 5, the
	// rest only 4: hidden, lest the 4 be worked out.
	co := f.item("council")
	if co.Groups[0].N != 9 || co.Options[0].Label != "Jā" || co.Options[0].Counts[0] != 6 || co.Options[1].Counts[0] != 3 {
		t.Errorf("council, all: %+v", co.Options)
	}
	if co.Groups[1].Shown || co.Options[0].Counts[1] != 0 || co.Options[0].PercentTexts[1] != "" {
		t.Errorf("council, Vidzeme is shown: %+v", co.Groups[1])
	}
	if want := []string{"3 no 9 pašvaldībām atbildēja „Nē” — jūs arī.", "6 no 9 pašvaldībām atbildēja „Jā” — jūs ne."}; !slices.Equal(co.Sentences, want) {
		t.Errorf("council sentences: %q", co.Sentences)
	}
}

// TestFeedbackSmallGroups: a region of fewer than five respondents shows no
// figure at all and says how many it has; with fewer than five
// respondents in all, nothing is compared.
func TestFeedbackSmallGroups(t *testing.T) {
	t.Parallel()
	f := fbBuild(t, "kraslava", "lv") // H, Latgale: 3 respondents
	for _, s := range f.Sections {
		for _, it := range s.Items {
			g := it.Groups[1]
			if g.Shown || g.N != 0 || g.Rank != 0 || g.Standing != "" || g.MedianText != "" ||
				g.Note != "Salīdzinājumam par maz atbilžu (3), lai neviena atbilde nebūtu nosakāma." {
				t.Errorf("%s, Latgale: %+v", it.Code, g)
			}
			for _, o := range it.Options {
				if o.Counts[1] != 0 || o.Percents[1] != 0 || o.PercentTexts[1] != "" {
					t.Errorf("%s, Latgale's share of %s: %v", it.Code, o.Code, o.PercentTexts)
				}
			}
			if it.Split {
				t.Errorf("%s: bins split by a region of 3", it.Code)
			}
		}
	}
	if f.item("forms").Groups[0].N != 10 {
		t.Error("all municipalities are not compared")
	}
	if got := fbBuild(t, "kuldiga", "lv").item("amount").Groups[1].Note; got != "Salīdzinājumam par maz atbilžu (2), lai neviena atbilde nebūtu nosakāma." {
		t.Errorf("Kurzeme: %q", got)
	}

	// Four submitted in all: nothing compared, nothing summarised.
	def, rows := fbRows(t)
	var four []Row
	for _, r := range rows[:4] {
		four = append(four, r)
	}
	small, err := BuildFeedback(FeedbackInput{Definition: def, Municipality: "cesis", Rows: four, Lang: "lv"})
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range small.Sections {
		for _, it := range s.Items {
			for _, g := range it.Groups {
				if g.Shown || g.N != 0 || !strings.Contains(g.Note, "(4)") {
					t.Errorf("%s with four respondents: %+v", it.Code, g)
				}
			}
			if len(it.Sentences) > 0 || len(it.Bins) > 0 {
				t.Errorf("%s with four respondents: %q %v", it.Code, it.Sentences, it.Bins)
			}
		}
	}
	if len(small.Summary) != 0 {
		t.Errorf("a summary from four: %+v", small.Summary)
	}
	var html bytes.Buffer
	if err := WriteFeedbackHTML(&html, small, false); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(html.String(), "Salīdzinājumam vēl par maz atbilžu.") || strings.Contains(html.String(), "<svg class=\"fb-chart\"") {
		t.Error("the report of four compares something")
	}
}

// TestFeedbackSummary: per area, what the municipality does that most do
// not, and the reverse — worked out from the table above.
func TestFeedbackSummary(t *testing.T) {
	t.Parallel()
	lines := func(ls []FeedbackLine) []string {
		var out []string
		for _, l := range ls {
			out = append(out, l.Item+": "+l.Text)
		}
		return out
	}
	// C: planned (2 of 10), training (2 of 10), no council (3 of 9) are
	// each fewer than half; amount 300 and the indicator .075 are within
	// the quartiles (125–475, .0525–.1); since is a year (never "more").
	// Its population 4000 is the median: the first area is like most.
	c := fbBuild(t, "gulbene", "lv")
	sup := c.summaryOf("sup")
	if want := []string{"status: „Plānots” — 2 no 10 pašvaldībām", "forms: „Mācības” — 2 no 10 pašvaldībām",
		"council: „Nē” — 3 no 9 pašvaldībām"}; !slices.Equal(lines(sup.Ahead), want) || len(sup.Behind) != 0 {
		t.Errorf("C, support:\n%q\n%q", lines(sup.Ahead), lines(sup.Behind))
	}
	if resp := c.summaryOf("resp"); resp == nil || len(resp.Ahead)+len(resp.Behind) != 0 {
		t.Errorf("C, respondent: %+v", resp)
	}
	// D: premises (4 of 10) yes; grants (7 of 10) no; its one agreement
	// is the fewest of six, below Q1 2.25 (6th of 6).
	d := fbBuild(t, "madona", "lv").summaryOf("sup")
	if !slices.Equal(lines(d.Ahead), []string{"forms: „Telpas” — 4 no 10 pašvaldībām"}) ||
		!slices.Equal(lines(d.Behind), []string{"count: apakšējā ceturtdaļā — 6. vieta no 6 (jums 1, mediāna 3,5)",
			"forms: „Granti” — 7 no 10 pašvaldībām"}) {
		t.Errorf("D:\n%q\n%q", lines(d.Ahead), lines(d.Behind))
	}
	// E: "no" agreements (2 of 10), premises (4), other (1); amount 500
	// above Q3 475 (3rd); the indicator .05 below Q1 .0525 (8th: .06
	// .075 .0875 and four .1 are larger). Its 2024 is the latest year but
	// a year is not summarised. Population 10 000 above Q3 7250
	// (500 800 1000 2000 4000 4000 5000 8000 10000 20000: h 6.75 → 5000 +
	// .75·3000), 2nd.
	e := fbBuild(t, "valmiera", "lv")
	es := e.summaryOf("sup")
	if want := []string{"status: „Nav” — 2 no 10 pašvaldībām", "forms: „Telpas” — 4 no 10 pašvaldībām", "forms: „Cits” — 1 no 10 pašvaldībām",
		"amount: augšējā ceturtdaļā — 3. vieta no 10 (jums 500,00\u00a0EUR, mediāna 300,00\u00a0EUR)"}; !slices.Equal(lines(es.Ahead), want) {
		t.Errorf("E ahead:\n%q\nwant\n%q", lines(es.Ahead), want)
	}
	if want := []string{"per_resident: apakšējā ceturtdaļā — 8. vieta no 10 (jums 0,05\u00a0EUR, mediāna 0,08\u00a0EUR)"}; !slices.Equal(lines(es.Behind), want) {
		t.Errorf("E behind: %q", lines(es.Behind))
	}
	if want := []string{"pop: augšējā ceturtdaļā — 2. vieta no 10 (jums 10\u00a0000, mediāna 4000)"}; !slices.Equal(lines(e.summaryOf("resp").Ahead), want) {
		t.Errorf("E respondent: %q", lines(e.summaryOf("resp").Ahead))
	}
	// In English.
	een := fbBuild(t, "valmiera", "en").summaryOf("sup")
	if got := lines(een.Ahead); got[0] != "status: “None” — 2 of 10 municipalities" ||
		got[3] != "amount: in the top quartile — 3rd of 10 (yours 500.00\u00a0EUR, median 300.00\u00a0EUR)" {
		t.Errorf("E in English: %q", got)
	}
}

// TestFeedbackTexts: publishable free text of every submitted municipality,
// named; nothing else.
func TestFeedbackTexts(t *testing.T) {
	t.Parallel()
	f := fbBuild(t, "madona", "lv")
	var texts []*FeedbackTexts
	for _, s := range f.Sections {
		texts = append(texts, s.Texts...)
	}
	if len(texts) != 1 || texts[0].Code != "note" {
		t.Fatalf("texts: %+v", texts)
	}
	want := []FeedbackText{{"Alūksnes novads", false, "PUBLIC-NOTE-ALUKSNE"}, {"Gulbenes novads", false, "=1+2 PUBLIC-FORMULA-GULBENE"},
		{"Kuldīgas novads", false, "PUBLIC-NOTE-KULDIGA"}}
	if !slices.Equal(texts[0].Answers, want) {
		t.Errorf("texts: %+v", texts[0].Answers)
	}
	if own := fbBuild(t, "aluksne", "en").Sections[1].Texts[0].Answers[0]; !own.Own || own.Municipality != "Aluksne Municipality" {
		t.Errorf("own text in English: %+v", own)
	}
}

// TestFeedbackNotInRound: only a submitted municipality has a report.
func TestFeedbackNotInRound(t *testing.T) {
	t.Parallel()
	def, rows := fbRows(t)
	for _, code := range []string{"ogre", "tukums", "riga"} { // a draft, returned, absent
		if _, err := BuildFeedback(FeedbackInput{Definition: def, Municipality: code, Rows: rows}); !errors.Is(err, ErrNotInRound) {
			t.Errorf("%s: %v", code, err)
		}
	}
}

// TestFeedbackEnglish: the English wording and numbers.
func TestFeedbackEnglish(t *testing.T) {
	t.Parallel()
	f := fbBuild(t, "gulbene", "en")
	amount := f.item("amount")
	if amount.Groups[0].Standing != "equal to the median; 5th of 10" || amount.Groups[1].Name != "Vidzeme region" ||
		amount.Groups[0].Q3Text != "475.00\u00a0EUR" {
		t.Errorf("amount in English: %+v", amount.Groups)
	}
	if s := fbBuild(t, "cesis", "en").item("amount").Groups[0].Standing; s != "below the median; 7th of 10" {
		t.Errorf("B in English: %q", s)
	}
	if s := fbBuild(t, "aluksne", "en").item("count").Groups[0].Standing; s != "below the median; 4th of 6" {
		t.Errorf("A's count in English: %q", s)
	}
	if want := []string{"7 of 10 municipalities chose “Grants” — you too.", "2 of 10 municipalities chose “Training” — you too."}; !slices.Equal(f.item("forms").Sentences, want) {
		t.Errorf("sentences in English: %q", f.item("forms").Sentences)
	}
	if got := fbBuild(t, "kraslava", "en").item("amount").Groups[1].Note; got != "Too few answers to compare (3) without revealing individual answers." {
		t.Errorf("few in English: %q", got)
	}
	var html bytes.Buffer
	if err := WriteFeedbackHTML(&html, f, true); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{`<html lang="en">`, "<h1>Gulbene Municipality</h1>", "Summary", "Support per resident",
		"equal to the median; 5th of 10", "Data as of 29 November 2026, 14:02.", "Vidzeme planning region (5 municipalities)"} {
		if !strings.Contains(html.String(), want) {
			t.Errorf("the English report lacks %q", want)
		}
	}
}

// TestOrdinalsAndCounts: English ordinals and Latvian noun forms.
func TestOrdinalsAndCounts(t *testing.T) {
	t.Parallel()
	for n, want := range map[int]string{1: "1st", 2: "2nd", 3: "3rd", 4: "4th", 11: "11th", 12: "12th", 13: "13th", 21: "21st",
		22: "22nd", 101: "101st", 111: "111th", 112: "112th"} {
		if got := ordinal(n); got != want {
			t.Errorf("ordinal(%d) = %q", n, got)
		}
	}
	for n, want := range map[int]string{1: "1 pašvaldība", 2: "2 pašvaldības", 9: "9 pašvaldības", 11: "11 pašvaldības",
		21: "21 pašvaldība", 27: "27 pašvaldības", 31: "31 pašvaldība", 111: "111 pašvaldības"} {
		if got := municipalities(n, "lv"); got != want {
			t.Errorf("municipalities(%d) = %q", n, got)
		}
	}
	b := &feedbackBuilder{lang: "lv"}
	if got := b.ofMunicipalities(21); got != "21 pašvaldības" {
		t.Errorf("no 21: %q", got)
	}
	if got := b.ofMunicipalities(27); got != "27 pašvaldībām" {
		t.Errorf("no 27: %q", got)
	}
	if got := municipalities(1, "en"); got != "1 municipality" {
		t.Errorf("English: %q", got)
	}
}

// TestFeedbackHTMLKeepsSecrets: neither HTML form (nor in English) holds
// another municipality's personal answers, contacts, unpublishable or
// "other" text, or anything of an unsubmitted response; publishable text
// does appear; nothing inline for the CSP.
func TestFeedbackHTMLKeepsSecrets(t *testing.T) {
	t.Parallel()
	for _, code := range []string{"aluksne", "gulbene", "madona", "valmiera", "kuldiga", "kraslava"} {
		for _, lang := range []string{"lv", "en"} {
			f := fbBuild(t, code, lang)
			for _, standalone := range []bool{false, true} {
				var b bytes.Buffer
				if err := WriteFeedbackHTML(&b, f, standalone); err != nil {
					t.Fatal(err)
				}
				page := b.String()
				for _, m := range fbMarkers {
					if strings.Contains(page, m) {
						t.Errorf("%s %s (standalone %v): %q appears", code, lang, standalone, m)
					}
				}
				for _, m := range []string{"PUBLIC-NOTE-ALUKSNE", "=1&#43;2 PUBLIC-FORMULA-GULBENE", "PUBLIC-NOTE-KULDIGA", "Kuldīgas novads"} {
					if lang == "en" && m == "Kuldīgas novads" {
						m = "Kuldiga Municipality"
					}
					if !strings.Contains(page, m) {
						t.Errorf("%s %s: publishable %q is missing", code, lang, m)
					}
				}
				if strings.Contains(page, " style=") || strings.Contains(page, "<script") || strings.Contains(page, "http") {
					t.Errorf("%s %s: inline style, a script or a link elsewhere", code, lang)
				}
				if got := strings.Count(page, "<h1"); got != map[bool]int{false: 0, true: 1}[standalone] {
					t.Errorf("%s (standalone %v): %d h1", code, standalone, got)
				}
				if !standalone && !strings.HasPrefix(page, `<div class="feedback"`) {
					t.Errorf("the fragment starts %q", page[:40])
				}
			}
		}
	}
}

// TestFeedbackHTML: the fragment's structure — areas as h2, questions as
// h3, the own choice marked, a chart with its text alternative, hidden
// groups' notes — and the standalone file's styles.
func TestFeedbackHTML(t *testing.T) {
	t.Parallel()
	var b bytes.Buffer
	if err := WriteFeedbackHTML(&b, fbBuild(t, "gulbene", "lv"), false); err != nil {
		t.Fatal(err)
	}
	page := b.String()
	for _, want := range []string{
		`<h2 id="fb-h-summary">Kopsavilkums</h2>`, `<h2 id="fb-h-sup">Atbalsts</h2>`, `<h3>Atbalsts EUR</h3>`,
		`<h4>Kur jūsu atbilde ir mazākumā</h4>`, `<a class="fb-q" href="#fb-q-status">Vai ir līgumi?</a>`,
		`<tr class="fb-mine"><th scope="row">Plānots</th>`,
		`<td>vienāds ar mediānu; 5. vieta no 10</td>`, `Jūsu vieta`,
		`role="img" aria-labelledby="fb-c-amount-t fb-c-amount-d"`, `<title id="fb-c-amount-t">Atbilžu sadalījums: Atbalsts EUR</title>`,
		`0–500: 7; 500–1000: 2; 1000–1500: 1`, `Jūsu vērtība: 300,00`,
		"2 no 10 pašvaldībām izvēlējās „Plānots” — jūs arī.",
		"Jums šis jautājums netika rādīts", "Vidzemes plānošanas reģions (5 pašvaldības)",
		"Dati sagatavoti 2026. gada 29. novembrī plkst. 14:02.",
		`Reģiona skaitļi netiek rādīti`,
	} {
		if !strings.Contains(page, want) {
			t.Errorf("the fragment lacks %q", want)
		}
	}
	b.Reset()
	if err := WriteFeedbackHTML(&b, fbBuild(t, "gulbene", "lv"), true); err != nil {
		t.Fatal(err)
	}
	doc := b.String()
	if !strings.Contains(doc, "<style>") || !strings.Contains(doc, ".feedback .fb-section { break-before: page;") ||
		!strings.Contains(doc, "@page { size: A4;") || !strings.Contains(doc, "<title>Gulbenes novads — atgriezeniskā saite</title>") {
		t.Error("the standalone file lacks its styles or title")
	}
}

// TestFeedbackXLSX: the workbook has the summary and one sheet per area
// with the same figures, native charts on normal sheets, no formula
// anywhere, and none of the planted secrets in any part of the file.
func TestFeedbackXLSX(t *testing.T) {
	t.Parallel()
	for _, lang := range []string{"lv", "en"} {
		var b bytes.Buffer
		if err := WriteFeedbackXLSX(&b, fbBuild(t, "gulbene", lang)); err != nil {
			t.Fatal(err)
		}
		zr, err := zip.NewReader(bytes.NewReader(b.Bytes()), int64(b.Len()))
		if err != nil {
			t.Fatal(err)
		}
		var all strings.Builder
		charts := 0
		for _, zf := range zr.File {
			rc, err := zf.Open()
			if err != nil {
				t.Fatal(err)
			}
			data, _ := io.ReadAll(rc)
			rc.Close()
			all.Write(data)
			if strings.HasPrefix(zf.Name, "xl/charts/chart") {
				charts++
			}
			if strings.HasPrefix(zf.Name, "xl/worksheets/") && regexp.MustCompile(`<f[ >]`).Match(data) {
				t.Errorf("%s: %s has a formula", lang, zf.Name)
			}
		}
		for _, m := range fbMarkers {
			if strings.Contains(all.String(), m) {
				t.Errorf("%s: %q is in the workbook", lang, m)
			}
		}
		for _, m := range []string{"PUBLIC-NOTE-ALUKSNE", "PUBLIC-NOTE-KULDIGA", "=1+2 PUBLIC-FORMULA-GULBENE"} {
			if !strings.Contains(all.String(), m) {
				t.Errorf("%s: publishable %q is not in the workbook", lang, m)
			}
		}
		// A chart per number with a distribution (pop, count, amount,
		// since, per_resident) and per choice question with a group shown
		// (status, forms, council).
		if charts != 8 {
			t.Errorf("%s: %d charts", lang, charts)
		}
		x, err := excelize.OpenReader(bytes.NewReader(b.Bytes()))
		if err != nil {
			t.Fatal(err)
		}
		sheets := x.GetSheetList()
		wantSheets := map[string][]string{"lv": {"Kopsavilkums", "Par respondentu", "Atbalsts"},
			"en": {"Summary", "About the respondent", "Support"}}[lang]
		if !slices.Equal(sheets, wantSheets) {
			t.Errorf("%s: sheets %q", lang, sheets)
		}
		// The amount's figures as numbers; the note cell as text.
		found := map[string]bool{}
		rows, _ := x.GetRows(sheets[2])
		for i, r := range rows {
			for j, v := range r {
				cell, _ := excelize.CoordinatesToCellName(j+1, i+1)
				switch {
				case v == "=1+2 PUBLIC-FORMULA-GULBENE":
					typ, _ := x.GetCellType(sheets[2], cell)
					if typ != excelize.CellTypeSharedString && typ != excelize.CellTypeInlineString {
						t.Errorf("%s: the note is a cell of type %v", lang, typ)
					}
					found["note"] = true
				case strings.HasPrefix(v, "vienāds ar mediānu; 5. vieta no 10"), strings.HasPrefix(v, "equal to the median; 5th of 10"):
					found["standing"] = true
				}
			}
		}
		if !found["note"] || !found["standing"] {
			t.Errorf("%s: found %v", lang, found)
		}
		x.Close()
	}
}

// TestFeedbackXLSXNumbers: the statistics are numeric cells with the
// amount's format.
func TestFeedbackXLSXNumbers(t *testing.T) {
	t.Parallel()
	var b bytes.Buffer
	if err := WriteFeedbackXLSX(&b, fbBuild(t, "gulbene", "lv")); err != nil {
		t.Fatal(err)
	}
	x, err := excelize.OpenReader(&b)
	if err != nil {
		t.Fatal(err)
	}
	defer x.Close()
	rows, _ := x.GetRows("Atbalsts", excelize.Options{RawCellValue: true})
	var q1Row []string
	for i, r := range rows {
		if len(r) > 0 && r[0] == "Atbalsts EUR" {
			for _, next := range rows[i:] {
				if len(next) > 0 && next[0] == "1. kvartile" {
					q1Row = next
					break
				}
			}
			break
		}
	}
	if len(q1Row) < 3 || q1Row[1] != "125" || q1Row[2] != "200" {
		t.Fatalf("the amount's first quartiles: %q", q1Row)
	}
}
