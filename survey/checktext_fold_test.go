package survey

import (
	"math/rand/v2"
	"strings"
	"testing"
)

// TestCheckTextFoldsAsFields: a one-line text is folded exactly as
// strings.Join(strings.Fields(s), " ") folds the trimmed text, whether or
// not checkText sees white space to fold, for texts made of words and
// every kind of white space (a no-break space, a line break, runs).
func TestCheckTextFoldsAsFields(t *testing.T) {
	parts := []string{"Rīga", "a", " ", "  ", "\t", "\n", "\r\n", "\u00a0", "\u2003", "\u3000", "x\u2028y", "—"}
	rng := rand.New(rand.NewPCG(3, 4))
	for range 5000 {
		var b strings.Builder
		for range rng.IntN(8) {
			b.WriteString(parts[rng.IntN(len(parts))])
		}
		in := b.String()
		got, problem := checkText(in, 1000, false)
		want := strings.Join(strings.Fields(strings.TrimSpace(strings.ReplaceAll(in, "\r\n", "\n"))), " ")
		if problem != nil || got != want {
			t.Fatalf("%q: got %q (%v), want %q", in, got, problem, want)
		}
		if got, _ := checkText(in, 1000, true); got != strings.TrimSpace(strings.ReplaceAll(in, "\r\n", "\n")) {
			t.Fatalf("%q multi-line: got %q", in, got)
		}
	}
}
