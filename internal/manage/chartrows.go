package manage

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"runtime"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"github.com/civitas-lv/surveyd/internal/domain"
	"github.com/civitas-lv/surveyd/internal/lru"
	"github.com/civitas-lv/surveyd/internal/store"
	"github.com/civitas-lv/surveyd/reports"
	"github.com/civitas-lv/surveyd/survey"
)

// chartRowsKept is how many responses' prepared answers the Manager
// keeps for the charts at most (chartRowCache), over all rounds: the
// rounds used least recently go first, a round is kept whole or not at
// all. Measured on the scale set (BenchmarkChartsNothingKept: 2 rounds
// of 10,000 responses), an answer kept takes about 0.73 KB of heap, 14 MB
// for both rounds; at the bound about 30 MB.
const chartRowsKept = 40_000

// chartSummariesKept is how many earlier rounds' aggregates (one per
// round, definition and filter) the Manager keeps for the trends. An
// aggregate holds every number it summarises (for the quartiles): at
// 10,000 responses a few MB.
const chartSummariesKept = 8

// chartRowCache keeps the answers of rounds' responses as decoded for the
// charts, each under the version of the response row it was read from
// (store.ChartHead.Version, which changes whenever the row is written):
// a miss of the chart cache after a save then reads and decodes the one
// response written, not the round. Entries of responses no longer in the
// round go when the round is next read.
type chartRowCache struct {
	mu     sync.Mutex
	rounds map[chartRoundKey]*chartRound
	rows   int // entries over all rounds
	tick   uint64
	// decoded counts the answers read and prepared, forms counts those
	// of them taken from the forms kept in the database (tests).
	decoded, forms atomic.Int64
}

// chartRoundKey names a round's answers as the charts read them: the
// round's own (every response, the submitted copy else the working copy)
// or as an earlier round of a trend (the submitted copy of the submitted
// responses).
type chartRoundKey struct {
	survey        int64
	submittedOnly bool
}

type chartRound struct {
	answers map[int64]chartAnswers
	used    uint64
}

// chartAnswers is a response's answers prepared for Aggregate
// (reports.Prepared) under the definition the round was last read with,
// and the row version they were read from. The decoded answers
// themselves are not kept (they take more memory than the prepared
// form): a row made from an entry has Prepared and no Answers.
type chartAnswers struct {
	version  string
	prepared *reports.Prepared
}

// chartRoundRows is a round's rows for the charts as read in one snapshot:
// the heads, and the answers of each, kept or read and decoded, prepared
// under def. Its rows (all) are made of the two as they are given, not
// held: a row is four times a head's size, and at 10,000 responses the
// rows held took 2 MB of new memory on every read of the round.
type chartRoundRows struct {
	key chartRoundKey
	def *survey.Definition
	// forms names the prepared forms kept in the database for the
	// round's answers under def (readWhole reads them, keepForms writes
	// them); none when its questionnaire's SHA-256 is empty.
	forms store.PreparedKey
	heads []store.ChartHead
	// prepared are, by head, the prepared answers of the heads with a
	// response (nil for the others, and until read).
	prepared []*reports.Prepared
	// missing are the indexes in heads of the responses whose answers are
	// not kept (or kept prepared under another definition): read, decoded
	// and prepared (by read), then kept. gone says answers are kept for
	// responses no longer in the round.
	missing []int
	gone    bool
	// byForm says, by head, which rows' answers readWhole took from the
	// form kept in the database (the others it prepared from their
	// documents: keepForms keeps theirs); nil when the round was not
	// read whole.
	byForm []bool
}

// all yields the round's rows, in the heads' order: each head's row
// (chartRow) with its prepared answers.
func (rr *chartRoundRows) all() reports.Rows {
	return func(yield func(reports.Row, error) bool) {
		for i, h := range rr.heads {
			row := chartRow(h)
			row.Prepared = rr.prepared[i]
			if !yield(row, nil) {
				return
			}
		}
	}
}

// lookup makes the rows of heads with the answers kept under their
// versions and prepared under def, noting the ones it does not have
// (missing).
func (c *chartRowCache) lookup(key chartRoundKey, def *survey.Definition, heads []store.ChartHead) *chartRoundRows {
	rr := &chartRoundRows{key: key, def: def, heads: heads, prepared: make([]*reports.Prepared, len(heads))}
	c.mu.Lock()
	defer c.mu.Unlock()
	var kept map[int64]chartAnswers
	if r := c.rounds[key]; r != nil {
		kept = r.answers
		c.tick++
		r.used = c.tick
	}
	hits := 0
	for i, h := range heads {
		if h.Status != nil {
			if h.ID == nil || h.Version == nil {
				rr.missing = append(rr.missing, i) // not so: read it, and fail there
			} else if e, ok := kept[*h.ID]; ok && e.version == *h.Version && e.prepared.Definition() == def {
				rr.prepared[i] = e.prepared
				hits++
			} else {
				rr.missing = append(rr.missing, i)
			}
		}
	}
	rr.gone = hits != len(kept)
	return rr
}

// chartRow is the row of h, without its answers: empty answers where
// none were saved; none (nil) where they were (all gives them with
// Prepared and no Answers).
func chartRow(h store.ChartHead) reports.Row {
	row := reports.Row{Municipality: domain.Municipality{Code: h.Code, Kind: h.Kind, PlanningRegion: h.PlanningRegion,
		StatisticalRegion: h.StatisticalRegion}, Status: domain.StatusNone}
	if h.Status != nil {
		row.Status = *h.Status
	} else {
		row.Answers = survey.Answers{}
	}
	return row
}

// has reports whether any answers of the round are kept.
func (c *chartRowCache) has(key chartRoundKey) bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.rounds[key] != nil
}

// readRound reads the round's rows in sn with their answers prepared
// under def: those kept (lookup) and the others read (read); or, when
// none of the round's are kept (a server just started, or a round not
// read for long), the heads and every answers document, or the prepared
// form kept in the database under forms in its place (readWhole).
// also, when not nil, is run in sn after the heads (after the answers
// too when the round is read whole).
func (c *chartRowCache) readRound(ctx context.Context, sn *store.Snapshot, key chartRoundKey, def *survey.Definition,
	forms store.PreparedKey, also func(*store.Snapshot) error) (*chartRoundRows, error) {
	if !c.has(key) {
		rr := &chartRoundRows{key: key, def: def, forms: forms}
		return rr, rr.readWhole(ctx, sn, also)
	}
	heads, err := sn.ChartHeads(ctx, key.survey, key.submittedOnly)
	if err != nil {
		return nil, err
	}
	rr := c.lookup(key, def, heads)
	rr.forms = forms
	if err := rr.read(ctx, sn); err != nil {
		return nil, err
	}
	if also != nil {
		return rr, also(sn)
	}
	return rr, nil
}

// ids are the responses whose answers lookup did not have.
func (rr *chartRoundRows) ids() []int64 {
	ids := make([]int64, 0, len(rr.missing))
	for _, i := range rr.missing {
		if id := rr.heads[i].ID; id != nil {
			ids = append(ids, *id)
		}
	}
	return ids
}

// chartDecodeBatch is how many answers documents a reader hands a
// decoding worker at a time: enough that handing them over costs little
// beside preparing them (about 8 µs each), few enough that every worker
// has some early and the text held at once stays small (a batch is about
// 70 KB).
const chartDecodeBatch = 64

// A round read whole is read on the request's one connection
// (readWhole), not split over several server processes that share a
// snapshot: on a server just started each such process is new, and a new
// PostgreSQL process first maps every page of the table it reads (about
// 40 ms for the 15 MB of 10,000 responses on the 2-core AMD machine,
// beside 80 ms to write their documents out). Measured there over seven
// starts each (the first charts request at 10,000 responses), three
// connections took 296 ms (median), two 246 ms, one 232 ms; with the
// connections already open (BenchmarkPages' charts-first), three took 187
// ms and one 198 ms. A server just started is when a round is read whole.

// chartBatch is answers documents read, for a worker to prepare: the
// text of each, one after the other, where each ends and under which key,
// and (once prepared) each one's Prepared. A reader takes the Prepared
// of a batch prepared out of it and fills it again (prepareAll), so that
// a round's text is not allocated anew.
type chartBatch struct {
	text     []byte
	docs     []chartDoc
	prepared []*reports.Prepared
}

// chartDoc is one answers document of a batch: text[start:end] of it,
// under key, of the row version version.
type chartDoc struct {
	key        int64
	version    string
	start, end int
}

// chartReader reads answers documents and gives each to add, under a key
// of its choosing, with the row version it is of (the bytes are copied).
type chartReader func(add func(key int64, version string, answers []byte) error) error

// prepareAll prepares the answers documents that read gives to its add
// and gives each one's Prepared to put under its key and version: read
// runs in the caller's goroutine while a worker per processor
// (GOMAXPROCS, at most workers) prepares those handed over in batches, so
// preparing runs beside the server writing out the rest and no more than
// a few batches of text are held at once. put is called by one goroutine
// at a time, never after prepareAll returns. When a document cannot be
// prepared, add fails, so that read stops at its next document.
func prepareAll(def *survey.Definition, workers int, put func(key int64, version string, p *reports.Prepared), read chartReader) error {
	workers = max(1, min(runtime.GOMAXPROCS(0), workers))
	batches := make(chan *chartBatch, workers)
	// done are the batches prepared: no more than 2*workers+1 are ever
	// made (a batch is made only when none is done, and the reader fills
	// one at a time), so sending to it never waits.
	done := make(chan *chartBatch, 2*workers+1)
	errs := make([]error, workers)
	var failed atomic.Bool
	var wg sync.WaitGroup
	for w := range workers {
		wg.Go(func() {
			// Each document is read straight into the prepared form
			// (the only one kept, here as in the cache), with no
			// decoded answers in between.
			pr := reports.NewPreparer(def)
			for b := range batches {
				for j, d := range b.docs {
					if errs[w] != nil {
						break // the rest are only drained
					}
					p, err := pr.Prepare(b.text[d.start:d.end])
					if err != nil {
						errs[w] = err
						failed.Store(true)
						break
					}
					b.prepared[j] = p
				}
				done <- b
			}
		})
	}
	harvest := func(b *chartBatch) {
		for j, d := range b.docs {
			put(d.key, d.version, b.prepared[j])
		}
	}
	var batch *chartBatch
	err := read(func(key int64, version string, answers []byte) error {
		if failed.Load() {
			return errors.New("manage: an answers document could not be decoded")
		}
		if batch == nil {
			select {
			case batch = <-done:
				harvest(batch)
				batch.text, batch.docs, batch.prepared = batch.text[:0], batch.docs[:0], batch.prepared[:0]
			default:
				batch = &chartBatch{text: make([]byte, 0, chartDecodeBatch*1280), docs: make([]chartDoc, 0, chartDecodeBatch),
					prepared: make([]*reports.Prepared, 0, chartDecodeBatch)}
			}
		}
		start := len(batch.text)
		batch.text = append(batch.text, answers...)
		batch.docs = append(batch.docs, chartDoc{key: key, version: version, start: start, end: len(batch.text)})
		batch.prepared = append(batch.prepared, nil)
		if len(batch.docs) == chartDecodeBatch {
			batches <- batch
			batch = nil
		}
		return nil
	})
	if err == nil && batch != nil {
		batches <- batch
	}
	close(batches)
	wg.Wait()
	close(done)
	for b := range done {
		harvest(b)
	}
	if werr := errors.Join(errs...); werr != nil {
		return werr
	}
	return err
}

// read reads the answers of the rows that miss them in sn (the snapshot
// that read the heads) and prepares them for Aggregate while they arrive
// (prepareAll). Each must be the row version its head names, and every
// missing row must come.
func (rr *chartRoundRows) read(ctx context.Context, sn *store.Snapshot) error {
	if len(rr.missing) == 0 {
		return nil
	}
	at := make(map[int64]int, len(rr.missing)) // response id → index in rows
	for _, i := range rr.missing {
		if id := rr.heads[i].ID; id != nil {
			at[*id] = i
		}
	}
	got := 0
	put := func(head int64, _ string, p *reports.Prepared) { rr.prepared[head] = p }
	err := prepareAll(rr.def, len(rr.missing)/chartDecodeBatch+1, put, func(add func(int64, string, []byte) error) error {
		return sn.EachChartAnswers(ctx, rr.ids(), rr.key.submittedOnly, func(id int64, version string, answers []byte) error {
			// Heads and answers are read in one snapshot: only a broken
			// promise of the store gets to either error.
			i, ok := at[id]
			if !ok {
				return errors.New("manage: answers were read of a response that is not one of the round's rows missing them")
			}
			if rr.heads[i].Version == nil || version != *rr.heads[i].Version {
				return fmt.Errorf("manage: the answers of a response in %s are not of the version read with it", rr.heads[i].Code)
			}
			delete(at, id)
			got++
			return add(int64(i), version, answers)
		})
	})
	if err != nil {
		return err
	}
	if got != len(rr.missing) {
		i := rr.missing[0]
		for _, j := range rr.missing {
			if rr.prepared[j] == nil { // one that did not come
				i = j
				break
			}
		}
		return fmt.Errorf("manage: the answers of a response in %s are not of the version read with it", rr.heads[i].Code)
	}
	return nil
}

// readWhole reads the round's rows, none of whose answers are kept, in
// sn, in one pass over its responses (store.Snapshot.RoundWhole): the
// heads and the answers, each the prepared form kept in the database for
// its row version under rr.forms (decoded as it arrives) or else its
// answers document (prepared while they arrive: prepareAll); then also
// (when not nil), while the last documents are prepared, which then
// finds the responses' pages at hand in the server process. A form that
// does not decode under def (it should not: it was made under the same
// questionnaire and format) is as good as none: the document is read
// after, in sn. Every row with a response is missing. What it makes is
// what lookup and read make of the same rows (the heads in another
// order).
func (rr *chartRoundRows) readWhole(ctx context.Context, sn *store.Snapshot, also func(*store.Snapshot) error) error {
	var prepared []*reports.Prepared // by head
	var versions []string
	var byForm []bool
	read := 0
	note := func(head int64, version string) {
		if int(head) >= len(prepared) {
			n := int(head) + 1
			prepared = slices.Grow(prepared, n-len(prepared))[:n]
			versions = slices.Grow(versions, n-len(versions))[:n]
			byForm = slices.Grow(byForm, n-len(byForm))[:n]
		}
		versions[head] = version
		read++
	}
	put := func(head int64, version string, p *reports.Prepared) {
		note(head, version)
		prepared[head] = p
	}
	var redo []int // heads whose form did not decode
	forms := reports.NewPreparer(rr.def)
	reader := func(add func(int64, string, []byte) error) error {
		var err error
		rr.heads, err = sn.RoundWhole(ctx, rr.key.survey, rr.key.submittedOnly, rr.forms,
			func(head int, _ int64, version string, answers, form []byte) error {
				if form == nil {
					return add(int64(head), version, answers)
				}
				p, err := forms.Decode(form)
				if err != nil {
					note(int64(head), version)
					redo = append(redo, head)
					return nil
				}
				put(int64(head), version, p)
				byForm[head] = true
				return nil
			})
		if err != nil || also == nil {
			return err
		}
		// While the workers prepare the last documents.
		return also(sn)
	}
	if err := prepareAll(rr.def, runtime.GOMAXPROCS(0), put, reader); err != nil {
		return err
	}
	if len(prepared) > len(rr.heads) {
		return errors.New("manage: answers were read of a response that is not one of the round's rows")
	}
	rr.prepared = slices.Grow(prepared, len(rr.heads)-len(prepared))[:len(rr.heads)]
	rr.byForm = slices.Grow(byForm, len(rr.heads)-len(byForm))[:len(rr.heads)]
	if len(redo) > 0 {
		rr.missing = redo
		if err := rr.read(ctx, sn); err != nil {
			return err
		}
	}
	rr.missing = make([]int, 0, read)
	for i, h := range rr.heads {
		if h.Status != nil {
			// Heads and answers are read together: only a broken promise
			// of the store gets to this error.
			if i >= len(versions) || h.Version == nil || versions[i] != *h.Version || rr.prepared[i] == nil {
				return fmt.Errorf("manage: the answers of a response in %s are not of the version read with it", h.Code)
			}
			rr.missing = append(rr.missing, i)
		}
	}
	if read != len(rr.missing) {
		return errors.New("manage: answers were read of a response that is not one of the round's rows, or twice")
	}
	return nil
}

// formsRead is how many of the rows readWhole read had their prepared
// form kept in the database.
func (rr *chartRoundRows) formsRead() int {
	n := 0
	for _, f := range rr.byForm {
		if f {
			n++
		}
	}
	return n
}

// keepFormsTimeout bounds how long keepForms may write (and a server
// shutting down wait for it): 10,000 forms take about a tenth of a
// second.
const keepFormsTimeout = 20 * time.Second

// keepFormsAfter is how long after a round was read keepForms writes
// the forms: after the page they were read for is sent, not beside it
// (on two cores, writing 10,000 forms beside the first charts page of a
// server just started made it some 20–40 ms slower).
const keepFormsAfter = time.Second

// keepForms keeps in the database the prepared forms of the rows of rr
// that were prepared from their answers documents (rr.missing: read
// whole, those whose form was not kept; read after a change, the
// responses changed), each under the row version it was read from
// (rr.forms), so that the next server to read the round whole decodes
// these short forms instead. It writes on a goroutine of its own,
// keepFormsAfter later (or at once when Wait is called): the rows of
// every read of the round in that time in one write. Keeping them is
// worth a write, not a failed page: a failure is counted
// (surveyd_prepared_answers_total{event="not_kept"}) and the forms are
// made again next time.
func (m *Manager) keepForms(ctx context.Context, rr *chartRoundRows) {
	if rr.forms.DefinitionSHA256 == "" {
		return
	}
	if heads := rr.made(); len(heads) > 0 {
		m.scheduleForms(ctx, formWriteKey{survey: rr.key.survey, forms: rr.forms}, formJob{rr: rr, heads: heads})
	}
}

// made are the rows of rr whose answers were prepared from their
// documents (not taken from a form kept).
func (rr *chartRoundRows) made() []int {
	var heads []int
	for _, i := range rr.missing {
		if (rr.byForm == nil || !rr.byForm[i]) && rr.prepared[i] != nil && rr.heads[i].ID != nil && rr.heads[i].Version != nil {
			heads = append(heads, i)
		}
	}
	return heads
}

// keepRoundForms reads round sv whole, as its charts do, and keeps the
// prepared forms of the answers whose forms were not kept, at once: what a
// round filled by saves through personal links has (keepSavedForm), for a
// round written otherwise (Scale, Demo). It gives how many it kept. The
// forms are written keepRoundFormsBatch at a time while the round is read,
// so that a round of any size is not held.
func (m *Manager) keepRoundForms(ctx context.Context, sv domain.Survey, def *survey.Definition) (int, error) {
	key := formsKey(sv)
	pr := reports.NewPreparer(def)
	var batch []store.PreparedForm
	n := 0
	flush := func() error {
		err := m.Store.PutPrepared(ctx, sv.ID, key, batch)
		n, batch = n+len(batch), batch[:0]
		return err
	}
	err := m.Store.ReadSnapshot(ctx, func(sn *store.Snapshot) error {
		_, err := sn.RoundWhole(ctx, sv.ID, false, key, func(_ int, id int64, version string, answers, form []byte) error {
			if form != nil {
				return nil // kept already
			}
			p, err := pr.Prepare(answers)
			if err != nil {
				return err
			}
			batch = append(batch, store.PreparedForm{Response: id, Version: version, Form: reports.AppendPrepared(nil, p)})
			if len(batch) == keepRoundFormsBatch {
				return flush()
			}
			return nil
		})
		return err
	})
	if err == nil && len(batch) > 0 {
		err = flush()
	}
	return n, err
}

// KeepMissingForms keeps the prepared forms that are missing of the
// newest rounds' responses (those Warm parses the questionnaires of: the
// rounds whose charts are read), a round at a time, newest first: a round
// whose answers were written otherwise than through the service, or every
// round after PreparedFormat was raised or the forms were lost. A round
// that has a form for every response is only asked (store.FormsMissing),
// not read. Without it, the first charts request of such a round would
// prepare every answer from its document (120–350 ms at 10,000
// responses on two cores, by machine) and keep the forms only after it. A round whose
// questionnaire does not parse is left for its requests. It gives how
// many forms it kept.
func (m *Manager) KeepMissingForms(ctx context.Context) (int, error) {
	rounds, err := m.Store.Surveys(ctx)
	if err != nil {
		return 0, err
	}
	kept := 0
	for i, sv := range rounds {
		if i == warmRounds {
			break
		}
		if sv.DefinitionSHA256 == "" {
			continue
		}
		def, err := m.Definition(sv)
		if err != nil {
			continue
		}
		missing, err := m.Store.FormsMissing(ctx, sv.ID, formsKey(sv))
		if err != nil {
			return kept, err
		}
		if !missing {
			continue
		}
		n, err := m.keepRoundForms(ctx, sv, def)
		kept += n
		m.Metrics.PreparedAnswers("kept", n)
		if err != nil {
			return kept, fmt.Errorf("round %s: %w", sv.Slug, err)
		}
	}
	return kept, nil
}

// RunKeepMissingForms runs KeepMissingForms once, after a server has
// started serving (keepFormsAfter later, so that it does not slow the
// requests that came first), and logs what it kept.
func (m *Manager) RunKeepMissingForms(ctx context.Context, log *slog.Logger) {
	select {
	case <-ctx.Done():
		return
	case <-time.After(keepFormsAfter):
	}
	start := time.Now()
	n, err := m.KeepMissingForms(ctx)
	if err != nil && ctx.Err() == nil {
		log.Warn("keeping the prepared answers missing", "error", err, "kept", n)
		return
	}
	if n > 0 {
		log.Info("kept the prepared answers missing", "forms", n, "took", time.Since(start).Round(time.Millisecond))
	}
}

// keepRoundFormsBatch is how many forms keepRoundForms writes at a time.
const keepRoundFormsBatch = 2000

// keepSavedForm keeps in the database, as keepForms does, the prepared
// form of what a save through a personal link wrote, when the charts
// count it (saved.Counted: the response has no submitted copy, or the
// save submitted it): so that a round filled by saves is read as forms
// the first time it is read whole too. The form is made on the writing
// goroutine, not the save's, from the answers the save wrote: canonical
// (survey.Definition.Validate: numbers as the database gives them back,
// no "-0", no exponent), so the same form as from the document read back
// (TestSavedFormsKept).
func (m *Manager) keepSavedForm(ctx context.Context, sv domain.Survey, def *survey.Definition, saved store.Saved) {
	if saved.Counted == "" || saved.Answers == nil || saved.Response.ID == 0 || sv.DefinitionSHA256 == "" {
		return
	}
	m.scheduleForms(ctx, formWriteKey{survey: sv.ID, forms: formsKey(sv)},
		formJob{saved: &savedForm{def: def, id: saved.Response.ID, version: saved.Counted, answers: saved.Answers}})
}

// scheduleForms adds j to the forms waiting to be written under k, and
// starts the write that takes them keepFormsAfter later (or at once when
// Wait is called) when none is waiting.
func (m *Manager) scheduleForms(ctx context.Context, k formWriteKey, j formJob) {
	now, first := m.formWrites.add(k, j)
	if !first {
		return // written with the rows already waiting
	}
	ctx = context.WithoutCancel(ctx)
	m.background.Go(func() {
		wait := time.NewTimer(keepFormsAfter)
		select {
		case <-wait.C:
		case <-now:
			wait.Stop()
		}
		forms := formsOf(m.formWrites.take(k))
		ctx, cancel := context.WithTimeout(ctx, keepFormsTimeout)
		defer cancel()
		if err := m.Store.PutPrepared(ctx, k.survey, k.forms, forms); err != nil {
			m.Metrics.PreparedAnswers("not_kept", len(forms))
			return
		}
		m.Metrics.PreparedAnswers("kept", len(forms))
	})
}

// formsOf makes the prepared forms of the jobs' rows.
func formsOf(jobs []formJob) []store.PreparedForm {
	n := 0
	for _, j := range jobs {
		n += max(len(j.heads), 1)
	}
	forms := make([]store.PreparedForm, 0, n)
	buf := make([]byte, 0, 256*n)
	add := func(id int64, version string, p *reports.Prepared) {
		start := len(buf)
		buf = reports.AppendPrepared(buf, p)
		forms = append(forms, store.PreparedForm{Response: id, Version: version, Form: buf[start:len(buf):len(buf)]})
	}
	for _, j := range jobs {
		if s := j.saved; s != nil {
			add(s.id, s.version, reports.Prepare(s.def, s.answers))
		}
		for _, i := range j.heads {
			h := j.rr.heads[i]
			add(*h.ID, *h.Version, j.rr.prepared[i])
		}
	}
	return forms
}

// Wait has what the Manager writes after the requests it answered
// (keepForms) written now, and waits until it is.
func (m *Manager) Wait() {
	m.formWrites.hurry()
	m.background.Wait()
}

// formJob is what forms are to be kept of: rows of a read (heads are
// indexes in rr.heads), or a response a save wrote.
type formJob struct {
	rr    *chartRoundRows
	heads []int
	saved *savedForm
}

// savedForm is the answers a save wrote, made from def, and the row
// version it left (store.Saved.Counted).
type savedForm struct {
	def     *survey.Definition
	id      int64
	version string
	answers survey.Answers
}

// formWriteKey names one write: a round's forms under one key.
type formWriteKey struct {
	survey int64
	forms  store.PreparedKey
}

// roundWrites holds the forms waiting to be written, by round, and tells
// the writers waiting to go at once.
type roundWrites struct {
	mu      sync.Mutex
	waiting map[formWriteKey]*waitingForms
	now     chan struct{} // closed by hurry
}

// waitingForms are the jobs waiting for one write; saved says where in
// jobs each response a save wrote is (one job a response: its latest
// save, so that a burst of autosaves makes one form, not one each).
type waitingForms struct {
	jobs  []formJob
	saved map[int64]int
}

// add puts j with the rows waiting for its round and key (a save's in
// place of an earlier save's of the same response), and says whether
// none were (first: the caller starts the write that takes them), and
// gives the channel that hurry closes.
func (w *roundWrites) add(k formWriteKey, j formJob) (now <-chan struct{}, first bool) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.now == nil {
		w.now = make(chan struct{})
	}
	wf, ok := w.waiting[k]
	if !ok {
		if w.waiting == nil {
			w.waiting = map[formWriteKey]*waitingForms{}
		}
		wf = &waitingForms{}
		w.waiting[k] = wf
	}
	if j.saved != nil {
		if i, seen := wf.saved[j.saved.id]; seen {
			if store.RowVersionNumber(j.saved.version) >= store.RowVersionNumber(wf.jobs[i].saved.version) {
				wf.jobs[i] = j
			}
			return w.now, false
		}
		if wf.saved == nil {
			wf.saved = map[int64]int{}
		}
		wf.saved[j.saved.id] = len(wf.jobs)
	}
	wf.jobs = append(wf.jobs, j)
	return w.now, !ok
}

// take gives the rows waiting under k, and lets the next add start a
// write of its own.
func (w *roundWrites) take(k formWriteKey) []formJob {
	w.mu.Lock()
	defer w.mu.Unlock()
	wf := w.waiting[k]
	delete(w.waiting, k)
	if wf == nil {
		return nil
	}
	return wf.jobs
}

// hurry tells the writes waiting to go at once.
func (w *roundWrites) hurry() {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.now != nil {
		close(w.now)
		w.now = nil
	}
}

// keep keeps the round's answers as rr has them (all decoded), in place
// of what was kept for the round: responses no longer in it go. Rounds
// used least recently go while more than chartRowsKept answers are kept.
func (c *chartRowCache) keep(rr *chartRoundRows) {
	answers := make(map[int64]chartAnswers, len(rr.heads))
	for i, h := range rr.heads {
		if h.ID != nil && h.Version != nil && h.Status != nil {
			answers[*h.ID] = chartAnswers{version: *h.Version, prepared: rr.prepared[i]}
		}
	}
	if len(answers) > chartRowsKept {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.rounds == nil {
		c.rounds = map[chartRoundKey]*chartRound{}
	}
	if old := c.rounds[rr.key]; old != nil {
		c.rows -= len(old.answers)
	}
	c.tick++
	c.rounds[rr.key] = &chartRound{answers: answers, used: c.tick}
	c.rows += len(answers)
	for c.rows > chartRowsKept {
		var oldest chartRoundKey
		first := true
		for k, r := range c.rounds {
			if k != rr.key && (first || r.used < c.rounds[oldest].used) {
				oldest, first = k, false
			}
		}
		if first {
			break
		}
		c.rows -= len(c.rounds[oldest].answers)
		delete(c.rounds, oldest)
	}
}

// summaryCache keeps earlier rounds' aggregates for the trends, each under
// the fingerprint of the rows it was made from (store.Snapshot.TrendSummary,
// read in the snapshot that reads the rows): a change to the round's rows
// (an answer, a status, a municipality's region) gives another
// fingerprint, and the aggregate is made again. What the trends read of
// one is also kept in the database (trend_summaries), so that a server
// just started reads that rather than the round's answers.
type summaryCache struct {
	kept lru.Cache[summaryKey, *reports.Summary]
}

type summaryKey struct {
	survey      int64
	def         *survey.Definition
	defSHA256   string // the round's questionnaire, as the database names it
	filter      string
	fingerprint string
}

// stored is where k's summary is kept in the database.
func (k summaryKey) stored() store.TrendSummaryKey {
	return store.TrendSummaryKey{Survey: k.survey, DefinitionSHA256: k.defSHA256, Filter: k.filter,
		Format: reports.TrendSummaryFormat}
}

// readTrendSummary reads the summary kept in the database under k for the
// rows of k's fingerprint (data; nil when none is) and keeps it in
// memory too. A summary that does not decode for k's questionnaire is as
// good as none: the round is read and the summary made again.
func (m *Manager) readTrendSummary(k summaryKey, f reports.Filter, data []byte) *reports.Summary {
	if data == nil {
		return nil
	}
	s, err := reports.DecodeTrendSummary(k.def, f, data)
	if err != nil {
		return nil
	}
	m.Metrics.TrendSummary("read")
	m.summaries.put(k, s)
	return s
}

// keepTrendSummary keeps s, made from the rows of k's fingerprint, in
// memory and in the database. Keeping it in the database is worth a
// write, not a failed page: when that fails (a database that takes no
// writes, say) the summary is made again after the next start, and
// surveyd_trend_summaries_total{event="not_kept"} counts it.
func (m *Manager) keepTrendSummary(ctx context.Context, k summaryKey, s *reports.Summary) {
	m.summaries.put(k, s)
	m.Metrics.TrendSummary("made")
	data, err := reports.EncodeTrendSummary(s)
	if err == nil {
		err = m.Store.PutTrendSummary(ctx, k.stored(), k.fingerprint, data)
	}
	if err != nil {
		m.Metrics.TrendSummary("not_kept")
	}
}

func (c *summaryCache) get(k summaryKey) *reports.Summary {
	s, _ := c.kept.Get(k, nil)
	return s
}

func (c *summaryCache) put(k summaryKey, s *reports.Summary) {
	c.kept.Put(k, s, 1, chartSummariesKept, 0)
}

// readChartRounds reads, in one snapshot, the round's rows (every
// municipality) and, for each earlier round whose aggregate under the
// filter within is kept neither in memory (summaries) nor in the database
// (trend_summaries, for the same rows: readTrendSummary), its submitted
// rows; answers not kept (chartRowCache) are read and decoded, then kept.
// sums[i] is the kept aggregate of earlier[i] (nil: its rows are in
// prev[i]); keys[i] is where to keep the one made (keepTrendSummary).
// When stamp is not nil, it is set to the ResultsStamp of stampIDs in the
// same snapshot: the stamp of exactly what was read. The earlier rounds'
// fingerprints, their summaries kept and the stamp are read beside the
// round's answers documents (readRound's also).
func (m *Manager) readChartRounds(ctx context.Context, sv domain.Survey, def *survey.Definition, earlier []domain.Survey, defs []*survey.Definition,
	within reports.Filter, stampIDs []int64, stamp *string) (cur *chartRoundRows, prev []*chartRoundRows, sums []*reports.Summary, keys []summaryKey, err error) {
	prev = make([]*chartRoundRows, len(earlier))
	sums = make([]*reports.Summary, len(earlier))
	keys = make([]summaryKey, len(earlier))
	kept := make([][]byte, len(earlier))
	err = m.Store.ReadSnapshot(ctx, func(sn *store.Snapshot) error {
		also := func(sn *store.Snapshot) error {
			if stamp != nil {
				var err error
				if *stamp, err = sn.ResultsStamp(ctx, stampIDs, MaxTrendRounds); err != nil {
					return err
				}
			}
			for i, r := range earlier {
				keys[i] = summaryKey{survey: r.ID, def: defs[i], defSHA256: r.DefinitionSHA256, filter: filterKey(within)}
				var err error
				if keys[i].fingerprint, kept[i], err = sn.TrendSummary(ctx, keys[i].stored()); err != nil {
					return err
				}
			}
			return nil
		}
		var err error
		if cur, err = m.chartRows.readRound(ctx, sn, chartRoundKey{survey: sv.ID}, def, formsKey(sv), also); err != nil {
			return err
		}
		for i, r := range earlier {
			if sums[i] = m.summaries.get(keys[i]); sums[i] != nil {
				continue
			}
			if sums[i] = m.readTrendSummary(keys[i], within, kept[i]); sums[i] != nil {
				continue
			}
			if prev[i], err = m.chartRows.readRound(ctx, sn, chartRoundKey{survey: r.ID, submittedOnly: true}, defs[i], formsKey(r), nil); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return nil, nil, nil, nil, err
	}
	for _, rr := range append([]*chartRoundRows{cur}, prev...) {
		if rr == nil {
			continue
		}
		m.chartRows.decoded.Add(int64(len(rr.missing)))
		if len(rr.missing) > 0 || rr.gone {
			m.chartRows.keep(rr)
		}
		n := rr.formsRead()
		m.chartRows.forms.Add(int64(n))
		m.Metrics.PreparedAnswers("read", n)
		m.Metrics.PreparedAnswers("made", len(rr.missing)-n)
		m.keepForms(ctx, rr)
	}
	return cur, prev, sums, keys, nil
}

// formsKey names the prepared forms of round sv's answers kept in the
// database: under its questionnaire, in this code's format.
func formsKey(sv domain.Survey) store.PreparedKey {
	return store.PreparedKey{DefinitionSHA256: sv.DefinitionSHA256, Format: reports.PreparedFormat}
}
