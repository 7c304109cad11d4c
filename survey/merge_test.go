package survey

import (
	"encoding/json"
	"reflect"
	"testing"
)

func TestMerge(t *testing.T) {
	t.Parallel()
	d := regional(t)
	base := `{"population":1000,"ngo_rules":"none","pb_status":"voted","pb_amount_eur":5000}`
	cases := []struct {
		name                  string
		theirs, mine          string
		want                  string // merged answers (when no conflict)
		wantTheirs, conflicts []string
	}{
		{"disjoint changes are both kept",
			`{"population":1000,"ngo_rules":"adopted","pb_status":"voted","pb_amount_eur":5000}`,
			`{"population":2000,"ngo_rules":"none","pb_status":"voted","pb_amount_eur":5000}`,
			`{"population":2000,"ngo_rules":"adopted","pb_status":"voted","pb_amount_eur":5000}`,
			[]string{"ngo_rules"}, nil},
		{"my removal of an answer they did not touch",
			`{"population":1000,"ngo_rules":"adopted","pb_status":"voted","pb_amount_eur":5000}`,
			`{"population":1000,"ngo_rules":"none","pb_status":"voted"}`,
			`{"population":1000,"ngo_rules":"adopted","pb_status":"voted"}`,
			[]string{"ngo_rules"}, nil},
		{"the same question changed differently",
			`{"population":1500,"ngo_rules":"none","pb_status":"voted","pb_amount_eur":5000}`,
			`{"population":2000,"ngo_rules":"none","pb_status":"voted","pb_amount_eur":5000}`,
			"", []string{"population"}, []string{"population"}},
		{"the same question changed alike",
			`{"population":2000,"ngo_rules":"none","pb_status":"voted","pb_amount_eur":5000}`,
			`{"population":2000,"ngo_rules":"none","pb_status":"voted","pb_amount_eur":5000}`,
			`{"population":2000,"ngo_rules":"none","pb_status":"voted","pb_amount_eur":5000}`,
			[]string{"population"}, nil},
		{"their change hides my new answer",
			`{"population":1000,"ngo_rules":"none","pb_status":"not_started"}`,
			`{"population":1000,"ngo_rules":"none","pb_status":"voted","pb_amount_eur":7000}`,
			"", []string{"pb_status", "pb_amount_eur"}, []string{"pb_status", "pb_amount_eur"}},
		{"my change hides their new answer",
			`{"population":1000,"ngo_rules":"none","pb_status":"voted","pb_amount_eur":5000,"pb_votes":300}`,
			`{"population":1000,"ngo_rules":"none","pb_status":"not_started"}`,
			"", []string{"pb_votes"}, []string{"pb_status", "pb_votes"}},
		{"nothing changed on my side",
			`{"population":1000,"ngo_rules":"adopted","pb_status":"voted","pb_amount_eur":5000}`,
			base,
			`{"population":1000,"ngo_rules":"adopted","pb_status":"voted","pb_amount_eur":5000}`,
			[]string{"ngo_rules"}, nil},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := d.Merge(answers(t, base), answers(t, c.theirs), answers(t, c.mine))
			if !reflect.DeepEqual(r.Conflicts, c.conflicts) {
				t.Fatalf("conflicts = %v, want %v", r.Conflicts, c.conflicts)
			}
			if !reflect.DeepEqual(r.Theirs, c.wantTheirs) {
				t.Errorf("theirs = %v, want %v", r.Theirs, c.wantTheirs)
			}
			if c.conflicts != nil {
				return
			}
			got, _ := json.Marshal(r.Answers)
			want, _ := json.Marshal(answers(t, c.want))
			if string(got) != string(want) {
				t.Errorf("merged = %s\nwant     %s", got, want)
			}
		})
	}
}

// A merge that succeeds keeps every change of both sides: for every pair
// of answers of a full response, one removed by them and the other by me
// (with what that hides), each changed key ends with the value of the side
// that changed it; and a merge is refused only when the changes overlap or
// hide something.
func TestMergeKeepsEveryChange(t *testing.T) {
	t.Parallel()
	d := regional(t)
	base := answers(t, regionalFull)
	keys := base.Keys()
	merged := 0
	for _, ki := range keys {
		for _, kj := range keys {
			if ki == kj {
				continue
			}
			theirs, mine := base.Clone(), base.Clone()
			delete(theirs, ki)
			delete(mine, kj)
			theirs = d.Validate(theirs, Draft).Answers
			mine = d.Validate(mine, Draft).Answers
			r := d.Merge(base, theirs, mine)
			if len(r.Conflicts) > 0 {
				if len(r.Cleared) == 0 && !overlap(d, changedKeys(base, theirs), changedKeys(base, mine)) {
					t.Errorf("%s / %s: conflict %v without overlap or hiding", ki, kj, r.Conflicts)
				}
				continue
			}
			merged++
			for key := range changedKeys(base, theirs) {
				if !sameValue(r.Answers[key], theirs[key]) {
					t.Errorf("%s / %s: their change of %s lost", ki, kj, key)
				}
			}
			for key := range changedKeys(base, mine) {
				if !sameValue(r.Answers[key], mine[key]) {
					t.Errorf("%s / %s: my change of %s lost", ki, kj, key)
				}
			}
		}
	}
	if merged < len(keys)*(len(keys)-1)/2 {
		t.Errorf("only %d merges succeeded", merged)
	}
}

func overlap(d *Definition, a, b map[string]bool) bool {
	ca, cb := d.codesOf(a), d.codesOf(b)
	for c := range ca {
		if cb[c] {
			return true
		}
	}
	return false
}
