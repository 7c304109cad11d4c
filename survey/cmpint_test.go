package survey

import (
	"math"
	"math/big"
	"testing"
)

// cmpInt agrees with comparing a big.Rat of the number, for whole bounds
// (inside and beyond int64) and fractional ones.
func TestCmpInt(t *testing.T) {
	huge := new(big.Rat).SetInt(new(big.Int).Lsh(big.NewInt(1), 70))
	bounds := []*big.Rat{big.NewRat(0, 1), big.NewRat(-5, 1), big.NewRat(1900, 1), big.NewRat(1, 2),
		big.NewRat(-7, 3), big.NewRat(math.MaxInt64, 1), big.NewRat(math.MinInt64, 1), huge, new(big.Rat).Neg(huge)}
	ints := []int64{0, 1, -1, -5, -6, 1899, 1900, 1901, -2, -3, math.MaxInt64, math.MinInt64, 1_000_000_000_000_000}
	for _, b := range bounds {
		for _, i := range ints {
			if got, want := cmpInt(i, b), new(big.Rat).SetInt64(i).Cmp(b); got != want {
				t.Errorf("cmpInt(%d, %s) = %d, want %d", i, b.RatString(), got, want)
			}
		}
	}
}
