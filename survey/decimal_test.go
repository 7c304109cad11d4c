package survey

import (
	"encoding/json"
	"math/big"
	"math/rand/v2"
	"reflect"
	"strconv"
	"strings"
	"testing"
)

// TestCheckDecimal: where checkDecimal decides a number, checkNumberRat
// decides it the same way (the same canonical value, or the same
// problem), for questions of each numeric type, places and bounds, and
// numbers around the bounds, with trailing zeros, negative, long, and
// malformed.
func TestCheckDecimal(t *testing.T) {
	rat := func(s string) *big.Rat {
		r, ok := new(big.Rat).SetString(s)
		if !ok {
			t.Fatal(s)
		}
		return r
	}
	two, zero, twelve, fourteen := 2, 0, 12, 14
	var questions []*Question
	for _, typ := range []Type{Int, Year, Decimal, Money, Percent} {
		for _, dec := range []*int{nil, &zero, &two, &twelve, &fourteen} {
			for _, b := range [][2]*big.Rat{{nil, nil}, {rat("0"), nil}, {rat("-5"), rat("5")}, {nil, rat("100")},
				{rat("1.5"), nil}, {rat("-3"), rat("1000000000000000")}, {rat("9223372036854775807"), nil}} {
				questions = append(questions, &Question{Type: typ, Decimals: dec, min: b[0], max: b[1]})
			}
		}
	}
	numbers := []string{"0.0", "-0.0", "-0.00", "0.5", "-0.5", "1.50", "4.999", "5.0", "5.000001", "-5.0", "-5.5",
		"-4.5", "-6.0", "100.0", "99.99", "100.01", "1.25", "12.3456789012", "1.1234567890123", "123456789012345.6",
		"1234567890123456.7", "00.5", "01.5", "1.", ".5", "1.5e3", "1.2.3", "-", "-.5", "999999999999999.9",
		"1.000000000000000", "3.14159265358979"}
	rng := rand.New(rand.NewPCG(7, 8))
	for range 2000 {
		w := strconv.Itoa(rng.IntN(2000) - 1000)
		f := strconv.Itoa(rng.IntN(100000))
		f = strings.Repeat("0", rng.IntN(3)) + f + strings.Repeat("0", rng.IntN(3))
		numbers = append(numbers, w+"."+f)
	}
	decided := 0
	for _, q := range questions {
		for _, s := range numbers {
			v, p, ok := q.checkDecimal(json.Number(s))
			if !ok {
				continue
			}
			decided++
			rv, rp := q.checkNumberRat(json.Number(s))
			if !reflect.DeepEqual(v, rv) || !reflect.DeepEqual(p, rp) {
				t.Errorf("%s as %s (places %d, min %v, max %v): %v %v, checkNumberRat %v %v",
					s, q.Type, q.Places(), q.min, q.max, v, p, rv, rp)
			}
		}
	}
	if decided < len(questions)*len(numbers)/10 {
		t.Errorf("checkDecimal decided %d of %d", decided, len(questions)*len(numbers))
	}
}
