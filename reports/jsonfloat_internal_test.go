package reports

import (
	"encoding/json"
	"math"
	"math/rand/v2"
	"testing"
)

// TestAppendJSONFloatAsEncodingJSON: every value is written as
// encoding/json writes it — whole numbers (the quick path) and not, small
// and large, negative zero, the edges of the exponent form.
func TestAppendJSONFloatAsEncodingJSON(t *testing.T) {
	t.Parallel()
	vals := []float64{0, math.Copysign(0, -1), 1, -1, 30.1, 29802, -29802, 1e6, 1e15, 1e17, 999999999999999999, 1e18, 1e20, 1 << 53, 1<<53 + 2, -(1 << 53), 1<<53 - 1,
		1e21, 1e22, -1e21, 0.5, 1e-6, 1e-7, 123456789.125, math.MaxInt64, -math.MaxInt64, math.MaxFloat64,
		math.SmallestNonzeroFloat64, 4503599627370496.5, 9007199254740993}
	r := rand.New(rand.NewPCG(1, 2))
	for range 20000 {
		switch r.IntN(3) {
		case 0:
			vals = append(vals, float64(r.Int64N(1<<62)-1<<61))
		case 1:
			vals = append(vals, math.Round(r.NormFloat64()*1e6)/100)
		default:
			vals = append(vals, math.Float64frombits(r.Uint64()))
		}
	}
	for _, v := range vals {
		if math.IsNaN(v) || math.IsInf(v, 0) {
			continue
		}
		want, err := json.Marshal(v)
		if err != nil {
			t.Fatal(err)
		}
		if got := appendJSONFloat(nil, v); string(got) != string(want) {
			t.Fatalf("%v: %s, encoding/json %s", v, got, want)
		}
	}
}

func BenchmarkAppendJSONFloat(b *testing.B) {
	out := make([]byte, 0, 64)
	for i := 0; b.Loop(); i++ {
		out = appendJSONFloat(out[:0], float64(i%100000))
	}
}
