package reports

import (
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
