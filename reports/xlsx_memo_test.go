package reports

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"
	"testing"

	"github.com/civitas-lv/surveyd/survey"
)

// xlsxParts is a workbook's parts by name. excelize writes the parts, and
// the entries of [Content_Types].xml, in an order of its own that varies
// from run to run: the entries are given sorted.
func xlsxParts(t *testing.T, b []byte) map[string]string {
	t.Helper()
	out := map[string]string{}
	for name, d := range unzipPackage(t, b).files {
		out[name] = string(d)
	}
	if ct, ok := out["[Content_Types].xml"]; ok {
		elems := strings.Split(ct, "<")
		slices.Sort(elems)
		out["[Content_Types].xml"] = strings.Join(elems, "<")
	}
	return out
}

// TestRowMemoSameWorkbook: the workbook's parts are the same byte for byte whether
// the rows of the first pass are kept and replayed (the Source read once)
// or every pass reads the Source (twice here, without trends), and when the rows outgrow the budget half-way.
func TestRowMemoSameWorkbook(t *testing.T) {
	def, rows := xlsxRows(t)
	opt := XLSXOptions{Generated: generated, TimeZone: riga, Personal: true, Status: xlsxStatus}
	write := func(memo int) ([]byte, int) {
		t.Helper()
		calls := 0
		var buf bytes.Buffer
		if err := writeXLSX(context.Background(), &buf, def, sliceSource(rows, &calls), opt, 1<<20, memo); err != nil {
			t.Fatal(err)
		}
		return buf.Bytes(), calls
	}
	kept, keptCalls := write(memoBudget)
	streamed, streamedCalls := write(0)
	half, halfCalls := write(rowCost(&rows[0]) + 1)
	if keptCalls != 1 || streamedCalls != 2 || halfCalls != 2 {
		t.Errorf("source calls: kept %d (want 1), streamed %d (want 2), over budget half-way %d (want 2)",
			keptCalls, streamedCalls, halfCalls)
	}
	want := xlsxParts(t, streamed)
	for name, got := range map[string]map[string]string{"kept": xlsxParts(t, kept), "over budget half-way": xlsxParts(t, half)} {
		if !maps.Equal(got, want) {
			for part := range want {
				if got[part] != want[part] {
					t.Errorf("%s: part %s differs from the streamed workbook's", name, part)
				}
			}
			if len(got) != len(want) {
				t.Errorf("%s: %d parts, want %d", name, len(got), len(want))
			}
		}
	}
}

// TestRowMemoKeepsOnlyWholePasses: a pass left early or ending in an
// error is not replayed; the next pass reads the Source again.
func TestRowMemoKeepsOnlyWholePasses(t *testing.T) {
	_, rows := xlsxRows(t)
	if len(rows) < 2 {
		t.Fatal("need two rows")
	}
	calls := 0
	m := newRowMemo(sliceSource(rows, &calls), memoBudget)
	for range m.Source()() {
		break
	}
	n := 0
	for range m.Source()() {
		n++
	}
	if calls != 2 || n != len(rows) {
		t.Errorf("after a pass left early: calls %d (want 2), rows %d (want %d)", calls, n, len(rows))
	}

	boom := errors.New("boom")
	calls = 0
	failing := func() Rows {
		calls++
		return func(yield func(Row, error) bool) {
			if calls == 1 {
				if !yield(rows[0], nil) {
					return
				}
				yield(Row{}, boom)
				return
			}
			for _, r := range rows {
				if !yield(r, nil) {
					return
				}
			}
		}
	}
	m = newRowMemo(failing, memoBudget)
	var got error
	for _, err := range m.Source()() {
		if err != nil {
			got = err
			break
		}
	}
	if got != boom {
		t.Fatalf("first pass error %v, want boom", got)
	}
	n = 0
	for _, err := range m.Source()() {
		if err != nil {
			t.Fatal(err)
		}
		n++
	}
	if calls != 2 || n != len(rows) {
		t.Errorf("after a failed pass: calls %d (want 2), rows %d (want %d)", calls, n, len(rows))
	}

	// A whole pass is replayed, in order, as often as asked.
	calls = 0
	m = newRowMemo(sliceSource(rows, &calls), memoBudget)
	for range 3 {
		i := 0
		for r, err := range m.Source()() {
			if err != nil || r.Municipality.Code != rows[i].Municipality.Code {
				t.Fatalf("row %d: %v %q, want %q", i, err, r.Municipality.Code, rows[i].Municipality.Code)
			}
			i++
		}
		if i != len(rows) {
			t.Fatalf("rows %d, want %d", i, len(rows))
		}
	}
	if calls != 1 {
		t.Errorf("calls %d, want 1", calls)
	}
}

// TestRowCostOfBenchRows: the estimate stays near the comment's figure,
// so the budget means what memoBudget says.
func TestRowCostOfBenchRows(t *testing.T) {
	in := benchData(t, 100)
	total := 0
	for i := range in.rows {
		total += rowCost(&in.rows[i])
	}
	t.Logf("rowCost: %d bytes a response on average; %d responses fit in memoBudget", total/len(in.rows), memoBudget*len(in.rows)/total)
}

// rawRows are the bench rows with their answers documents (Row.Raw), the
// answers decoded from them.
func rawRows(t *testing.T, n int) (*survey.Definition, []Row) {
	t.Helper()
	in := benchData(t, n)
	rows := slices.Clone(in.rows)
	for i := range rows {
		raw, err := survey.MarshalAnswers(rows[i].Answers)
		if err != nil {
			t.Fatal(err)
		}
		if rows[i].Answers, err = survey.DecodeAnswers(raw); err != nil {
			t.Fatal(err)
		}
		rows[i].Raw = raw
	}
	return in.def, rows
}

// TestRowMemoKeepsDocuments: rows that outgrow the budget decoded but fit
// as their answers documents are kept so, the Source read once; the
// workbook's parts are the same as when every pass reads the Source; and
// rows without their documents are not kept past the budget.
func TestRowMemoKeepsDocuments(t *testing.T) {
	def, rows := rawRows(t, 60)
	decoded, docs := 0, 0
	for i := range rows {
		decoded += rowCost(&rows[i])
		docs += rawRowCost(&rows[i])
	}
	t.Logf("a response: %d bytes decoded, %d as its document", decoded/len(rows), docs/len(rows))
	if docs >= decoded/2 {
		t.Fatalf("documents %d bytes, decoded %d", docs, decoded)
	}
	budget := (docs + decoded) / 2
	opt := XLSXOptions{Generated: generated, TimeZone: riga, Personal: true}
	write := func(rows []Row, memo int) (map[string]string, int) {
		t.Helper()
		calls := 0
		var buf bytes.Buffer
		if err := writeXLSX(context.Background(), &buf, def, sliceSource(rows, &calls), opt, 1<<20, memo); err != nil {
			t.Fatal(err)
		}
		return xlsxParts(t, buf.Bytes()), calls
	}
	want, streamedCalls := write(rows, 0)
	got, keptCalls := write(rows, budget)
	if streamedCalls != 2 || keptCalls != 1 {
		t.Errorf("source calls: streamed %d (want 2), kept as documents %d (want 1)", streamedCalls, keptCalls)
	}
	if !maps.Equal(got, want) {
		t.Error("the workbook from rows kept as documents differs from the streamed one")
	}
	// The replay gives the rows again with their answers decoded.
	m := newRowMemo(sliceSource(rows, nil), budget)
	for range m.Source()() {
	}
	if !m.raw || m.state != 2 {
		t.Fatalf("raw %v, state %d after a whole pass", m.raw, m.state)
	}
	i := 0
	for r, err := range m.Source()() {
		if err != nil {
			t.Fatal(err)
		}
		if !maps.EqualFunc(r.Answers, rows[i].Answers, func(a, b any) bool { return fmt.Sprint(a) == fmt.Sprint(b) }) ||
			r.Municipality != rows[i].Municipality {
			t.Fatalf("row %d replayed differs", i)
		}
		i++
	}
	if i != len(rows) {
		t.Fatalf("%d rows replayed, want %d", i, len(rows))
	}
	// Without documents: nothing kept past the budget.
	bare := slices.Clone(rows)
	for i := range bare {
		bare[i].Raw = nil
	}
	if _, calls := write(bare, budget); calls != 2 {
		t.Errorf("rows without documents: source calls %d, want 2", calls)
	}
	// Over the budget as documents too: nothing kept.
	if _, calls := write(rows, docs/2); calls != 2 {
		t.Errorf("documents over the budget: source calls %d, want 2", calls)
	}
}
