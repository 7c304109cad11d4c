package main

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"time"
	_ "time/tzdata" // Europe/Riga, as the export writes dates

	"github.com/civitas-lv/surveyd/internal/domain"
	"github.com/civitas-lv/surveyd/internal/manage"
	"github.com/civitas-lv/surveyd/internal/store"
	"github.com/civitas-lv/surveyd/reports"
	"github.com/civitas-lv/surveyd/survey"
)

// baselineCmd is `surveybench xlsx-baseline`: reports.WriteBaselineXLSX
// over the round's rows as the export reads them (the same query,
// store.ReportRows, streamed; each row decoded by manage.ReportRow), with
// the options of `surveyd export` without --personal (Latvian, submitted
// responses). Run in its own process so that its peak RSS is its own.
func baselineCmd(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("xlsx-baseline", flag.ContinueOnError)
	slug := fs.String("survey", "", "the round's slug (required)")
	out := fs.String("o", "", "the file to write (required)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *slug == "" || *out == "" {
		return errors.New("xlsx-baseline: -survey and -o are required")
	}
	dsn := os.Getenv("DATABASE_URL")
	if dsn == "" {
		return errors.New("xlsx-baseline: DATABASE_URL is not set")
	}
	// The rows stream while the workbook is written: one statement lasts
	// the whole write, so it gets the export's statement timeout.
	var opt store.Options
	if v := os.Getenv("DB_STATEMENT_TIMEOUT"); v != "" {
		d, err := time.ParseDuration(v)
		if err != nil {
			return fmt.Errorf("DB_STATEMENT_TIMEOUT: %w", err)
		}
		opt.StatementTimeout = d
	}
	st, err := store.OpenWith(ctx, dsn, opt)
	if err != nil {
		return err
	}
	defer st.Close()
	sv, def, err := baselineRound(ctx, st, *slug)
	if err != nil {
		return err
	}
	f, err := os.Create(*out)
	if err != nil {
		return err
	}
	w := bufio.NewWriterSize(f, 1<<16)
	err = writeBaseline(ctx, w, st, sv, def, false)
	if err == nil {
		err = w.Flush()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	return err
}

// baselineRound is the round slug and its questionnaire.
func baselineRound(ctx context.Context, st *store.Store, slug string) (domain.Survey, *survey.Definition, error) {
	sv, err := st.SurveyBySlug(ctx, slug)
	if err != nil {
		return sv, nil, fmt.Errorf("survey %q: %w", slug, err)
	}
	def, err := survey.Parse(sv.Definition, slug)
	return sv, def, err
}

// writeBaseline writes to w reports.WriteBaselineXLSX over round sv's rows
// as the export reads them (store.ReportRows, streamed; each row decoded
// by manage.ReportRow), in Latvian, personal data or not.
func writeBaseline(ctx context.Context, w io.Writer, st *store.Store, sv domain.Survey, def *survey.Definition, personal bool) error {
	src := func() reports.Rows {
		return func(yield func(reports.Row, error) bool) {
			for r, err := range st.ReportRows(ctx, sv.ID, nil) {
				var row reports.Row
				if err == nil {
					row, err = manage.ReportRow(r)
				}
				if !yield(row, err) || err != nil {
					return
				}
			}
		}
	}
	tz, err := time.LoadLocation("Europe/Riga")
	if err != nil {
		return err
	}
	xo := reports.XLSXOptions{Lang: "lv", Filter: reports.FilterFrom(url.Values{}), Generated: time.Now(), TimeZone: tz,
		Slug: sv.Slug, Title: sv.TitleLV, Personal: personal}
	return reports.WriteBaselineXLSX(ctx, w, def, src, xo)
}

// bareInProcess times writeBaseline of round slug in database db in this
// process, personal data included (as a coordinator's export.xlsx has
// them), into memory: the median of n runs after one not timed.
func (b *bench) bareInProcess(ctx context.Context, db, slug string, n int) (float64, error) {
	st, err := store.Open(ctx, b.dsnFor(db))
	if err != nil {
		return 0, err
	}
	defer st.Close()
	sv, def, err := baselineRound(ctx, st, slug)
	if err != nil {
		return 0, err
	}
	var times []float64
	var buf bytes.Buffer
	for i := range n + 1 {
		buf.Reset()
		start := time.Now()
		if err := writeBaseline(ctx, &buf, st, sv, def, true); err != nil {
			return 0, err
		}
		if i > 0 {
			times = append(times, float64(time.Since(start))/float64(time.Millisecond))
		}
	}
	slices.Sort(times)
	return times[(len(times)-1)/2], nil
}

// childRun is a measured child process: its wall time, its peak RSS
// (getrusage of the child) and the size of the file it wrote.
type childRun struct {
	Time   time.Duration
	MaxRSS int64 // bytes
	Bytes  int64
	Err    error
}

// measureChild runs name args with env, waits, and measures it; out is
// the file it writes.
func measureChild(ctx context.Context, limit time.Duration, env []string, out, name string, args ...string) childRun {
	os.Remove(out)
	ctx, cancel := context.WithTimeout(ctx, limit)
	defer cancel()
	cmd := exec.CommandContext(ctx, name, args...)
	cmd.Env = env
	var stderr strings.Builder
	cmd.Stderr = &stderr
	start := time.Now()
	err := cmd.Run()
	r := childRun{Time: time.Since(start)}
	if cmd.ProcessState != nil {
		if ru, ok := cmd.ProcessState.SysUsage().(*syscall.Rusage); ok {
			r.MaxRSS = ru.Maxrss * 1024 // kilobytes on Linux
		}
	}
	if err != nil && ctx.Err() == context.DeadlineExceeded {
		r.Err = fmt.Errorf("did not finish within %s (stopped)", limit)
		return r
	}
	if err != nil {
		r.Err = fmt.Errorf("%s: %w: %s", filepath.Base(name), err, lastLines(stderr.String(), 3))
		return r
	}
	if fi, err := os.Stat(out); err == nil {
		r.Bytes = fi.Size()
	} else {
		r.Err = err
	}
	return r
}
