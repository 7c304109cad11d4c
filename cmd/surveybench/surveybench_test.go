package main

import (
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"syscall"
	"testing"
	"time"
)

// The links CSV in either language gives each municipality's token,
// simulated municipalities first: client i's link is the same in the HTTP
// run and in pgbench (codes in this order).
func TestReadLinks(t *testing.T) {
	for name, in := range map[string]string{
		"en": "\ufeffCode,Municipality,Link,Contacts\r\n" +
			"adazi,Adazi Municipality,http://localhost:8080/r/AAA,\r\n" +
			"sim-00002,Simulated municipality 2,http://localhost:8080/r/CCC,\r\n" +
			"sim-00001,Simulated municipality 1,http://localhost:8080/r/BBB,a@b.lv\r\n",
		"lv": "\ufeffKods;Pašvaldība;Saite;Kontakti\r\n" +
			"adazi;Ādažu novads;https://x.lv/r/AAA;\r\n" +
			"sim-00002;Simulēta pašvaldība 2;https://x.lv/r/CCC;\r\n" +
			"sim-00001;Simulēta pašvaldība 1;https://x.lv/r/BBB;a@b.lv, c@d.lv\r\n",
	} {
		links, err := readLinks(strings.NewReader(in))
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		var got []string
		for _, l := range links {
			got = append(got, l.Code+"="+l.Token)
		}
		if want := "sim-00001=BBB sim-00002=CCC adazi=AAA"; strings.Join(got, " ") != want {
			t.Errorf("%s: links %v, want %s", name, got, want)
		}
	}
	if _, err := readLinks(strings.NewReader("Code,Municipality,Link,Contacts\n")); err == nil {
		t.Error("a CSV without links was taken")
	}
}

func TestPercentiles(t *testing.T) {
	var r saveResult
	for i := 100; i >= 1; i-- {
		r.Lat = append(r.Lat, time.Duration(i)*time.Millisecond)
	}
	r.Saves, r.Conflicts, r.Elapsed = 100, 5, 2*time.Second
	r.finish()
	if p50, p99 := r.pct(0.5), r.pct(0.99); p50 != 50 || p99 != 99 {
		t.Errorf("p50 %v, p99 %v; want 50, 99", p50, p99)
	}
	if r.Rate != 50 || r.conflictRate() != 0.05 {
		t.Errorf("rate %v, 409 rate %v; want 50, 0.05", r.Rate, r.conflictRate())
	}
}

// pgbench's per-transaction log: the third field is the latency in µs;
// failed or skipped transactions are not latencies.
func TestReadPgbenchLog(t *testing.T) {
	f := filepath.Join(t.TempDir(), "pgbench-c1.123")
	log := "0 0 1500 0 1700000000 1\n0 1 2500 0 1700000000 2\n1 0 failed 0 1700000000 3\n"
	if err := os.WriteFile(f, []byte(log), 0o600); err != nil {
		t.Fatal(err)
	}
	var r saveResult
	if err := readPgbenchLog(f, &r); err != nil {
		t.Fatal(err)
	}
	if len(r.Lat) != 2 || r.Lat[0] != 1500*time.Microsecond || r.Lat[1] != 2500*time.Microsecond {
		t.Errorf("latencies %v", r.Lat)
	}
}

func TestRedact(t *testing.T) {
	for in, want := range map[string]string{
		"http://h:1/api/v1/r/SECRET":        "http://h:1/api/v1/r/…",
		"http://h:1/api/v1/r/SECRET/submit": "http://h:1/api/v1/r/…/submit",
		"http://h:1/healthz":                "http://h:1/healthz",
	} {
		if got := redact(in); got != want {
			t.Errorf("redact(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestFormats(t *testing.T) {
	if got := thousands(100000); got != "100,000" {
		t.Errorf("thousands: %s", got)
	}
	if got := ratio(3, 2); got != "1.50×" {
		t.Errorf("ratio: %s", got)
	}
	if got := ratio(3, 0); got != "—" {
		t.Errorf("ratio by zero: %s", got)
	}
}

// TestPageFaultCost: the machine line's cost of a first touch of a page is
// measured (more than nothing, less than a millisecond on any machine
// this runs on).
func TestPageFaultCost(t *testing.T) {
	d, err := pageFaultCost()
	if err != nil {
		t.Fatal(err)
	}
	if d <= 0 || d >= time.Millisecond {
		t.Fatalf("a first touch of a page: %v", d)
	}
}

// readProcUse sees this process's CPU and the page faults of memory it
// touches for the first time.
func TestReadProcUse(t *testing.T) {
	u0, ok := readProcUse(os.Getpid())
	if runtime.GOOS != "linux" { // no /proc: no reading, and pages gives no note
		if ok {
			t.Fatalf("a reading without /proc: %v", u0)
		}
		return
	}
	if !ok {
		t.Fatal("no reading of this process")
	}
	const size = 8 << 20
	page := os.Getpagesize()
	mem, err := syscall.Mmap(-1, 0, size, syscall.PROT_READ|syscall.PROT_WRITE, syscall.MAP_ANON|syscall.MAP_PRIVATE)
	if err != nil {
		t.Fatal(err)
	}
	defer syscall.Munmap(mem)
	for i := 0; i < size; i += page {
		mem[i] = 1
	}
	u1, ok := readProcUse(os.Getpid())
	if !ok {
		t.Fatal("no second reading")
	}
	if d, pages := u1.sub(u0), int64(size/page); d.Faults < pages*9/10 {
		t.Errorf("%d page faults for %d pages touched", d.Faults, pages)
	}
	// Busy for 20 ms of CPU by its own reading, which must get there
	// (a reading that did not grow would spin to the deadline).
	for deadline := time.Now().Add(10 * time.Second); ; {
		u, _ := readProcUse(os.Getpid())
		if u.CPU-u1.CPU >= 20*time.Millisecond {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the CPU read stayed at %v after 10 s of spinning", u.CPU-u1.CPU)
		}
	}
}

// A request's use: the server's difference, and the backends' — one born
// meanwhile counts whole, one gone counts nothing; medians each apart.
func TestPageUse(t *testing.T) {
	s0 := procUse{CPU: 10 * time.Millisecond, Faults: 100}
	b0 := map[int]procUse{1: {CPU: 5 * time.Millisecond, Faults: 7}, 2: {CPU: time.Millisecond, Faults: 1}}
	probe := useProbe(func() (procUse, map[int]procUse) {
		return procUse{CPU: 25 * time.Millisecond, Faults: 130},
			map[int]procUse{1: {CPU: 8 * time.Millisecond, Faults: 9}, 3: {CPU: 2 * time.Millisecond, Faults: 4}}
	})
	u := probe.since(s0, b0)
	want := pageUse{Server: procUse{CPU: 15 * time.Millisecond, Faults: 30}, Postgres: procUse{CPU: 5 * time.Millisecond, Faults: 6}}
	if u != want {
		t.Errorf("use %+v, want %+v", u, want)
	}
	m := medianUse([]pageUse{
		{Server: procUse{CPU: 1, Faults: 30}, Postgres: procUse{CPU: 9, Faults: 1}},
		{Server: procUse{CPU: 3, Faults: 10}, Postgres: procUse{CPU: 7, Faults: 3}},
		{Server: procUse{CPU: 2, Faults: 20}, Postgres: procUse{CPU: 8, Faults: 2}},
	})
	if want := (pageUse{Server: procUse{CPU: 2, Faults: 20}, Postgres: procUse{CPU: 8, Faults: 2}}); m != want {
		t.Errorf("median %+v, want %+v", m, want)
	}
	if got := (procUse{CPU: 1500 * time.Microsecond, Faults: 1}).String(); got != "1.5 ms CPU, 1 page fault" {
		t.Errorf("String: %q", got)
	}
}

// /proc/stat's first line gives the idle (idle + iowait) and total ticks,
// guest time not counted twice.
func TestCPUTimes(t *testing.T) {
	idle, total, ok := cpuTimes([]byte("cpu  100 5 50 800 20 3 2 0 40 0\ncpu0 50 2 25 400 10 1 1 0 20 0\n"))
	if !ok || idle != 820 || total != 980 {
		t.Errorf("idle %d, total %d, %v; want 820, 980, true", idle, total, ok)
	}
	if _, _, ok := cpuTimes([]byte("intr 1 2 3\n")); ok {
		t.Error("a first line other than cpu was read")
	}
}
