package reports

import (
	"bytes"
	"context"
	"testing"

	"github.com/civitas-lv/surveyd/survey"
)

// TestWarmCharts: WarmCharts builds charts of made-up answers to the
// built-in questionnaire without an error, and a cancelled context stops
// it (it runs before serving, under the start-up's context).
func TestWarmCharts(t *testing.T) {
	t.Parallel()
	def, _, err := survey.Builtin("regional-2025")
	if err != nil {
		t.Fatal(err)
	}
	if err := WarmCharts(context.Background(), def); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if err := WarmCharts(ctx, def); err == nil {
		t.Fatal("WarmCharts went on under a cancelled context")
	}
}

// TestWarmWorkbook: after WarmWorkbook with a cache, a real round's first
// workbook with that cache is given parts from it (the styles, the theme,
// the codebook: they depend only on the questionnaire and the language)
// and is the same file as one written without any cache; a cancelled
// context stops the warming.
func TestWarmWorkbook(t *testing.T) {
	t.Parallel()
	in := benchData(t, 43)
	var plain bytes.Buffer
	if err := WriteXLSX(&plain, in.def, sliceSource(in.rows, nil), benchOptions); err != nil {
		t.Fatal(err)
	}
	c := &XLSXCache{}
	if err := WarmWorkbook(context.Background(), in.def, c); err != nil {
		t.Fatal(err)
	}
	if c.given.Swap(0) != 0 {
		t.Fatal("the warming was given parts from an empty cache")
	}
	opt := benchOptions
	opt.Cache = c
	var got bytes.Buffer
	if err := WriteXLSX(&got, in.def, sliceSource(in.rows, nil), opt); err != nil {
		t.Fatal(err)
	}
	sameWorkbook(t, "the first workbook after warming", got.Bytes(), plain.Bytes())
	if given := c.given.Load(); given < 3 {
		t.Errorf("the first workbook after warming was given %d parts from the cache, want the styles, the theme and the codebook", given)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if err := WarmWorkbook(ctx, in.def, &XLSXCache{}); err == nil {
		t.Fatal("WarmWorkbook went on under a cancelled context")
	}
}
