package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"time"
)

// healthcheck asks this machine's server whether it is ready (GET /readyz;
// /healthz with --live) and fails unless it answers 200 within --timeout:
// the container's HEALTHCHECK, for an image that has no curl. It reads
// only LISTEN_ADDR, so it works without the rest of the configuration.
func healthcheck(args []string, getenv func(string) string, out io.Writer) error {
	fs := flag.NewFlagSet("healthcheck", flag.ContinueOnError)
	fs.SetOutput(out)
	live := fs.Bool("live", false, "check liveness (GET /healthz) instead of readiness (GET /readyz)")
	target := fs.String("url", "", "the URL to check (default: /readyz on LISTEN_ADDR's port at 127.0.0.1)")
	timeout := fs.Duration("timeout", 5*time.Second, "how long to wait for the answer")
	if err := fs.Parse(args); err != nil {
		return err
	}
	u := *target
	if u == "" {
		addr := getenv("LISTEN_ADDR")
		if addr == "" {
			addr = ":8080"
		}
		host, port, err := net.SplitHostPort(addr)
		if err != nil {
			return fmt.Errorf("LISTEN_ADDR %q: %w", addr, err)
		}
		if ip := net.ParseIP(host); host == "" || (ip != nil && ip.IsUnspecified()) {
			host = "127.0.0.1"
		}
		path := "/readyz"
		if *live {
			path = "/healthz"
		}
		u = "http://" + net.JoinHostPort(host, port) + path
	}
	ctx, cancel := context.WithTimeout(context.Background(), *timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return err
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		return fmt.Errorf("healthcheck %s: %w", u, err)
	}
	defer res.Body.Close()
	var body struct{ Status, Reason, Detail string }
	_ = json.NewDecoder(io.LimitReader(res.Body, 1<<16)).Decode(&body)
	if res.StatusCode != http.StatusOK {
		if body.Reason != "" {
			return fmt.Errorf("healthcheck %s: %d %s: %s", u, res.StatusCode, body.Reason, body.Detail)
		}
		return fmt.Errorf("healthcheck %s: %s", u, res.Status)
	}
	fmt.Fprintln(out, body.Status)
	return nil
}
