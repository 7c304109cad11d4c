package main

import (
	"bufio"
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"os"
	"os/exec"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// server is a `surveyd serve` started for the measurement, on a free
// loopback port; its log goes to a file.
type server struct {
	cmd     *exec.Cmd
	base    string
	metrics string // its metrics listener's /metrics
	env     []string
	logFile string
	done    chan error
}

func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}

// startServer starts bin serve with env (DATABASE_URL, LINK_KEY …) plus
// its address, and waits until /healthz answers.
func startServer(ctx context.Context, bin string, env []string, logFile string) (*server, error) {
	port, err := freePort()
	if err != nil {
		return nil, err
	}
	mport, err := freePort()
	if err != nil {
		return nil, err
	}
	base := fmt.Sprintf("http://127.0.0.1:%d", port)
	env = append(slices.Clone(env), fmt.Sprintf("LISTEN_ADDR=127.0.0.1:%d", port), "BASE_URL="+base,
		fmt.Sprintf("METRICS_ADDR=127.0.0.1:%d", mport))
	lf, err := os.Create(logFile)
	if err != nil {
		return nil, err
	}
	cmd := exec.Command(bin, "serve")
	cmd.Env, cmd.Stdout, cmd.Stderr = env, lf, lf
	if err := cmd.Start(); err != nil {
		lf.Close()
		return nil, err
	}
	s := &server{cmd: cmd, base: base, metrics: fmt.Sprintf("http://127.0.0.1:%d/metrics", mport), env: env,
		logFile: logFile, done: make(chan error, 1)}
	go func() { s.done <- cmd.Wait(); lf.Close() }()
	deadline := time.Now().Add(60 * time.Second)
	for {
		resp, err := http.Get(base + "/healthz")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return s, nil
			}
		}
		select {
		case err := <-s.done:
			s.done <- err
			return nil, fmt.Errorf("surveyd serve stopped (%v); its log: %s", err, logFile)
		case <-ctx.Done():
			s.stop()
			return nil, ctx.Err()
		case <-time.After(100 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			s.stop()
			return nil, fmt.Errorf("surveyd serve did not answer /healthz in 60 s; its log: %s", logFile)
		}
	}
}

// explain adds to err, when the server has stopped, how it stopped and
// the end of its log.
func (s *server) explain(err error) error {
	if err == nil {
		return nil
	}
	select {
	case werr := <-s.done:
		s.done <- werr
		data, _ := os.ReadFile(s.logFile)
		return fmt.Errorf("%w; surveyd serve has stopped (%v), the end of its log (%s):\n%s", err, werr, s.logFile, lastLines(string(data), 10))
	default:
		return err
	}
}

// stop asks the server to stop (SIGTERM), and kills it after 20 s.
func (s *server) stop() {
	if s == nil || s.cmd.Process == nil {
		return
	}
	s.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-s.done:
	case <-time.After(20 * time.Second):
		s.cmd.Process.Kill()
		<-s.done
	}
}

// coordinator makes a coordinator with the CLI (user add), sets its
// password through the one-time link, signs in and returns a client that
// holds the session.
func (s *server) coordinator(ctx context.Context, bin string) (*http.Client, error) {
	email := "bench-coordinator@example.org"
	out, err := runCLI(ctx, s.env, bin, "user", "add", "--email", email, "--role", "coordinator", "--name", "Bench")
	if err != nil {
		return nil, err
	}
	i := strings.Index(out, "/password/")
	if i < 0 {
		return nil, fmt.Errorf("user add printed no password link: %q", out)
	}
	token := strings.Fields(out[i+len("/password/"):])[0]
	pw := make([]byte, 16)
	rand.Read(pw)
	password := hex.EncodeToString(pw)
	jar, _ := cookiejar.New(nil)
	c := &http.Client{Jar: jar, Timeout: 5 * time.Minute,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	post := func(path string, form url.Values) error {
		req, err := http.NewRequestWithContext(ctx, http.MethodPost, s.base+path, strings.NewReader(form.Encode()))
		if err != nil {
			return err
		}
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		resp, err := c.Do(req)
		if err != nil {
			return err
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != http.StatusSeeOther {
			return fmt.Errorf("POST %s: %d (want 303): %.200s", strings.SplitN(path, "/", 3)[1], resp.StatusCode, body)
		}
		return nil
	}
	if err := post("/password/"+token, url.Values{"new_password": {password}, "repeat_password": {password}}); err != nil {
		return nil, err
	}
	if err := post("/login", url.Values{"email": {email}, "password": {password}}); err != nil {
		return nil, err
	}
	return c, nil
}

// timePages requests each path in turn, rounds times after one round to
// warm up (none: only that one), and returns each path's median time in milliseconds and the
// time of its first request (the warm-up's: nothing made for a request
// cached yet, as after any change to the round's answers): the time until the whole body is
// read, on loopback. With a probe, firstUse is what each first request
// cost the server and PostgreSQL.
func timePages(ctx context.Context, c *http.Client, base string, paths []string, rounds int, probe useProbe) (median, first []float64,
	firstUse []pageUse, err error) {
	times := make([][]time.Duration, len(paths))
	first = make([]float64, len(paths))
	firstUse = make([]pageUse, len(paths))
	for r := range rounds + 1 {
		for i, p := range paths {
			el, use, err := timeGet(ctx, c, base, p, probe)
			if err != nil {
				return nil, nil, nil, err
			}
			if r >= 1 {
				times[i] = append(times[i], el)
			} else {
				first[i], firstUse[i] = float64(el.Microseconds())/1000, use
			}
		}
	}
	median = make([]float64, len(paths))
	for i, t := range times {
		if len(t) == 0 { // rounds == 0: the first requests alone
			continue
		}
		slices.Sort(t)
		median[i] = float64(t[(len(t)-1)/2].Microseconds()) / 1000
	}
	return median, first, firstUse, nil
}

// timeGet is one GET of path: the time until its whole body is read, and
// with a probe what it cost the server and PostgreSQL (read before the
// request and after its body).
func timeGet(ctx context.Context, c *http.Client, base, path string, probe useProbe) (time.Duration, pageUse, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, base+path, nil)
	if err != nil {
		return 0, pageUse{}, err
	}
	var s0 procUse
	var b0 map[int]procUse
	if probe != nil {
		s0, b0 = probe()
	}
	t0 := time.Now()
	resp, err := c.Do(req)
	if err != nil {
		return 0, pageUse{}, err
	}
	_, err = io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	el := time.Since(t0)
	if err != nil {
		return 0, pageUse{}, err
	}
	if resp.StatusCode != http.StatusOK {
		return 0, pageUse{}, fmt.Errorf("GET %s: %d", path, resp.StatusCode)
	}
	var use pageUse
	if probe != nil {
		use = probe.since(s0, b0)
	}
	return el, use, nil
}

// timeAfterSaves times each path as the first request after a save,
// saves times: a save of the response of links[0] through its personal
// link's API (a few answers changed, as the form saves them), then one
// GET of the path, untimed save and timed GET in turn for each path. It
// returns each path's median in milliseconds and, with a probe, the
// median of what each cost the server and PostgreSQL.
func timeAfterSaves(ctx context.Context, c *http.Client, base string, links []link, paths []string, saves int,
	probe useProbe) ([]float64, []pageUse, error) {
	if len(links) == 0 {
		return nil, nil, errors.New("no personal link to save through")
	}
	sb := newSaveBench(base, links[:1])
	savers, err := sb.prepare(ctx, 1, 1)
	if err != nil {
		return nil, nil, err
	}
	s := savers[0]
	times := make([][]time.Duration, len(paths))
	uses := make([][]pageUse, len(paths))
	for range saves {
		for i, p := range paths {
			s.change(sb.changes)
			if status, err := sb.save(ctx, s); err != nil {
				return nil, nil, err
			} else if status != http.StatusOK {
				return nil, nil, fmt.Errorf("a save before GET %s: %d", p, status)
			}
			el, use, err := timeGet(ctx, c, base, p, probe)
			if err != nil {
				return nil, nil, err
			}
			times[i], uses[i] = append(times[i], el), append(uses[i], use)
		}
	}
	median := make([]float64, len(paths))
	use := make([]pageUse, len(paths))
	for i, t := range times {
		slices.Sort(t)
		median[i], use[i] = float64(t[(len(t)-1)/2].Microseconds())/1000, medianUse(uses[i])
	}
	return median, use, nil
}

// runCLI runs a surveyd command and returns its standard output; its
// standard error goes into the error.
func runCLI(ctx context.Context, env []string, bin string, args ...string) (string, error) {
	cmd := exec.CommandContext(ctx, bin, args...)
	cmd.Env = env
	var stdout, stderr strings.Builder
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		var ee *exec.ExitError
		if errors.As(err, &ee) || stderr.Len() > 0 {
			return stdout.String(), fmt.Errorf("%s %s: %w: %s", bin, args[0], err, lastLines(stderr.String(), 5))
		}
		return stdout.String(), fmt.Errorf("%s %s: %w", bin, args[0], err)
	}
	return stdout.String(), nil
}

// roundTrips reads the server's count of SQL round trips so far
// (surveyd_db_round_trips_total on its metrics listener).
func (s *server) roundTrips(ctx context.Context) (float64, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, s.metrics, nil)
	if err != nil {
		return 0, err
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return 0, err
	}
	defer resp.Body.Close()
	sc := bufio.NewScanner(resp.Body)
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	for sc.Scan() {
		if v, ok := strings.CutPrefix(sc.Text(), "surveyd_db_round_trips_total "); ok {
			return strconv.ParseFloat(strings.TrimSpace(v), 64)
		}
	}
	if err := sc.Err(); err != nil {
		return 0, err
	}
	return 0, fmt.Errorf("no surveyd_db_round_trips_total at %s", s.metrics)
}
