package web_test

import (
	"net/http"
	"strings"
	"testing"
)

// TestChartsPageChangesAtOnce: the dashboard and the report, kept between
// requests, show a submitted answer on the very next request, and a saved
// draft under a filter that counts drafts.
func TestChartsPageChangesAtOnce(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	_, ck := e.user("viewer")
	base := "/surveys/" + e.sv.Slug
	shows := func(path, want string) {
		t.Helper()
		for range 2 { // the second time from what was kept
			r := e.as(ck, "GET", base+path, nil)
			wantStatus(t, r, http.StatusOK)
			if !strings.Contains(r.body, want) {
				t.Fatalf("%s does not show %q", path, want)
			}
		}
	}
	shows("/charts", "Atbilžu skaits atlasē: 0")
	shows("/report", "Atbilžu skaits atlasē: 0")
	shows("/charts?status=submitted,draft", "Atbilžu skaits atlasē: 0")
	wantStatus(t, e.put("cesis", 0, `{"population":1200}`), http.StatusOK)
	shows("/charts?status=submitted,draft", "Atbilžu skaits atlasē: 1")
	shows("/charts", "Atbilžu skaits atlasē: 0")
	e.submitFull("riga")
	shows("/charts", "Atbilžu skaits atlasē: 1")
	shows("/report", "Atbilžu skaits atlasē: 1")
	shows("/charts?status=submitted,draft", "Atbilžu skaits atlasē: 2")
}
