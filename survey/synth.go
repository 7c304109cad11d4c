package survey

import (
	"encoding/json"
	"fmt"
	"math"
	"math/big"
	"math/rand/v2"
)

// Override lets a caller supply a plausible value for a question (return
// ok=false to let Synthesize choose). It sees the answers chosen so far.
type Override func(q *Question, soFar Answers) (v any, ok bool)

// Synthesize makes a complete, submit-valid set of answers for trying out
// reports: it answers every shown question (optional ones most of the time)
// within its limits and retries until the cross-field rules hold.
func (d *Definition) Synthesize(rng *rand.Rand, override Override) (Answers, error) {
	for range 500 {
		a := Answers{}
		for _, q := range d.order {
			if q.showIf != nil {
				if shown, _ := eval(q.showIf, a).(bool); !shown {
					continue
				}
			}
			if !q.Required && rng.Float64() < 0.3 {
				continue
			}
			if override != nil {
				if v, ok := override(q, a); ok {
					a[q.Code] = v
					continue
				}
			}
			d.synthOne(rng, q, a)
		}
		res := d.Validate(a, Submit)
		if res.OK() {
			return res.Answers, nil
		}
	}
	return nil, fmt.Errorf("survey %s: could not make answers that pass the rules", d.Slug)
}

func (d *Definition) synthOne(rng *rand.Rand, q *Question, a Answers) {
	switch q.Type {
	case Single:
		opts := q.AllOptions()
		o := opts[rng.IntN(len(opts))]
		a[q.Code] = o.Code
		if o.Code == OtherCode {
			a[q.OtherKey()] = demoWords[rng.IntN(len(demoWords))]
		}
	case Multi:
		var picked []string
		var excl []string
		for _, o := range q.Options {
			if o.Exclusive {
				excl = append(excl, o.Code)
			} else if rng.Float64() < 0.35 {
				picked = append(picked, o.Code)
			}
		}
		if len(excl) > 0 && rng.Float64() < 0.1 {
			picked = []string{excl[0]}
		} else {
			if q.Other && rng.Float64() < 0.15 {
				picked = append(picked, OtherCode)
				a[q.OtherKey()] = demoWords[rng.IntN(len(demoWords))]
			}
			if len(picked) == 0 {
				for _, o := range q.Options {
					if !o.Exclusive {
						picked = append(picked, o.Code)
						break
					}
				}
			}
		}
		a[q.Code] = picked
	case YesNo:
		a[q.Code] = rng.Float64() < 0.6
	case Int, Year, Decimal, Money, Percent:
		a[q.Code] = synthNumber(rng, q, d.ReferenceYear)
	case Email:
		a[q.Code] = fmt.Sprintf("demo%d@example.org", rng.IntN(1000))
	case Phone:
		a[q.Code] = fmt.Sprintf("+371 2%07d", rng.IntN(10_000_000))
	case Short:
		a[q.Code] = truncate(demoNames[rng.IntN(len(demoNames))], q.Limit())
	case Long:
		a[q.Code] = truncate(demoSentences[rng.IntN(len(demoSentences))], q.Limit())
	}
}

func synthNumber(rng *rand.Rand, q *Question, refYear int) json.Number {
	lo, hi := -1e6, 1e6
	if q.min != nil {
		lo, _ = q.min.Float64()
	}
	if q.max != nil {
		hi, _ = q.max.Float64()
	}
	if q.Type == Year {
		lo = math.Max(lo, float64(refYear-10))
		hi = math.Min(hi, float64(refYear))
	}
	var v float64
	switch {
	case hi-lo <= 1000:
		v = lo + rng.Float64()*(hi-lo)
	default:
		// Log-uniform over the positive part: plausible magnitudes.
		l := math.Max(lo, 1)
		h := math.Min(hi, 1e6)
		v = math.Exp(math.Log(l) + rng.Float64()*(math.Log(h)-math.Log(l)))
	}
	places := q.Places()
	if q.Type == Int || q.Type == Year {
		places = 0
	}
	p := math.Pow(10, float64(places))
	v = math.Floor(v*p) / p
	r := new(big.Rat).SetFloat64(v)
	if r == nil {
		r = new(big.Rat)
	}
	return json.Number(r.FloatString(places))
}

func truncate(s string, n int) string {
	r := []rune(s)
	if len(r) > n {
		return string(r[:n])
	}
	return s
}

var (
	demoWords = []string{"Sporta inventāra patapinājums", "Atbalsts pasākumu rīkošanai", "Informatīvs atbalsts",
		"Jauniešu iniciatīvu fonds", "Telpu koplietošana"}
	demoNames     = []string{"Demo Respondente", "Demo Respondents", "Sabiedrisko attiecību speciāliste", "Attīstības nodaļas vadītājs"}
	demoSentences = []string{
		"Trūkst cilvēkresursu, lai konsultētu biedrības par projektu pieteikumiem.",
		"Iedzīvotāji aktīvi iesaistījās, bet projektu īstenošana aizkavējās iepirkumu dēļ.",
		"Lauku teritorijās grūtāk sasniegt iedzīvotājus; noderīgas bija klātienes tikšanās.",
		"Sadarbība ar nevalstiskajām organizācijām ir laba, taču finansējums ir ierobežots.",
	}
)
