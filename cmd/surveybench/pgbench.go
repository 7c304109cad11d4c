package main

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"strconv"
	"strings"
	"time"
)

// pgbenchRun is one run of scripts/bench/save.pgbench.
type pgbenchRun struct {
	Script  string // the .pgbench file
	DSN     string // the database (a libpq URI)
	Dir     string // where pgbench writes its per-transaction logs
	Clients int
	Time    time.Duration // whole seconds
	Vars    map[string]string
}

var tpsLine = regexp.MustCompile(`(?m)^tps = ([0-9.]+) \(without initial connection time\)`)

// run runs pgbench -M prepared with a per-transaction log, and reads the
// rate from its summary and the latencies from the log.
func (p pgbenchRun) run(ctx context.Context) (saveResult, error) {
	var res saveResult
	prefix := filepath.Join(p.Dir, fmt.Sprintf("pgbench-c%d", p.Clients))
	old, _ := filepath.Glob(prefix + ".*")
	for _, f := range old {
		os.Remove(f)
	}
	secs := max(int(p.Time.Round(time.Second)/time.Second), 1)
	args := []string{"-n", "-M", "prepared", "-c", strconv.Itoa(p.Clients), "-j", strconv.Itoa(min(p.Clients, runtime.NumCPU())),
		"-T", strconv.Itoa(secs), "-f", p.Script, "-l", "--log-prefix", prefix}
	for k, v := range p.Vars {
		args = append(args, "-D", k+"="+v)
	}
	args = append(args, p.DSN)
	cmd := exec.CommandContext(ctx, "pgbench", args...)
	var out, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &stderr
	start := time.Now()
	err := cmd.Run()
	res.Elapsed = time.Since(start)
	if cmd.ProcessState != nil {
		res.CPU = cmd.ProcessState.UserTime() + cmd.ProcessState.SystemTime()
	}
	if err != nil {
		return res, fmt.Errorf("pgbench: %w: %s", err, lastLines(stderr.String(), 5))
	}
	m := tpsLine.FindStringSubmatch(out.String())
	if m == nil {
		return res, fmt.Errorf("pgbench: no tps in its output: %s", lastLines(out.String(), 10))
	}
	res.Rate, _ = strconv.ParseFloat(m[1], 64)
	if s := failedLine.FindStringSubmatch(out.String()); s != nil {
		res.Errors, _ = strconv.Atoi(s[1])
	}
	logs, _ := filepath.Glob(prefix + ".*")
	for _, f := range logs {
		if err := readPgbenchLog(f, &res); err != nil {
			return res, err
		}
		os.Remove(f)
	}
	res.Saves = len(res.Lat)
	res.finish()
	return res, nil
}

var failedLine = regexp.MustCompile(`(?m)^number of failed transactions: (\d+)`)

// readPgbenchLog reads a per-transaction log: client_id transaction_no
// time(µs) script_no time_epoch time_us.
func readPgbenchLog(name string, res *saveResult) error {
	f, err := os.Open(name)
	if err != nil {
		return err
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		fields := strings.Fields(sc.Text())
		if len(fields) < 3 {
			continue
		}
		us, err := strconv.ParseInt(fields[2], 10, 64)
		if err != nil {
			continue // "skipped" or "failed"
		}
		res.Lat = append(res.Lat, time.Duration(us)*time.Microsecond)
	}
	return sc.Err()
}

func lastLines(s string, n int) string {
	lines := strings.Split(strings.TrimSpace(s), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "\n")
}
