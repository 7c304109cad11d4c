package main

import (
	"bytes"
	"context"
	"database/sql"
	"fmt"
	"os"
	"slices"
	"strconv"
	"sync"
	"syscall"
	"time"
)

// clockTick is the unit of /proc/PID/stat's CPU times (USER_HZ, 100 on
// Linux).
const clockTick = 10 * time.Millisecond

// procCPU is the CPU time (user + system) process pid has used so far, from
// /proc/PID/stat; false when the process is gone or this is not Linux.
func procCPU(pid int) (time.Duration, bool) {
	// utime (field 14) is f[11], stime f[12].
	f, ok := procStat(pid)
	if !ok || len(f) < 13 {
		return 0, false
	}
	u, err1 := strconv.ParseInt(string(f[11]), 10, 64)
	s, err2 := strconv.ParseInt(string(f[12]), 10, 64)
	if err1 != nil || err2 != nil {
		return 0, false
	}
	return time.Duration(u+s) * clockTick, true
}

// procStat is the fields of /proc/PID/stat from the state (field 3) on,
// so field n is f[n-3]; false when the process is gone or this is not
// Linux. The command name (field 2) is in parentheses and may hold spaces:
// the fields are counted from after its closing one.
func procStat(pid int) ([][]byte, bool) {
	data, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	if err != nil {
		return nil, false
	}
	i := bytes.LastIndexByte(data, ')')
	if i < 0 {
		return nil, false
	}
	return bytes.Fields(data[i+1:]), true
}

// cpuWatch measures the CPU a run costs in each process involved: fixed
// processes (the server, this load tool) and the PostgreSQL backends
// connected to one database, which come and go (pgbench's connect for
// the run). It samples them every 100 ms; a backend that ends between
// two samples loses at most its last 100 ms.
type cpuWatch struct {
	admin *sql.DB // a connection to another database: not counted
	db    string
	fixed map[string]int // name → pid

	mu    sync.Mutex
	start map[int]time.Duration // CPU at the first sample (0 for backends born later)
	last  map[int]time.Duration
	names map[int]string
	stop  chan struct{}
	done  chan struct{}
}

// cpuUse is what a watched run cost, by process ("postgres" sums the
// backends).
type cpuUse map[string]time.Duration

func startCPUWatch(ctx context.Context, admin *sql.DB, db string, fixed map[string]int) (*cpuWatch, error) {
	w := &cpuWatch{admin: admin, db: db, fixed: fixed, start: map[int]time.Duration{}, last: map[int]time.Duration{},
		names: map[int]string{}, stop: make(chan struct{}), done: make(chan struct{})}
	if err := w.sample(ctx, true); err != nil {
		return nil, err
	}
	go func() {
		defer close(w.done)
		t := time.NewTicker(100 * time.Millisecond)
		defer t.Stop()
		for {
			select {
			case <-w.stop:
				return
			case <-t.C:
				w.sample(ctx, false)
			}
		}
	}()
	return w, nil
}

// backends are the pids of the sessions on database db, asked through
// admin (a connection to another database).
func backends(ctx context.Context, admin *sql.DB, db string) ([]int, error) {
	rows, err := admin.QueryContext(ctx, `SELECT pid FROM pg_stat_activity WHERE datname = $1`, db)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []int
	for rows.Next() {
		var pid int
		if err := rows.Scan(&pid); err != nil {
			return nil, err
		}
		out = append(out, pid)
	}
	return out, rows.Err()
}

func (w *cpuWatch) sample(ctx context.Context, first bool) error {
	pids, err := backends(ctx, w.admin, w.db)
	if err != nil {
		return err
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	see := func(pid int, name string) {
		t, ok := procCPU(pid)
		if !ok {
			return
		}
		if _, known := w.last[pid]; !known {
			w.names[pid] = name
			if first || name != "postgres" {
				w.start[pid] = t
			} else {
				w.start[pid] = 0 // born during the run: all of it counts
			}
		}
		w.last[pid] = t
	}
	for name, pid := range w.fixed {
		see(pid, name)
	}
	for _, pid := range pids {
		see(pid, "postgres")
	}
	return nil
}

// end takes a last sample and returns the CPU each process used since
// the start.
func (w *cpuWatch) end(ctx context.Context) cpuUse {
	close(w.stop)
	<-w.done
	w.sample(ctx, false)
	w.mu.Lock()
	defer w.mu.Unlock()
	out := cpuUse{}
	for pid, t := range w.last {
		out[w.names[pid]] += t - w.start[pid]
	}
	return out
}

// perSave is the CPU of the named process per save, in milliseconds.
func (u cpuUse) perSave(name string, saves int) float64 {
	if saves == 0 {
		return 0
	}
	return float64(u[name].Microseconds()) / 1000 / float64(saves)
}

// cpuNote is the note of a client count's CPU split: per save over HTTP
// (server, PostgreSQL, load tool) and per pgbench transaction (PostgreSQL,
// pgbench).
func cpuNote(c int, h cpuUse, hs int, p cpuUse, ps int) string {
	return fmt.Sprintf("CPU per save at %d clients: over HTTP server %.2f ms + PostgreSQL %.2f ms + load tool %.2f ms = %.2f ms; "+
		"pgbench: PostgreSQL %.2f ms + pgbench %.2f ms = %.2f ms",
		c, h.perSave("server", hs), h.perSave("postgres", hs), h.perSave("load", hs),
		h.perSave("server", hs)+h.perSave("postgres", hs)+h.perSave("load", hs),
		p.perSave("postgres", ps), p.perSave("pgbench", ps), p.perSave("postgres", ps)+p.perSave("pgbench", ps))
}

// pageFaultCost is what the first touch of a page of fresh memory costs
// this machine (the median of 3: 64 MB mapped, each page written once): a
// process just started pays it for every page its heap grows by, and a new
// PostgreSQL process for every page of shared buffers it reads. On a
// virtual machine it can be many times a bare machine's.
func pageFaultCost() (time.Duration, error) {
	const size = 64 << 20
	page := os.Getpagesize()
	var runs []time.Duration
	for range 3 {
		mem, err := syscall.Mmap(-1, 0, size, syscall.PROT_READ|syscall.PROT_WRITE, syscall.MAP_ANON|syscall.MAP_PRIVATE)
		if err != nil {
			return 0, err
		}
		start := time.Now()
		for i := 0; i < size; i += page {
			mem[i] = 1
		}
		runs = append(runs, time.Since(start)/time.Duration(size/page))
		if err := syscall.Munmap(mem); err != nil {
			return 0, err
		}
	}
	slices.Sort(runs)
	return runs[1], nil
}

// procUse is what a process has used so far, from /proc: the CPU time of
// all its threads (each thread's schedstat, in nanoseconds, finer than
// stat's clock ticks) and its minor page faults (stat's minflt: mostly
// first touches of fresh memory).
type procUse struct {
	CPU    time.Duration
	Faults int64
}

func (u procUse) sub(v procUse) procUse {
	return procUse{CPU: u.CPU - v.CPU, Faults: u.Faults - v.Faults}
}

func (u procUse) add(v procUse) procUse {
	return procUse{CPU: u.CPU + v.CPU, Faults: u.Faults + v.Faults}
}

func (u procUse) String() string {
	faults := "page faults"
	if u.Faults == 1 {
		faults = "page fault"
	}
	return fmt.Sprintf("%.1f ms CPU, %d %s", float64(u.CPU.Microseconds())/1000, u.Faults, faults)
}

// readProcUse is procUse of process pid; false when it is gone or this is
// not Linux.
func readProcUse(pid int) (procUse, bool) {
	// minflt (field 10) is f[7].
	f, ok := procStat(pid)
	if !ok || len(f) < 8 {
		return procUse{}, false
	}
	var u procUse
	var err error
	if u.Faults, err = strconv.ParseInt(string(f[7]), 10, 64); err != nil {
		return procUse{}, false
	}
	dir := "/proc/" + strconv.Itoa(pid)
	tasks, err := os.ReadDir(dir + "/task")
	if err != nil {
		return procUse{}, false
	}
	for _, t := range tasks {
		s, err := os.ReadFile(dir + "/task/" + t.Name() + "/schedstat")
		if err != nil {
			continue // the thread ended
		}
		if sf := bytes.Fields(s); len(sf) > 0 {
			if ns, err := strconv.ParseInt(string(sf[0]), 10, 64); err == nil {
				u.CPU += time.Duration(ns)
			}
		}
	}
	return u, true
}

// useProbe reads what the server and the PostgreSQL backends of its
// database have used so far, each backend by pid.
type useProbe func() (server procUse, backends map[int]procUse)

// newUseProbe is the useProbe of the server *srv (read when called: a
// restart replaces it) and the backends connected to database db, found
// through admin; nil where /proc cannot tell (not Linux).
func newUseProbe(ctx context.Context, admin *sql.DB, db string, srv **server) useProbe {
	if _, ok := readProcUse(os.Getpid()); !ok {
		return nil
	}
	return func() (procUse, map[int]procUse) {
		s, _ := readProcUse((*srv).cmd.Process.Pid)
		pids, _ := backends(ctx, admin, db)
		bs := make(map[int]procUse, len(pids))
		for _, pid := range pids {
			if u, ok := readProcUse(pid); ok {
				bs[pid] = u
			}
		}
		return s, bs
	}
}

// pageUse is what one request cost the server and PostgreSQL's backends.
type pageUse struct{ Server, Postgres procUse }

// since is what was used between before (the probe's reading then) and
// now; a backend that started meanwhile counts whole, one that ended
// counts nothing.
func (p useProbe) since(s0 procUse, b0 map[int]procUse) pageUse {
	s1, b1 := p()
	u := pageUse{Server: s1.sub(s0)}
	for pid, v := range b1 {
		u.Postgres = u.Postgres.add(v.sub(b0[pid]))
	}
	return u
}

// medianUse is the median of each measure of uses, taken apart.
func medianUse(uses []pageUse) pageUse {
	if len(uses) == 0 {
		return pageUse{}
	}
	med := func(get func(pageUse) int64) int64 {
		v := make([]int64, len(uses))
		for i, u := range uses {
			v[i] = get(u)
		}
		slices.Sort(v)
		return v[(len(v)-1)/2]
	}
	return pageUse{
		Server: procUse{CPU: time.Duration(med(func(u pageUse) int64 { return int64(u.Server.CPU) })),
			Faults: med(func(u pageUse) int64 { return u.Server.Faults })},
		Postgres: procUse{CPU: time.Duration(med(func(u pageUse) int64 { return int64(u.Postgres.CPU) })),
			Faults: med(func(u pageUse) int64 { return u.Postgres.Faults })},
	}
}
