package web_test

import (
	"net/http"
	"slices"
	"sort"
	"testing"
)

// apiResponseKeys are the keys of GET /api/v1/r/{token}'s body, as paths
// ("survey.title.lv"). The answers' keys are the questionnaire's codes and
// the definition's are the questionnaire format's (package survey), so
// neither is walked into. A change here changes the public API: it must be
// deliberate, never the side effect of a change in storage.
var apiResponseKeys = []string{
	"answers",
	"carried",
	"changed_since_submit",
	"municipality",
	"municipality.code",
	"municipality.name",
	"municipality.name.en",
	"municipality.name.lv",
	"saved_at",
	"status",
	"submitted_at",
	"survey",
	"survey.closes_at",
	"survey.definition",
	"survey.opens_at",
	"survey.reference_year",
	"survey.slug",
	"survey.state",
	"survey.title",
	"survey.title.en",
	"survey.title.lv",
	"version",
}

// apiSavedKeys are the keys of a successful submit's body (a save's too,
// which adds "answers" only when a colleague's changes were merged).
var apiSavedKeys = []string{
	"carried",
	"changed",
	"cleared",
	"merged",
	"saved_at",
	"status",
	"submitted_at",
	"version",
	"warnings",
}

// TestAPIResponseKeys pins the keys of the respondent's JSON API: the
// response before anything is saved and once submitted, and the body of a
// submit.
func TestAPIResponseKeys(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	check := func(what string, got map[string]any, want []string) {
		t.Helper()
		keys := apiKeyPaths("", got, map[string]bool{"answers": true, "survey.definition": true, "warnings": true})
		if !slices.Equal(keys, want) {
			t.Errorf("%s: keys\n%q\nwant\n%q", what, keys, want)
		}
	}
	r := e.api("GET", "riga", "", "")
	wantStatus(t, r, http.StatusOK)
	check("fresh", r.json(t), apiResponseKeys)

	r = e.put("riga", 0, full)
	wantStatus(t, r, http.StatusOK)
	r = e.api("POST", "riga", "/submit", `{"version":1}`)
	wantStatus(t, r, http.StatusOK)
	check("submit", r.json(t), apiSavedKeys)

	r = e.api("GET", "riga", "", "")
	wantStatus(t, r, http.StatusOK)
	got := r.json(t)
	check("submitted", got, apiResponseKeys)
	if got["saved_at"] == nil || got["submitted_at"] == nil || got["status"] != "submitted" {
		t.Errorf("submitted: %v", got)
	}
}

// jsonKeys lists the paths of the keys of a decoded JSON object, sorted,
// not walking into the objects at the paths in leaves.
func apiKeyPaths(prefix string, m map[string]any, leaves map[string]bool) []string {
	var out []string
	for k, v := range m {
		path := k
		if prefix != "" {
			path = prefix + "." + k
		}
		out = append(out, path)
		if sub, ok := v.(map[string]any); ok && !leaves[path] {
			out = append(out, apiKeyPaths(path, sub, leaves)...)
		}
	}
	sort.Strings(out)
	return out
}
