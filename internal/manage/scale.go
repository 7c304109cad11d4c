package manage

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math/rand/v2"
	"runtime"
	"sync"
	"time"

	"github.com/civitas-lv/surveyd/internal/domain"
	"github.com/civitas-lv/surveyd/internal/refdata"
	"github.com/civitas-lv/surveyd/internal/store"
	"github.com/civitas-lv/surveyd/survey"
)

// Limits and names of a synthetic scale set (see Scale).
const (
	// ScaleFirstYear is the first round's reference year; its slug is
	// "scale-2021", the next "scale-2022" and so on.
	ScaleFirstYear = 2021
	// ScaleMaxRounds keeps the last reference year within 2100.
	ScaleMaxRounds = 2100 - ScaleFirstYear + 1
	// ScaleMaxMunicipalities keeps the codes at sim-00001 … sim-99999.
	ScaleMaxMunicipalities = 99999
	// ScaleMaxResponses bounds one set.
	ScaleMaxResponses = 1_000_000
	// ScalePrefix starts every simulated municipality's code.
	ScalePrefix = "sim-"
	// scaleSource is the built-in definition the rounds are made from.
	scaleSource = "regional-2025"
)

// ErrScaleSize refuses a scale set's sizes.
var ErrScaleSize = fmt.Errorf("a scale set needs 1–%d rounds, 1–%d municipalities and 1–%d responses, at most one per municipality and round (responses ≤ rounds × municipalities)",
	ScaleMaxRounds, ScaleMaxMunicipalities, ScaleMaxResponses)

// ScaleSpec is the size of a synthetic scale set.
type ScaleSpec struct {
	Rounds, Municipalities, Responses int
	Seed                              uint64
}

// ScaleResult says what Scale made.
type ScaleResult struct {
	Rounds []domain.Survey
	// Responses is the number of responses in each round, in order.
	Responses []int
}

// Scale makes a synthetic benchmark data set in a scratch database, for
// admins and the operator (domain.AccessAdminister, as Demo): spec.Municipalities
// simulated municipalities (sim-00001 "Simulēta pašvaldība 1" …, spread
// over the real planning and statistical regions and kinds),
// spec.Rounds rounds from the built-in 2025 questionnaire (scale-2021 …,
// reference years in sequence, each made from the one before it) and
// spec.Responses submitted responses with plausible synthetic answers
// (Synthesize, plausible), spread evenly over the rounds and, in each
// round, over a window of the municipalities that moves from round to
// round. Each response is stored as a first submit stores it, with its
// one revision (store.LoadScale: COPY, one transaction), and the
// prepared form of its answers is kept as a submit keeps it
// (keepRoundForms, after: a round read whole once).
//
// It refuses (changing nothing) sizes out of range (ErrScaleSize), a
// database where a real municipality has a response
// (store.ErrRealAnswers) and a taken slug (domain.ErrExists).
func (m *Manager) Scale(ctx context.Context, p domain.Principal, spec ScaleSpec) (ScaleResult, error) {
	var out ScaleResult
	if err := p.Require(domain.AccessAdminister); err != nil {
		return out, err
	}
	r, mc, n := spec.Rounds, spec.Municipalities, spec.Responses
	if r < 1 || r > ScaleMaxRounds || mc < 1 || mc > ScaleMaxMunicipalities || n < 1 || n > ScaleMaxResponses || n > r*mc {
		return out, ErrScaleSize
	}
	real, err := refdata.Municipalities()
	if err != nil {
		return out, err
	}
	if len(real) == 0 {
		return out, errors.New("scale: no reference municipalities")
	}
	munis := make([]domain.Municipality, mc)
	for i := range munis {
		like := real[i%len(real)]
		munis[i] = domain.Municipality{Code: fmt.Sprintf("%s%05d", ScalePrefix, i+1),
			NameLV: fmt.Sprintf("Simulēta pašvaldība %d", i+1), NameEN: fmt.Sprintf("Simulated municipality %d", i+1),
			Kind: like.Kind, PlanningRegion: like.PlanningRegion, StatisticalRegion: like.StatisticalRegion, Active: true}
	}
	src, _, err := survey.Builtin(scaleSource)
	if err != nil {
		return out, err
	}
	defs := make([]*survey.Definition, r)
	rounds := make([]domain.Survey, r)
	for i := range defs {
		year := ScaleFirstYear + i
		if defs[i], err = nextDefinition(src, fmt.Sprintf("scale-%d", year), year); err != nil {
			return out, err
		}
		src = defs[i]
		// Answered in February and March after the reference year.
		opens := time.Date(year+1, time.February, 1, 0, 0, 0, 0, time.UTC)
		closes := time.Date(year+1, time.April, 1, 0, 0, 0, 0, time.UTC)
		d := defs[i]
		rounds[i] = domain.Survey{Slug: d.Slug, TitleLV: d.Title.LV, TitleEN: d.Title.EN, ReferenceYear: d.ReferenceYear,
			Definition: d.JSON(), DefinitionSHA256: DefinitionSHA256(d), OpensAt: opens, ClosesAt: closes}
	}
	out.Responses = make([]int, r)
	for i := range out.Responses {
		out.Responses[i] = n / r
		if i < n%r {
			out.Responses[i]++
		}
	}
	one := func(i, k int) (store.ScaleResponse, error) {
		// Each response its own generator: the set depends only on the
		// seed, however the work is shared out.
		rng := rand.New(rand.NewPCG(spec.Seed, uint64(i)<<32|uint64(k)))
		sv := rounds[i]
		mu := munis[(i*mc/r+k)%mc] // the window of municipalities moves on each round
		answers, err := defs[i].Synthesize(rng, plausible(rng, mu))
		if err != nil {
			return store.ScaleResponse{}, err
		}
		data, err := json.Marshal(answers)
		if err != nil {
			return store.ScaleResponse{}, err
		}
		at := sv.OpensAt.Add(time.Duration(rng.Int64N(int64(sv.ClosesAt.Sub(sv.OpensAt))))).Truncate(time.Microsecond)
		return store.ScaleResponse{Municipality: mu.Code, Answers: data, At: at}, nil
	}
	responses := func(i int, add func(store.ScaleResponse) error) error {
		return inParallel(ctx, out.Responses[i], func(k int) (store.ScaleResponse, error) { return one(i, k) }, add)
	}
	out.Rounds, err = m.Store.LoadScale(ctx, store.ScaleSet{Simulated: ScalePrefix, Municipalities: munis,
		Rounds: rounds, Responses: responses, Note: "scale"})
	if err != nil {
		return ScaleResult{}, err
	}
	// The prepared forms its submits would have kept (keepSavedForm).
	for i, sv := range out.Rounds {
		if _, err := m.keepRoundForms(ctx, sv, defs[i]); err != nil {
			return out, err
		}
	}
	return out, nil
}

// scaleChunk is a run of responses made by one worker.
type scaleChunk struct {
	from, to int
	out      []store.ScaleResponse
	err      error
	done     chan struct{}
}

// inParallel makes the n responses gen(0) … gen(n-1) on every CPU and
// hands them to add in order, in the caller's goroutine. It stops at the
// first error.
func inParallel(ctx context.Context, n int, gen func(k int) (store.ScaleResponse, error), add func(store.ScaleResponse) error) error {
	const size = 256
	workers := runtime.GOMAXPROCS(0)
	var wg sync.WaitGroup
	defer wg.Wait() // after cancel: the workers and the feeder stop on it
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	jobs := make(chan *scaleChunk)
	order := make(chan *scaleChunk, 2*workers) // bounds the memory held
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for c := range jobs {
				for k := c.from; k < c.to && c.err == nil && ctx.Err() == nil; k++ {
					var r store.ScaleResponse
					if r, c.err = gen(k); c.err == nil {
						c.out = append(c.out, r)
					}
				}
				if c.err == nil {
					c.err = ctx.Err()
				}
				close(c.done)
			}
		}()
	}
	go func() {
		defer close(jobs)
		defer close(order)
		for from := 0; from < n; from += size {
			c := &scaleChunk{from: from, to: min(from+size, n), done: make(chan struct{})}
			select {
			case order <- c:
			case <-ctx.Done():
				return
			}
			select {
			case jobs <- c:
			case <-ctx.Done():
				close(c.done)
				return
			}
		}
	}()
	for c := range order {
		<-c.done
		if c.err == nil && len(c.out) < c.to-c.from {
			c.err = ctx.Err()
		}
		if c.err != nil {
			return c.err
		}
		for _, r := range c.out {
			if err := add(r); err != nil {
				return err
			}
		}
	}
	return ctx.Err()
}
