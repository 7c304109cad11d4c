package web_test

import (
	"net/http"
	"strings"
	"testing"
)

// TestStrictJSONBodies: the respondent's JSON bodies take field names
// exactly as documented (encoding/json alone would match "Version" and
// "ANSWERS") and no key twice (it would keep the last); such a body is a
// 400 that says what is wrong, and changes nothing.
func TestStrictJSONBodies(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	wantStatus(t, e.put("riga", 0, `{"population":100}`), http.StatusOK)
	before, revs := e.state("riga")

	for _, c := range []struct {
		name, suffix, body string
		want               []string // in the Latvian message
	}{
		{"Version", "", `{"Version":1,"answers":{"population":5}}`, []string{"„Version“", "„version“"}},
		{"ANSWERS", "", `{"version":1,"ANSWERS":{"population":5}}`, []string{"„ANSWERS“", "„answers“"}},
		{"version twice", "", `{"version":1,"version":1,"answers":{"population":5}}`, []string{"„version“", "divreiz"}},
		{"answers twice", "", `{"version":1,"answers":{"population":5},"answers":{}}`, []string{"„answers“", "divreiz"}},
		{"an answer twice", "", `{"version":1,"answers":{"population":5,"population":6}}`, []string{"„population“", "divreiz"}},
		{"a nested key twice", "", `{"version":1,"answers":{"population":5,"x":[{"a":1,"a":2}]}}`, []string{"„a“", "divreiz"}},
		{"submit Version", "/submit", `{"Version":1}`, []string{"„Version“", "„version“"}},
		{"submit version twice", "/submit", `{"version":1,"version":1}`, []string{"„version“", "divreiz"}},
		// A stray closing bracket after the body (json.Decoder.More says
		// there is nothing more).
		{"a brace after the body", "", `{"version":1,"answers":{"population":5}}}`, nil},
		{"a bracket after the body", "", `{"version":1,"answers":{"population":5}} ]`, nil},
		{"a brace after submit's body", "/submit", `{"version":1}}`, nil},
	} {
		t.Run(c.name, func(t *testing.T) {
			r := e.api(map[string]string{"": "PUT", "/submit": "POST"}[c.suffix], "riga", c.suffix, c.body)
			wantStatus(t, r, http.StatusBadRequest)
			got := r.json(t)
			msg, _ := got["message"].(string)
			if got["error"] != "bad_request" {
				t.Errorf("error code %v", got["error"])
			}
			for _, w := range c.want {
				if !strings.Contains(msg, w) {
					t.Errorf("message %q lacks %q", msg, w)
				}
			}
		})
	}
	// In English on request.
	r := e.do("PUT", "/api/v1/r/"+e.tokens["riga"]+"?lang=en", strings.NewReader(`{"version":1,"Answers":{}}`),
		"Content-Type", "application/json")
	wantStatus(t, r, http.StatusBadRequest)
	if msg, _ := r.json(t)["message"].(string); !strings.Contains(msg, "“Answers”") || !strings.Contains(msg, "“answers”") {
		t.Errorf("English message: %q", msg)
	}
	after, revsAfter := e.state("riga")
	if after.Version != before.Version || string(after.AnswersJSON) != string(before.AnswersJSON) || revsAfter != revs {
		t.Fatal("a refused body changed the response")
	}
	// The exact names still work.
	wantStatus(t, e.put("riga", 1, `{"population":5}`), http.StatusOK)
}
