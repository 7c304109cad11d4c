package reports

import (
	"slices"
	"strings"
	"testing"

	"github.com/civitas-lv/surveyd/internal/wording"
)

// The reports' call sites pass arguments in order; argNames must name
// exactly the placeholders of each of the reports' messages that has any.
func TestArgNamesMatchTheCatalog(t *testing.T) {
	t.Parallel()
	c := wording.Default()
	for key, names := range argNames {
		if !c.Has(key) {
			t.Errorf("argNames has %q, which the catalog lacks", key)
			continue
		}
		sorted := slices.Sorted(slices.Values(names))
		if got := wording.Placeholders(c.Raw(wording.LV, key)); !slices.Equal(got, slices.Compact(sorted)) || len(sorted) != len(slices.Compact(slices.Clone(sorted))) {
			t.Errorf("%s: argNames %v, the message's placeholders %v", key, names, got)
		}
	}
	for _, key := range c.Keys() {
		if !strings.HasPrefix(key, "workbook.") && !strings.HasPrefix(key, "feedbackreport.") && !strings.HasPrefix(key, "contactfile.") {
			continue
		}
		if ph := wording.Placeholders(c.Raw(wording.LV, key)); len(ph) > 0 && argNames[key] == nil {
			t.Errorf("%s has placeholders %v but no argNames", key, ph)
		}
	}
	if got := feedbackWord("en", "sum.number", "in the top quartile", "1st of 27", "12", "7"); got != "in the top quartile — 1st of 27 (yours 12, median 7)" {
		t.Errorf("positional arguments: %q", got)
	}
}
