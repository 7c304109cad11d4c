package refdata

import "testing"

func TestMunicipalities(t *testing.T) {
	t.Parallel()
	list, err := Municipalities()
	if err != nil {
		t.Fatal(err)
	}
	kinds := map[string]int{}
	regions := map[string]int{}
	for _, m := range list {
		kinds[m.Kind]++
		regions[m.PlanningRegion]++
	}
	if len(list) != 43 || kinds["valstspilseta"] != 7 || kinds["novads"] != 36 {
		t.Errorf("got %d municipalities, kinds %v; want 43 = 7 state cities + 36 municipalities", len(list), kinds)
	}
	if len(regions) != 5 {
		t.Errorf("planning regions = %v, want 5", regions)
	}
}

func TestParseRejectsBadRows(t *testing.T) {
	t.Parallel()
	h := "code,name_lv,name_en,kind,planning_region,statistical_region\n"
	for _, bad := range []string{"x,y\n", h + "a,A,A,village,R,R\n", h + "a,A,A,novads,R,R\na,B,B,novads,R,R\n"} {
		if _, err := ParseMunicipalities([]byte(bad)); err == nil {
			t.Errorf("accepted %q", bad)
		}
	}
}
