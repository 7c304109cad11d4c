package main

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"
)

// run feeds the lines to a report and returns what it printed and whether
// it reported a failure.
func run(lines ...string) (string, bool) {
	var b strings.Builder
	now := time.Date(2026, 11, 29, 10, 0, 0, 0, time.UTC)
	r := newReport(&b, func() time.Time { now = now.Add(time.Second); return now })
	r.module = "example.org/m"
	for _, l := range lines {
		r.line(l)
	}
	failed := r.finish()
	return b.String(), failed
}

func TestPassingRun(t *testing.T) {
	t.Parallel()
	out, failed := run(
		`{"Action":"start","Package":"example.org/m/a"}`,
		`{"Action":"run","Package":"example.org/m/a","Test":"TestOne"}`,
		`{"Action":"output","Package":"example.org/m/a","Test":"TestOne","Output":"=== RUN   TestOne\n"}`,
		`{"Action":"output","Package":"example.org/m/a","Test":"TestOne","Output":"secret chatter of a passing test\n"}`,
		`{"Action":"pass","Package":"example.org/m/a","Test":"TestOne","Elapsed":2.5}`,
		`{"Action":"run","Package":"example.org/m/a","Test":"TestTwo"}`,
		`{"Action":"run","Package":"example.org/m/a","Test":"TestTwo/sub"}`,
		`{"Action":"pass","Package":"example.org/m/a","Test":"TestTwo/sub","Elapsed":0.1}`,
		`{"Action":"pass","Package":"example.org/m/a","Test":"TestTwo","Elapsed":0.2}`,
		`{"Action":"output","Package":"example.org/m/a","Output":"PASS\n"}`,
		`{"Action":"pass","Package":"example.org/m/a","Elapsed":3.1}`,
		`{"Action":"start","Package":"example.org/m/b"}`,
		`{"Action":"output","Package":"example.org/m/b","Output":"?   \texample.org/m/b\t[no test files]\n"}`,
		`{"Action":"skip","Package":"example.org/m/b","Elapsed":0}`,
	)
	if failed {
		t.Error("a passing run reported a failure")
	}
	for _, want := range []string{"ok    a ", "3.1s  2 tests", "slowest tests:\n     2.5s  a TestOne\n     0.2s  a TestTwo\n",
		"PASS: 1 packages in "} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
	if strings.Contains(out, "secret chatter") || strings.Contains(out, "TestTwo/sub") {
		t.Errorf("output of passing tests or subtests is shown:\n%s", out)
	}
}

func TestFailingRun(t *testing.T) {
	t.Parallel()
	out, failed := run(
		`not JSON: go: downloading something`,
		`{"Action":"start","Package":"example.org/m/a"}`,
		`{"Action":"run","Package":"example.org/m/a","Test":"TestGood"}`,
		`{"Action":"pass","Package":"example.org/m/a","Test":"TestGood","Elapsed":0.1}`,
		`{"Action":"run","Package":"example.org/m/a","Test":"TestBad"}`,
		`{"Action":"output","Package":"example.org/m/a","Test":"TestBad","Output":"=== RUN   TestBad\n"}`,
		`{"Action":"output","Package":"example.org/m/a","Test":"TestBad","Output":"    a_test.go:9: got 1, want 2\n"}`,
		`{"Action":"output","Package":"example.org/m/a","Test":"TestBad","Output":"--- FAIL: TestBad (0.30s)\n"}`,
		`{"Action":"fail","Package":"example.org/m/a","Test":"TestBad","Elapsed":0.3}`,
		`{"Action":"run","Package":"example.org/m/a","Test":"TestHangs"}`,
		`{"Action":"output","Package":"example.org/m/a","Test":"TestHangs","Output":"waiting for the database\n"}`,
		`{"Action":"output","Package":"example.org/m/a","Output":"panic: test timed out after 10m0s\n"}`,
		`{"Action":"fail","Package":"example.org/m/a","Elapsed":600}`,
		`{"ImportPath":"example.org/m/c [example.org/m/c.test]","Action":"build-output","Output":"# example.org/m/c\n"}`,
		`{"ImportPath":"example.org/m/c [example.org/m/c.test]","Action":"build-output","Output":"c/c.go:3:1: syntax error\n"}`,
		`{"ImportPath":"example.org/m/c [example.org/m/c.test]","Action":"build-fail"}`,
		`{"Action":"start","Package":"example.org/m/c"}`,
		`{"Action":"fail","Package":"example.org/m/c","Elapsed":0,"FailedBuild":"example.org/m/c [example.org/m/c.test]"}`,
		`{"Action":"start","Package":"example.org/m/d"}`,
		`{"Action":"run","Package":"example.org/m/d","Test":"TestCut"}`,
		`{"Action":"output","Package":"example.org/m/d","Test":"TestCut","Output":"last words\n"}`,
	)
	if !failed {
		t.Error("a failing run reported success")
	}
	for _, want := range []string{
		"not JSON: go: downloading something\n",
		"--- FAIL a TestBad (0.30s)\n    === RUN   TestBad\n        a_test.go:9: got 1, want 2\n    --- FAIL: TestBad (0.30s)\n",
		"FAIL  a ", "600.0s  2 tests, 1 failed",
		"a TestHangs did not finish; its output:\n    waiting for the database\n",
		"    panic: test timed out after 10m0s\n",
		"BUILD FAILED example.org/m/c [example.org/m/c.test]\n    # example.org/m/c\n    c/c.go:3:1: syntax error\n",
		"FAIL  d ", "no result", "d TestCut did not finish; its output:\n    last words\n",
		"FAIL: 3 packages failed, 0 passed",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
}

func TestRunningPackages(t *testing.T) {
	t.Parallel()
	var b strings.Builder
	now := time.Date(2026, 11, 29, 10, 0, 0, 0, time.UTC)
	r := newReport(&b, func() time.Time { return now })
	r.module = "example.org/m"
	r.line(`{"Action":"start","Package":"example.org/m/web"}`)
	r.line(`{"Action":"run","Package":"example.org/m/web","Test":"TestA"}`)
	r.line(`{"Action":"pass","Package":"example.org/m/web","Test":"TestA","Elapsed":1}`)
	now = now.Add(45 * time.Second)
	r.running()
	if want := "...   still running: web (45s, 1 tests done)\n"; b.String() != want {
		t.Errorf("got %q, want %q", b.String(), want)
	}
}

// TestReadsNamedPipesAtOnce: two writers that each wait for the other's
// line to be read — as two go test runs into named pipes — both get read,
// every line once, and the channel closes when both end.
func TestReadsNamedPipesAtOnce(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	a, b := filepath.Join(dir, "a"), filepath.Join(dir, "b")
	for _, p := range []string{a, b} {
		if err := syscall.Mkfifo(p, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	ready := make(chan struct{})
	write := func(p string, lines []string, wait chan struct{}) {
		f, err := os.OpenFile(p, os.O_WRONLY, 0)
		if err != nil {
			t.Error(err)
			return
		}
		defer f.Close()
		for i, l := range lines {
			if i == 1 && wait != nil {
				<-wait
			}
			fmt.Fprintln(f, l)
		}
	}
	go write(a, []string{"a1", "a2"}, ready)
	go write(b, []string{"b1", "b2"}, nil)
	in, err := readInputs([]string{a, b})
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	timeout := time.After(10 * time.Second)
	for done := false; !done; {
		select {
		case l, ok := <-in:
			switch {
			case !ok:
				done = true
			case l.err != nil:
				t.Fatal(l.err)
			default:
				got = append(got, l.line)
				if l.line == "b2" {
					close(ready) // a's second line comes only after b has ended
				}
			}
		case <-timeout:
			t.Fatalf("stuck after reading %q: the inputs are not read at once", got)
		}
	}
	slices.Sort(got)
	if !slices.Equal(got, []string{"a1", "a2", "b1", "b2"}) {
		t.Errorf("read %q", got)
	}
}
