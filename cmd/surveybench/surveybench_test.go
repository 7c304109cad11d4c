package main

import (
	"os"
	"path/filepath"
	"strings"
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
