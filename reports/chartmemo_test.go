package reports

import (
	"context"
	"reflect"
	"testing"
)

// Charts given by a memo are the charts built without one, in either
// language and with tables only, however the figures changed between
// builds; the ones whose figures are as before are the same charts.
func TestChartMemoSameAsBuilt(t *testing.T) {
	t.Parallel()
	in := benchData(t, 86)
	memo := &ChartMemo{}
	var first map[string]*Chart
	for step, rows := range [][]Row{in.rows, in.rows, in.rows[1:], in.rows[:40], in.rows} {
		s, err := Aggregate(in.def, source(rows), Filter{})
		if err != nil {
			t.Fatal(err)
		}
		for _, o := range []ChartOptions{
			{Lang: "lv", T: chartTestT, Rate: rateOf(rows)},
			{Lang: "en", T: chartTestT, Rate: rateOf(rows)},
			{Lang: "lv", T: chartTestT, Rate: rateOf(rows), TablesOnly: true},
		} {
			want, err := BuildChartsContext(context.Background(), s, o)
			if err != nil {
				t.Fatal(err)
			}
			o.Memo = memo
			got, err := BuildChartsContext(context.Background(), s, o)
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(got, want) {
				for i, g := range got.All() {
					if w := want.All()[i]; !reflect.DeepEqual(g, w) {
						t.Errorf("step %d %s tables-only %v: chart %s differs from the one built", step, o.Lang, o.TablesOnly, g.ID)
					}
				}
				t.Fatalf("step %d %s tables-only %v: the set differs", step, o.Lang, o.TablesOnly)
			}
			if o.Lang != "lv" || o.TablesOnly {
				continue
			}
			switch step {
			case 0:
				first = map[string]*Chart{}
				for _, c := range got.All() {
					first[c.ID] = c
				}
			case 1, 4:
				// The same figures: every chart given again.
				for _, c := range got.All() {
					if first[c.ID] != c {
						t.Errorf("step %d: chart %s built again", step, c.ID)
					}
				}
			case 2:
				// One response fewer: the regions' and rate charts change.
				for _, c := range got.All() {
					if (c.ID == ChartIDRegions || c.ID == ChartIDRate) && first[c.ID] == c {
						t.Errorf("step %d: chart %s given again", step, c.ID)
					}
				}
			}
		}
	}
}
