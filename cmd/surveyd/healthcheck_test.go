package main

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/civitas-lv/surveyd/internal/config"
	"github.com/civitas-lv/surveyd/internal/store/storetest"
)

// TestHealthcheckAndDrain runs the server as `surveyd serve` does with
// SHUTDOWN_DRAIN: `surveyd healthcheck` passes while it serves; once told
// to stop, readiness fails with "shutting_down" while liveness still
// passes (it keeps serving through the drain); after the drain the
// listener is gone and both fail.
func TestHealthcheckAndDrain(t *testing.T) {
	t.Parallel()
	dsn := storetest.NewDatabase(t)
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	maddr := freeAddr(t)
	env := map[string]string{
		"DATABASE_URL":   dsn,
		"LOG_LEVEL":      "warn",
		"LINK_KEY":       "healthcheck test link key of 32 characters or more",
		"LISTEN_ADDR":    addr,
		"SHUTDOWN_DRAIN": "1500ms",
		"METRICS_ADDR":   maddr,
	}
	getenv := func(k string) string { return env[k] }
	cfg, err := config.Load(getenv)
	if err != nil {
		t.Fatal(err)
	}
	check := func(args ...string) (string, error) {
		var out bytes.Buffer
		err := healthcheck(append(args, "--timeout", "2s"), getenv, &out)
		return out.String(), err
	}
	sctx, stop := context.WithCancel(context.Background())
	defer stop()
	served := make(chan error, 1)
	go func() { served <- serve(sctx, cfg, slog.New(slog.NewTextHandler(io.Discard, nil))) }()
	deadline := time.Now().Add(20 * time.Second)
	for {
		out, err := check()
		if err == nil {
			if strings.TrimSpace(out) != "ready" {
				t.Errorf("healthcheck printed %q", out)
			}
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the server did not become ready: %v", err)
		}
		time.Sleep(50 * time.Millisecond)
	}
	// Metrics on their own listener only.
	get := func(u string) (int, string) {
		t.Helper()
		r, err := http.Get(u)
		if err != nil {
			t.Fatal(err)
		}
		defer r.Body.Close()
		b, _ := io.ReadAll(r.Body)
		return r.StatusCode, string(b)
	}
	if code, body := get("http://" + maddr + "/metrics"); code != 200 ||
		!strings.Contains(body, `surveyd_http_requests_total{method="GET",route="/readyz",status="200"}`) ||
		!strings.Contains(body, `go_sql_max_open_connections{db_name="surveyd"}`) ||
		!strings.Contains(body, "surveyd_db_round_trips_total ") {
		t.Errorf("METRICS_ADDR /metrics: %d %.300s", code, body)
	}
	if code, _ := get("http://" + addr + "/metrics"); code != http.StatusNotFound {
		t.Errorf("LISTEN_ADDR /metrics: %d, want 404", code)
	}

	stop() // as SIGTERM does
	time.Sleep(300 * time.Millisecond)
	if _, err := check(); err == nil || !strings.Contains(err.Error(), "503 shutting_down") {
		t.Errorf("during the drain: healthcheck %v, want 503 shutting_down", err)
	}
	if _, err := check("--live"); err != nil {
		t.Errorf("during the drain: liveness %v, want it to pass (still serving)", err)
	}
	select {
	case err := <-served:
		t.Fatalf("serve returned during the drain: %v", err)
	case <-time.After(100 * time.Millisecond):
	}
	select {
	case err := <-served:
		if err != nil {
			t.Fatal(err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("serve did not return after the drain")
	}
	if _, err := check("--live"); err == nil {
		t.Error("after shutdown: liveness passes, want it to fail")
	}
}

// TestHealthcheckAddress: the URL comes from LISTEN_ADDR's port on
// 127.0.0.1 when it listens on every address.
func TestHealthcheckAddress(t *testing.T) {
	t.Parallel()
	for addr, want := range map[string]string{"": "127.0.0.1:8080/readyz", ":9090": "127.0.0.1:9090/readyz",
		"0.0.0.0:81": "127.0.0.1:81/readyz", "[::]:82": "127.0.0.1:82/readyz", "10.1.2.3:83": "10.1.2.3:83/readyz"} {
		err := healthcheck([]string{"--timeout", "1ms"}, func(string) string { return addr }, io.Discard)
		if err == nil || !strings.Contains(err.Error(), "http://"+want) {
			t.Errorf("LISTEN_ADDR %q: %v, want the URL http://%s", addr, err, want)
		}
	}
}
