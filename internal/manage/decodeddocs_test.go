package manage

import (
	"testing"

	"github.com/civitas-lv/surveyd/internal/store"
	"github.com/civitas-lv/surveyd/survey"
)

// TestReportRowTakesOnlyTheSameDocument: a report row takes the answers
// the tracker decoded only when its document is the same bytes; else (a
// submitted copy that differs from the working copy) it decodes its own.
// Kept documents are let go when taken, and none past the budget.
func TestReportRowTakesOnlyTheSameDocument(t *testing.T) {
	submitted := "submitted"
	working := []byte(`{"population": 1000}`)
	docs := &decodedDocs{budget: 2 * len(working)}
	a, err := survey.DecodeAnswers(working)
	if err != nil {
		t.Fatal(err)
	}
	a["marker"] = "from the tracker" // to see where the answers came from
	docs.keep("a", working, a)
	docs.keep("b", working, a)
	if len(docs.docs) != 2 {
		t.Fatalf("%d documents kept, want 2", len(docs.docs))
	}
	// Past the budget every document is let go, and none kept after.
	over := &decodedDocs{budget: 2 * len(working)}
	for _, code := range []string{"a", "b", "c", "d"} {
		over.keep(code, working, a)
	}
	if len(over.docs) != 0 || over.size != 0 {
		t.Errorf("past the budget: %d documents, %d bytes kept, want none", len(over.docs), over.size)
	}
	row, err := reportRow(store.ReportRow{Municipality: store.Municipality{Code: "a"}, Status: &submitted, AnswersJSON: working, SubmittedJSON: []byte(`{"population": 1000}`)}, docs)
	if err != nil || row.Answers["marker"] != "from the tracker" {
		t.Errorf("the same document: %v, answers %v, want the tracker's", err, row.Answers)
	}
	row, err = reportRow(store.ReportRow{Municipality: store.Municipality{Code: "b"}, Status: &submitted, AnswersJSON: working, SubmittedJSON: []byte(`{"population": 900}`)}, docs)
	if err != nil || row.Answers["marker"] != nil || row.Answers["population"] == nil || row.Answers["population"].(interface{ String() string }).String() != "900" {
		t.Errorf("another submitted copy: %v, answers %v, want its own", err, row.Answers)
	}
	row, err = reportRow(store.ReportRow{Municipality: store.Municipality{Code: "c"}, Status: &submitted, AnswersJSON: working}, docs)
	if err != nil || row.Answers["marker"] != nil {
		t.Errorf("a document not kept: %v, answers %v, want its own", err, row.Answers)
	}
	if len(docs.docs) != 0 || docs.size != 0 {
		t.Errorf("after the rows: %d documents, %d bytes kept, want none", len(docs.docs), docs.size)
	}
	if _, ok := (*decodedDocs)(nil).take("a", working); ok {
		t.Error("a nil decodedDocs gave answers")
	}
}
