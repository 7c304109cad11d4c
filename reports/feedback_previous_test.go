package reports

import (
	"bytes"
	"math/big"
	"strings"
	"testing"

	"github.com/civitas-lv/surveyd/survey"
	"github.com/xuri/excelize/v2"
)

// TestFeedbackBesideLastYear: m2's 2026 report shows its own 2025 answer
// beside each item whose series continues (ngo_count through the rename,
// amount, forms, the indicator), never beside status, which breaks its
// series in 2026.
func TestFeedbackBesideLastYear(t *testing.T) {
	rounds := trendRounds(t)
	var rows26 []Row
	var m2of25 survey.Answers
	for r := range rounds[0].Rows {
		if r.Municipality.Code == "m2" {
			m2of25 = r.Answers
		}
	}
	for r := range rounds[1].Rows {
		rows26 = append(rows26, r)
	}
	d25, d26 := rounds[0].Definition, rounds[1].Definition
	in := FeedbackInput{Definition: d26, ReferenceYear: 2026, Municipality: "m2", Rows: rows26, Lang: "lv",
		Previous: &FeedbackPrevious{Definition: d25, Answers: m2of25}}
	f, err := BuildFeedback(in)
	if err != nil {
		t.Fatal(err)
	}
	items := map[string]*FeedbackItem{}
	for _, s := range f.Sections {
		for _, it := range s.Items {
			items[it.Code] = it
		}
	}
	// m2 in 2025: ngos 4, amount 200, forms grant and rooms, status no;
	// per_ngo 200 / 4 = 50.
	want := map[string]string{
		"ngo_count": "4",
		"amount":    survey.FormatQuantity(survey.Money, big.NewRat(200, 1), "lv"),
		"forms":     "Telpas; Dotācija", // in 2026's order
		"per_ngo":   feedbackIndicatorValue(d26.Indicators[0], 50, "lv"),
		"status":    "",
	}
	for code, w := range want {
		it := items[code]
		if it == nil {
			t.Fatalf("no item %s", code)
		}
		if it.PrevText != w || (w != "" && it.PrevYear != 2025) {
			t.Errorf("%s: previous %d %q, want 2025 %q", code, it.PrevYear, it.PrevText, w)
		}
	}

	var html bytes.Buffer
	if err := WriteFeedbackHTML(&html, f, true); err != nil {
		t.Fatal(err)
	}
	if n := strings.Count(html.String(), "Jūsu atbilde par 2025. gadu"); n != 3 {
		t.Errorf("the page has %d answers for 2025, want 3", n)
	}
	if !strings.Contains(html.String(), "Jūsu rādītājs par 2025. gadu") {
		t.Error("the page does not show the indicator for 2025")
	}
	var xb bytes.Buffer
	if err := WriteFeedbackXLSX(&xb, f); err != nil {
		t.Fatal(err)
	}
	declared, used := sheetRanges(t, xb.Bytes())
	for part, u := range used {
		if d := declared[part]; d != u {
			t.Errorf("the feedback workbook's %s declares %q, its cells span %q", part, d, u)
		}
	}
	x, err := excelize.OpenReader(&xb)
	if err != nil {
		t.Fatal(err)
	}
	defer x.Close()
	found := 0
	for _, sh := range x.GetSheetList() {
		rows, _ := x.GetRows(sh)
		for _, r := range rows {
			if len(r) > 1 && r[0] == "Jūsu atbilde par 2025. gadu" && r[1] == "Telpas; Dotācija" {
				found++
			}
		}
	}
	if found != 1 {
		t.Errorf("the workbook has forms' 2025 answer %d times, want once", found)
	}

	// Without the previous round, or when the municipality did not submit
	// there: nothing.
	for _, p := range []*FeedbackPrevious{nil, {Definition: d25}} {
		in.Previous = p
		f, err := BuildFeedback(in)
		if err != nil {
			t.Fatal(err)
		}
		for _, s := range f.Sections {
			for _, it := range s.Items {
				if it.PrevText != "" {
					t.Errorf("%+v: %s has a previous answer %q", p, it.Code, it.PrevText)
				}
			}
		}
	}
}
