// Command testprogress turns the JSON of `go test -json` (on standard input,
// or from the files it is given: named pipes that several go test runs
// write at once) into a short report for people: one line per package as it finishes (its
// result, time and number of tests), every 30 seconds which packages are
// still running, the whole output of every failing test, of a package that
// failed outside its tests and of a build that failed, and at the end the
// slowest tests. Lines that are not JSON are passed through. It exits with
// status 1 when anything failed, so `set -o pipefail; go test -json ./... |
// testprogress` fails when go test or a test fails (reading files, the
// caller checks each go test's exit status itself). -json FILE keeps every
// line read.
//
// make test uses it; run the tests without it (`go test ./...`) to see go
// test's own output.
package main

import (
	"bufio"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"maps"
	"os"
	"slices"
	"strings"
	"sync"
	"time"
)

// event is one line of `go test -json` (see `go doc cmd/test2json`), or of
// the build output it carries (ImportPath, Action "build-output" or
// "build-fail").
type event struct {
	Time        time.Time
	Action      string
	Package     string
	Test        string
	Elapsed     float64
	Output      string
	FailedBuild string
	ImportPath  string
}

// pkg is what is known of one package's test run.
type pkg struct {
	name     string
	started  time.Time
	output   []string            // the package's own output (no test)
	tests    map[string][]string // output of tests that have not passed
	order    []string            // tests in the order they started
	done     map[string]string   // test → pass, fail or skip
	passed   int                 // top-level tests that passed
	failed   int                 // top-level tests that failed
	skipped  int                 // top-level tests that were skipped
	finished bool
}

type testTime struct {
	pkg, test string
	elapsed   float64
}

// report holds the state of the whole run.
type report struct {
	out      io.Writer
	module   string // common import path prefix, shortened in output
	pkgs     map[string]*pkg
	builds   map[string][]string // build output per import path
	slow     []testTime
	ok, bad  int
	noTests  int
	failures []string // what failed, for the summary
	start    time.Time
	nowFunc  func() time.Time
}

func newReport(out io.Writer, now func() time.Time) *report {
	return &report{out: out, pkgs: map[string]*pkg{}, builds: map[string][]string{}, nowFunc: now, start: now()}
}

func main() {
	keep := flag.String("json", "", "also write every input line to this `file`")
	flag.Usage = func() {
		fmt.Fprintln(flag.CommandLine.Output(), "usage: go test -json ./... | testprogress [-json file]\n       testprogress [-json file] input...")
		flag.PrintDefaults()
	}
	flag.Parse()
	r := newReport(os.Stdout, time.Now)
	var copyTo io.Writer
	if *keep != "" {
		f, err := os.Create(*keep)
		if err != nil {
			fmt.Fprintln(os.Stderr, "testprogress:", err)
			os.Exit(2)
		}
		defer f.Close()
		copyTo = f
	}
	lines, err := readInputs(flag.Args())
	if err != nil {
		fmt.Fprintln(os.Stderr, "testprogress:", err)
		os.Exit(2)
	}
	tick := time.NewTicker(30 * time.Second)
	defer tick.Stop()
	for {
		select {
		case in, ok := <-lines:
			switch {
			case !ok:
				if r.finish() {
					os.Exit(1)
				}
				return
			case in.err != nil:
				fmt.Fprintf(r.out, "testprogress: reading go test's output: %v\n", in.err)
				r.failures = append(r.failures, "reading go test's output")
			default:
				if copyTo != nil {
					fmt.Fprintln(copyTo, in.line)
				}
				r.line(in.line)
			}
		case <-tick.C:
			r.running()
		}
	}
}

// input is a line read, or the error that ended an input.
type input struct {
	line string
	err  error
}

// readInputs reads standard input, or else each named file (named pipes
// that several go test runs write at once), a line at a time, into one
// channel closed when every input has ended.
func readInputs(names []string) (<-chan input, error) {
	files := []*os.File{os.Stdin}
	if len(names) > 0 {
		files = files[:0]
		for _, n := range names {
			f, err := os.Open(n)
			if err != nil {
				return nil, err
			}
			files = append(files, f)
		}
	}
	lines := make(chan input)
	var wg sync.WaitGroup
	for _, f := range files {
		wg.Go(func() {
			defer f.Close()
			sc := bufio.NewScanner(f)
			sc.Buffer(make([]byte, 1024*1024), 64*1024*1024)
			for sc.Scan() {
				lines <- input{line: sc.Text()}
			}
			if err := sc.Err(); err != nil {
				lines <- input{err: err}
			}
		})
	}
	go func() { wg.Wait(); close(lines) }()
	return lines, nil
}

// line handles one line of input.
func (r *report) line(l string) {
	var e event
	if !strings.HasPrefix(l, "{") || json.Unmarshal([]byte(l), &e) != nil {
		fmt.Fprintln(r.out, l)
		return
	}
	if e.ImportPath != "" && e.Package == "" {
		r.build(e)
		return
	}
	p := r.pkgs[e.Package]
	if p == nil {
		p = &pkg{name: e.Package, started: r.nowFunc(), tests: map[string][]string{}, done: map[string]string{}}
		r.pkgs[e.Package] = p
	}
	switch {
	case e.Test == "" && e.Action == "output":
		p.output = append(p.output, e.Output)
	case e.Test == "" && (e.Action == "pass" || e.Action == "fail" || e.Action == "skip"):
		r.endPackage(p, e)
	case e.Action == "run":
		p.order = append(p.order, e.Test)
		p.tests[e.Test] = nil
	case e.Action == "output":
		p.tests[e.Test] = append(p.tests[e.Test], e.Output)
	case e.Action == "pass" || e.Action == "skip" || e.Action == "fail":
		p.done[e.Test] = e.Action
		top := !strings.Contains(e.Test, "/")
		switch e.Action {
		case "pass":
			delete(p.tests, e.Test) // its output is not needed
			if top {
				p.passed++
			}
		case "skip":
			if top {
				p.skipped++
			}
		case "fail":
			if top {
				p.failed++
			}
			r.failures = append(r.failures, r.short(p.name)+" "+e.Test)
			fmt.Fprintf(r.out, "--- FAIL %s %s (%.2fs)\n", r.short(p.name), e.Test, e.Elapsed)
			r.print(p.tests[e.Test])
		}
		if top && e.Action != "skip" {
			r.slow = append(r.slow, testTime{p.name, e.Test, e.Elapsed})
		}
	}
}

// build keeps a package's build output and prints it when the build fails.
func (r *report) build(e event) {
	switch e.Action {
	case "build-output":
		r.builds[e.ImportPath] = append(r.builds[e.ImportPath], e.Output)
	case "build-fail":
		fmt.Fprintf(r.out, "BUILD FAILED %s\n", e.ImportPath)
		r.print(r.builds[e.ImportPath])
		r.failures = append(r.failures, "build of "+e.ImportPath)
	}
	if e.Action == "build-fail" || e.Action == "build-pass" {
		delete(r.builds, e.ImportPath)
	}
}

// endPackage prints the package's line, and when it failed everything that
// may say why: its own output and the output of tests that never finished
// (a panic or a timeout stops them).
func (r *report) endPackage(p *pkg, e event) {
	p.finished = true
	if e.Action == "skip" { // no test files
		r.noTests++
		return
	}
	counts := fmt.Sprintf("%d tests", p.passed+p.failed+p.skipped)
	if p.skipped > 0 {
		counts += fmt.Sprintf(", %d skipped", p.skipped)
	}
	if e.Action == "pass" {
		r.ok++
		fmt.Fprintf(r.out, "ok    %-36s %7.1fs  %s\n", r.short(p.name), e.Elapsed, counts)
		return
	}
	r.bad++
	if e.FailedBuild != "" {
		fmt.Fprintf(r.out, "FAIL  %-36s (build of %s failed)\n", r.short(p.name), e.FailedBuild)
		return
	}
	fmt.Fprintf(r.out, "FAIL  %-36s %7.1fs  %s, %d failed\n", r.short(p.name), e.Elapsed, counts, p.failed)
	r.unfinished(p)
	if p.failed == 0 {
		r.failures = append(r.failures, r.short(p.name))
	}
}

// unfinished prints the output of the package's tests that never ended and
// its own output.
func (r *report) unfinished(p *pkg) {
	for _, t := range p.order {
		if _, done := p.done[t]; !done {
			fmt.Fprintf(r.out, "--- %s %s did not finish; its output:\n", r.short(p.name), t)
			r.print(p.tests[t])
		}
	}
	fmt.Fprintf(r.out, "--- output of %s outside its tests:\n", r.short(p.name))
	r.print(p.output)
}

// running says which packages are still running and for how long.
func (r *report) running() {
	var names []string
	for _, p := range r.pkgs {
		if !p.finished {
			names = append(names, fmt.Sprintf("%s (%ds, %d tests done)", r.short(p.name),
				int(r.nowFunc().Sub(p.started).Seconds()), p.passed+p.failed+p.skipped))
		}
	}
	if len(names) > 0 {
		slices.Sort(names)
		fmt.Fprintf(r.out, "...   still running: %s\n", strings.Join(names, ", "))
	}
}

// finish prints the slowest tests and the summary, and reports whether
// anything failed.
func (r *report) finish() bool {
	// A package that started and never ended: go test was killed.
	names := slices.Sorted(maps.Keys(r.pkgs))
	for _, name := range names {
		if p := r.pkgs[name]; !p.finished {
			r.bad++
			r.failures = append(r.failures, r.short(p.name)+" (no result)")
			fmt.Fprintf(r.out, "FAIL  %-36s no result (go test stopped?)\n", r.short(p.name))
			r.unfinished(p)
		}
	}
	slices.SortFunc(r.slow, func(a, b testTime) int {
		switch {
		case a.elapsed > b.elapsed:
			return -1
		case a.elapsed < b.elapsed:
			return 1
		}
		return strings.Compare(a.pkg+a.test, b.pkg+b.test)
	})
	if len(r.slow) > 0 {
		fmt.Fprintln(r.out, "slowest tests:")
		for _, s := range r.slow[:min(8, len(r.slow))] {
			fmt.Fprintf(r.out, "  %6.1fs  %s %s\n", s.elapsed, r.short(s.pkg), s.test)
		}
	}
	took := r.nowFunc().Sub(r.start).Round(time.Second)
	if len(r.failures) == 0 {
		fmt.Fprintf(r.out, "PASS: %d packages in %s (%d without tests)\n", r.ok, took, r.noTests)
		return false
	}
	fmt.Fprintf(r.out, "FAIL: %d packages failed, %d passed, in %s; failed: %s\n", r.bad, r.ok, took,
		strings.Join(r.failures, ", "))
	return true
}

// print writes output lines, indented so that they stand apart.
func (r *report) print(lines []string) {
	for _, l := range lines {
		for _, s := range strings.SplitAfter(l, "\n") {
			if s != "" {
				fmt.Fprint(r.out, "    ", s)
			}
		}
	}
	if n := len(lines); n > 0 && !strings.HasSuffix(lines[n-1], "\n") {
		fmt.Fprintln(r.out)
	}
}

// short drops the module path shared by the packages: internal/web rather
// than github.com/civitas-lv/surveyd/internal/web.
func (r *report) short(name string) string {
	if r.module == "" {
		r.module = modulePath()
	}
	if r.module != "-" {
		if name == r.module {
			return "."
		}
		if s, ok := strings.CutPrefix(name, r.module+"/"); ok {
			return s
		}
	}
	return name
}

// modulePath reads the module path from go.mod in the working directory,
// "-" when there is none.
func modulePath() string {
	b, err := os.ReadFile("go.mod")
	if err != nil {
		return "-"
	}
	for _, l := range strings.Split(string(b), "\n") {
		if m, ok := strings.CutPrefix(strings.TrimSpace(l), "module "); ok {
			return strings.Trim(strings.TrimSpace(m), `"`)
		}
	}
	return "-"
}
