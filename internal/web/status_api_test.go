package web_test

import (
	"encoding/json"
	"net/http"
	"net/url"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/civitas-lv/surveyd/internal/domain"
)

// statusAPIKeys are the field names of the public status API
// (GET /api/v1/surveys/{slug}/status) as a coordinator sees it, with a
// municipality that has contacts, answers and a released feedback: every
// object's keys, by their path ("[]" for an array's elements). A rename in
// the store or in manage must not change them; changing this list is
// changing the API.
var statusAPIKeys = []string{
	"by_planning_region",
	"by_planning_region[].name",
	"by_planning_region[].percent",
	"by_planning_region[].submitted",
	"by_planning_region[].total",
	"by_status",
	"by_status.draft",
	"by_status.invited",
	"by_status.link_created",
	"by_status.no_link",
	"by_status.opened",
	"by_status.returned",
	"by_status.submitted",
	"closes_at",
	"municipalities",
	"municipalities[].changed_since_submit",
	"municipalities[].code",
	"municipalities[].contacts",
	"municipalities[].contacts[].email",
	"municipalities[].contacts[].name",
	"municipalities[].deadline",
	"municipalities[].feedback",
	"municipalities[].feedback.changed_since_release",
	"municipalities[].feedback.first_opened_at",
	"municipalities[].feedback.first_released_at",
	"municipalities[].feedback.last_opened_at",
	"municipalities[].feedback.mail_queued_at",
	"municipalities[].feedback.mail_sent_at",
	"municipalities[].feedback.released",
	"municipalities[].feedback.released_at",
	"municipalities[].feedback.withdrawn_at",
	"municipalities[].kind",
	"municipalities[].last_activity",
	"municipalities[].name",
	"municipalities[].percent_complete",
	"municipalities[].planning_region",
	"municipalities[].reminders_sent",
	"municipalities[].returns",
	"municipalities[].sections",
	"municipalities[].sections[].answered",
	"municipalities[].sections[].code",
	"municipalities[].sections[].required",
	"municipalities[].sections[].required_answered",
	"municipalities[].sections[].shown",
	"municipalities[].status",
	"municipalities[].submitted_at",
	"opens_at",
	"percent",
	"state",
	"submitted",
	"survey",
	"total",
}

// jsonKeys adds the paths of every key in v (decoded JSON) under prefix.
func jsonKeys(v any, prefix string, into map[string]bool) {
	switch v := v.(type) {
	case map[string]any:
		for k, sub := range v {
			p := k
			if prefix != "" {
				p = prefix + "." + k
			}
			into[p] = true
			jsonKeys(sub, p, into)
		}
	case []any:
		for _, sub := range v {
			jsonKeys(sub, prefix+"[]", into)
		}
	}
}

func TestStatusAPIFieldNames(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	_, ck := e.user("coordinator")
	must(t, e.st.ReplaceContacts(ctx, "riga", []domain.Contact{{Email: "anna@riga.lv", Name: "Anna Bērziņa"}}))
	e.submitFull("riga")
	e.release(ck, url.Values{"scope": {"chosen"}, "municipality": {"riga"}})

	r := e.as(ck, "GET", "/api/v1/surveys/"+e.sv.Slug+"/status", nil)
	wantStatus(t, r, http.StatusOK)
	var doc any
	must(t, json.Unmarshal([]byte(r.body), &doc))
	got := map[string]bool{}
	jsonKeys(doc, "", got)
	var list []string
	for k := range got {
		list = append(list, k)
	}
	sort.Strings(list)
	if !slices.Equal(list, statusAPIKeys) {
		var missing, extra []string
		for _, k := range statusAPIKeys {
			if !got[k] {
				missing = append(missing, k)
			}
		}
		for _, k := range list {
			if !slices.Contains(statusAPIKeys, k) {
				extra = append(extra, k)
			}
		}
		t.Fatalf("the status API's field names changed:\nmissing %s\nnew     %s", strings.Join(missing, ", "), strings.Join(extra, ", "))
	}

	// A viewer gets the same names, less the contacts (personal data).
	_, viewer := e.user("viewer")
	r = e.as(viewer, "GET", "/api/v1/surveys/"+e.sv.Slug+"/status", nil)
	wantStatus(t, r, http.StatusOK)
	if strings.Contains(r.body, `"contacts"`) || strings.Contains(r.body, "anna@riga.lv") {
		t.Fatal("a viewer sees contacts in the status API")
	}
}
