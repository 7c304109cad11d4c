package survey

import (
	"math/rand/v2"
	"testing"
)

// visibleByCopy is Visible as it was written before Shown: every shown
// answer copied into a map of its own as the questions are taken in order.
func visibleByCopy(d *Definition, a Answers) map[string]bool {
	out := make(map[string]bool, len(d.order))
	seen := make(Answers, len(a))
	for _, q := range d.order {
		shown := true
		if q.showIf != nil {
			shown, _ = eval(q.showIf, seen).(bool)
		}
		out[q.Code] = shown
		if v, ok := a[q.Code]; ok && shown {
			seen[q.Code] = v
		}
	}
	return out
}

// TestShownSameAsCopy checks Shown (which reads the answers in place
// until an answered question is hidden) against the copying algorithm,
// on synthesised answers and on answers with stale ones mixed in: answers
// of questions their conditions hide, which must not count for later
// conditions.
func TestShownSameAsCopy(t *testing.T) {
	t.Parallel()
	regional, _, err := Builtin("regional-2025")
	if err != nil {
		t.Fatal(err)
	}
	// TestVisibleChains' questionnaire: a hidden question's answer
	// decides whether later ones are shown.
	chain := chainDefinition(t)
	for _, d := range []*Definition{regional, chain} {
		shownSameAsCopy(t, d)
	}
}

func shownSameAsCopy(t *testing.T, d *Definition) {
	rng := rand.New(rand.NewPCG(1, 2))
	hiddenAnswered := 0
	for n := range 400 {
		a, err := d.Synthesize(rng, nil)
		if err != nil {
			t.Fatal(err)
		}
		if n%2 == 1 {
			// Mix in another response's answers where this one has none,
			// hidden or not.
			b, err := d.Synthesize(rng, nil)
			if err != nil {
				t.Fatal(err)
			}
			for k, v := range b {
				if _, ok := a[k]; !ok && rng.IntN(3) > 0 {
					a[k] = v
				}
			}
		}
		want := visibleByCopy(d, a)
		got := d.Shown(a, nil)
		for i, q := range d.Questions() {
			if got[i] != want[q.Code] {
				t.Fatalf("%s, response %d, %s: Shown says %v, the copying algorithm %v", d.Slug, n, q.Code, got[i], want[q.Code])
			}
			if _, ok := a[q.Code]; ok && !got[i] {
				hiddenAnswered++
			}
		}
		if vis := d.Visible(a); len(vis) != len(want) {
			t.Fatalf("Visible has %d questions, want %d", len(vis), len(want))
		}
	}
	if hiddenAnswered == 0 {
		t.Fatalf("%s: no answered question was hidden: the test did not reach the copy", d.Slug)
	}
}
