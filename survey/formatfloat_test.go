package survey

import (
	"math"
	"math/rand/v2"
	"strconv"
	"testing"
)

// TestFormatFloatAsBig: FormatFloat and FormatFixedFloat write every
// number exactly as the big-number path they stand for does
// (FormatNumber and FormatFixed of FloatRat), over edge cases and many
// random numbers of every magnitude, at every number of places.
func TestFormatFloatAsBig(t *testing.T) {
	t.Parallel()
	values := []float64{0, math.Copysign(0, -1), 0.5, -0.5, 1.5, 2.5, 0.125, 2.675, 0.005, -0.005, 0.0049, -0.0049,
		999.995, 9.999, -9.9999, 99999.5, 1e-7, 1.23456789012345e-10, 5e-13, 4.9999999999999e-13, 0.1 + 0.2,
		1e21, 123456789012345680000, math.MaxFloat64, math.SmallestNonzeroFloat64, -1234567.891,
		math.NaN(), math.Inf(1), math.Inf(-1), 33.3333, 12345.678, 0.9999999999999, 0.99999999999995, -4e-13, -1e-13}
	rng := rand.New(rand.NewPCG(1, 2))
	for range 3000 {
		mag := math.Pow(10, float64(rng.IntN(30)-15))
		v := (rng.Float64()*2 - 1) * mag
		if rng.IntN(4) == 0 { // a number with few decimals, where halves are exact
			v, _ = strconv.ParseFloat(strconv.FormatFloat(v, 'f', rng.IntN(6), 64)+"5", 64)
		}
		values = append(values, v)
	}
	for _, v := range values {
		for places := -1; places <= 14; places++ {
			for _, lang := range []string{"lv", "en"} {
				if got, want := FormatFloat(v, places, lang, true), FormatNumber(FloatRat(v, places), lang, true); got != want {
					t.Fatalf("FormatFloat(%v, %d, %s) = %q, want %q", v, places, lang, got, want)
				}
				if got, want := FormatFloat(v, places, lang, false), FormatNumber(FloatRat(v, places), lang, false); got != want {
					t.Fatalf("FormatFloat(%v, %d, %s, no groups) = %q, want %q", v, places, lang, got, want)
				}
				if places < 0 {
					continue
				}
				if got, want := FormatFixedFloat(v, places, lang), FormatFixed(FloatRat(v, places), places, lang); got != want {
					t.Fatalf("FormatFixedFloat(%v, %d, %s) = %q, want %q", v, places, lang, got, want)
				}
			}
		}
	}
}
