package survey

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"
)

// within fails the test when f takes longer than limit: a loose guard
// against work that grows faster than the input (a benchmark would be
// more exact but does not run in make test).
// within fails when f takes longer than factor times base (a yardstick
// of the same size measured just before, in the same run) plus 50 ms: a
// bound that holds on a busy machine and under the race detector, where a
// fixed time does not, and still catches work that grows faster than the
// input (seconds where the yardstick takes milliseconds).
func within(t *testing.T, base time.Duration, factor int, what string, f func()) {
	t.Helper()
	limit := time.Duration(factor)*base + 50*time.Millisecond
	start := time.Now()
	f()
	if took := time.Since(start); took > limit {
		t.Errorf("%s took %v, want under %v (%d × %v, the time to decode a JSON string as long, + 50 ms)", what, took, limit, factor, base)
	}
}

// TestHugeNumbersAreRefusedByLength: a number of a million digits (typed
// into the form, or a JSON number) is refused by its length before
// anything parses it, with the question's normal error; before, reading it
// took seconds of CPU (1.8 s here, against milliseconds to decode a JSON
// string as long, the yardstick measured in the same run). A short number
// with a huge exponent is refused the same way. The longest numbers that
// can be valid still are.
func TestHugeNumbersAreRefusedByLength(t *testing.T) {
	t.Parallel()
	d := mini(t)
	digits := strings.Repeat("9", 1_000_000)
	// The yardstick: decoding a JSON string of a million characters.
	start := time.Now()
	answers(t, `{"rate":"`+digits+`"}`)
	base := time.Since(start)
	t.Logf("the yardstick took %v", base)

	within(t, base, 20, "reading a typed million-digit number", func() {
		if _, ok := ParseNumberInput(digits); ok {
			t.Error("a million-digit number was read")
		}
	})
	for _, n := range []string{digits, "1" + strings.Repeat("0", 60), "1e999999", "-1E+999999", "0.5e-999999"} {
		in := Answers{"rate": json.Number(n)}
		var res Result
		within(t, base, 20, fmt.Sprintf("validating %.20s…", n), func() { res = d.Validate(in, Draft) })
		if msg := res.Errors["rate"].LV; !strings.Contains(msg, "garš") && !strings.Contains(msg, "liels") {
			t.Errorf("%.20s…: error %q, want one saying the number is too long or too large", n, msg)
		}
	}
	// The same through JSON (the API) and as text (the form keeps what it
	// cannot read as text, and validation reports it at its question).
	within(t, base, 20, "decoding and validating a million-digit JSON number", func() {
		res := d.Validate(answers(t, `{"rate":`+digits+`}`), Draft)
		if _, ok := res.Errors["rate"]; !ok {
			t.Error("a million-digit JSON number was accepted")
		}
	})
	res := d.Validate(Answers{"rate": digits}, Draft)
	if msg := res.Errors["rate"].LV; !strings.Contains(msg, "garš") {
		t.Errorf("a million digits typed: error %q, want one saying the number is too long", msg)
	}

	// What a person may type for a valid answer is still read: group
	// spaces (also no-break), a decimal comma, six decimals, a minus.
	for typed, want := range map[string]string{
		"1 000 000 000 000 000":          "1000000000000000",
		"-999\u00a0999\u00a0999,123456":  "-999999999.123456",
		"  0000000000000000000000012,5 ": "12.5",
		"1\u202f234,50":                  "1234.5",
	} {
		if got, ok := ParseNumberInput(typed); !ok || string(got) != want {
			t.Errorf("ParseNumberInput(%q) = %q, %v; want %q", typed, got, ok, want)
		}
	}
	if res := d.Validate(Answers{"rate": json.Number("0.0000000000000000000000000000000052e33")}, Draft); !res.OK() || res.Answers["rate"] != json.Number("5.2") {
		t.Errorf("a valid 39-character number: %v %v", res.Answers, res.Errors)
	}
}
