package web_test

import (
	"net/http"
	"net/url"
	"strings"
	"syscall"
	"testing"
	"time"
)

// cpuTime is the CPU time this process has used so far.
func cpuTime(t *testing.T) time.Duration {
	t.Helper()
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		t.Fatal(err)
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// TestHugeNumberIsRefusedQuickly: a number of a million digits, posted by
// the form or sent as a JSON number, is refused at its question (422) in a
// fraction of the CPU time it took before (8.7 s for the form). It does not
// run in parallel: it measures the CPU time of the whole process, which is
// the request's own only while no other test runs.
func TestHugeNumberIsRefusedQuickly(t *testing.T) {
	e := newEnv(t)
	digits := strings.Repeat("7", 1_000_000)
	const limit = 500 * time.Millisecond

	before := cpuTime(t)
	r := e.post("riga", url.Values{"version": {"0"}, "population": {digits}})
	took := cpuTime(t) - before
	wantStatus(t, r, http.StatusUnprocessableEntity)
	if !strings.Contains(r.body, "Skaitlis ir pārāk garš") || !strings.Contains(r.body, `href="#q-population"`) {
		t.Errorf("the form does not say at the question that the number is too long: %.300s", r.body)
	}
	if took > limit {
		t.Errorf("the form post took %v of CPU, want under %v", took, limit)
	}

	before = cpuTime(t)
	r = e.put("riga", 0, `{"population":`+digits+`}`)
	took = cpuTime(t) - before
	wantStatus(t, r, http.StatusUnprocessableEntity)
	errs, _ := r.json(t)["errors"].(map[string]any)
	if msg, _ := errs["population"].(string); !strings.Contains(msg, "pārāk garš") {
		t.Errorf("the API's error at population: %q", msg)
	}
	if took > limit {
		t.Errorf("the PUT took %v of CPU, want under %v", took, limit)
	}
	if resp, _ := e.state("riga"); resp.Version != 0 {
		t.Error("a refused number was saved")
	}
}

// TestTextAnswerCharacters: invalid UTF-8 in a JSON answer is refused at
// its question as the form refuses it (encoding/json alone would store
// U+FFFD instead), and so are bidi overrides and other invisible control
// characters, from the API and the form alike.
func TestTextAnswerCharacters(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	for _, c := range []struct{ name, answers, want string }{
		{"invalid UTF-8", "{\"ngo_obstacles\":\"Grūtības \xff\xfe ar finansējumu\"}", "neatļautas rakstzīmes"},
		{"a lone surrogate", `{"ngo_obstacles":"Grūtības \udc00"}`, "neatļautas rakstzīmes"},
		{"right-to-left override", `{"ngo_obstacles":"faila nosaukums \u202Efdp.exe"}`, "U+202E"},
		{"first strong isolate", `{"resp_name":"Anna \u2068Ozola"}`, "U+2068"},
		{"zero-width space", `{"resp_name":"Anna\u200bOzola"}`, "U+200B"},
	} {
		t.Run(c.name, func(t *testing.T) {
			r := e.put("riga", 0, c.answers)
			wantStatus(t, r, http.StatusUnprocessableEntity)
			errs, _ := r.json(t)["errors"].(map[string]any)
			if len(errs) != 1 {
				t.Fatalf("errors %v", errs)
			}
			for _, m := range errs {
				if msg, _ := m.(string); !strings.Contains(msg, c.want) {
					t.Errorf("message %q lacks %q", msg, c.want)
				}
			}
		})
	}
	r := e.post("riga", url.Values{"version": {"0"}, "ngo_obstacles": {"faila nosaukums \u202efdp.exe"}})
	wantStatus(t, r, http.StatusUnprocessableEntity)
	if !strings.Contains(r.body, `id="err-ngo_obstacles">Teksts satur neredzamu vadības rakstzīmi U&#43;202E`) ||
		!strings.Contains(r.body, `href="#q-ngo_obstacles"`) {
		t.Errorf("the form does not name the character at the question: %.300s", r.body)
	}
	if resp, _ := e.state("riga"); resp.Version != 0 {
		t.Error("a refused text was saved")
	}
	// Line breaks and tabs in long text, and ordinary punctuation, are fine.
	r = e.put("riga", 0, `{"ngo_obstacles":"Pirmkārt, „nauda“;\n\totrkārt – telpas.","resp_name":"Anna Ozola-Bērziņa"}`)
	wantStatus(t, r, http.StatusOK)
}
