package web_test

import (
	"bufio"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"
)

// TestEveryResponseHasSecurityHeaders runs the service's own http.Server
// on a loopback port: a request with too large headers (431) and a
// cross-origin form post (403) carry the same security headers as a page;
// headers under the limit are served.
func TestEveryResponseHasSecurityHeaders(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	hs := e.srv.HTTPServer("127.0.0.1:0")
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	must(t, err)
	go hs.Serve(ln)
	defer hs.Close()
	base := "http://" + ln.Addr().String()
	client := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	do := func(method, path string, body io.Reader, headers ...string) *http.Response {
		t.Helper()
		req, err := http.NewRequest(method, base+path, body)
		must(t, err)
		for i := 0; i+1 < len(headers); i += 2 {
			req.Header.Set(headers[i], headers[i+1])
		}
		resp, err := client.Do(req)
		must(t, err)
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		return resp
	}
	secure := func(what string, h http.Header) {
		t.Helper()
		for k, want := range map[string]string{
			"Content-Security-Policy": "default-src 'self'", "X-Content-Type-Options": "nosniff",
			"X-Frame-Options": "DENY", "Referrer-Policy": "no-referrer", "Cross-Origin-Opener-Policy": "same-origin",
			"Permissions-Policy": "camera=()", "Cache-Control": "no-store",
		} {
			if !strings.Contains(h.Get(k), want) {
				t.Errorf("%s: %s is %q, want it to hold %q", what, k, h.Get(k), want)
			}
		}
	}
	page := do("GET", "/r/"+e.tokens["riga"], nil)
	if page.StatusCode != http.StatusOK {
		t.Fatalf("form page: %d", page.StatusCode)
	}
	secure("the form page", page.Header)

	big := do("GET", "/healthz", nil, "X-Padding", strings.Repeat("a", 100<<10))
	if big.StatusCode != http.StatusRequestHeaderFieldsTooLarge {
		t.Fatalf("100 KiB of headers: status %d, want 431", big.StatusCode)
	}
	secure("431", big.Header)
	bigAPI := do("GET", "/api/v1/r/"+e.tokens["riga"], nil, "Cookie", "x="+strings.Repeat("a", 80<<10))
	if bigAPI.StatusCode != http.StatusRequestHeaderFieldsTooLarge || !strings.HasPrefix(bigAPI.Header.Get("Content-Type"), "application/json") {
		t.Fatalf("API with 80 KiB of cookies: status %d, %s", bigAPI.StatusCode, bigAPI.Header.Get("Content-Type"))
	}
	secure("431 (API)", bigAPI.Header)
	if ok := do("GET", "/healthz", nil, "X-Padding", strings.Repeat("a", 40<<10)); ok.StatusCode != http.StatusOK {
		t.Fatalf("40 KiB of headers: status %d, want 200", ok.StatusCode)
	}

	cross := do("POST", "/r/"+e.tokens["riga"], strings.NewReader("version=0&population=5"),
		"Content-Type", "application/x-www-form-urlencoded", "Origin", "https://evil.example")
	if cross.StatusCode != http.StatusForbidden {
		t.Fatalf("cross-origin post: status %d, want 403", cross.StatusCode)
	}
	secure("cross-origin 403", cross.Header)
	crossAPI := do("PUT", "/api/v1/r/"+e.tokens["riga"], strings.NewReader(`{"version":0,"answers":{}}`),
		"Content-Type", "application/json", "Sec-Fetch-Site", "cross-site")
	if crossAPI.StatusCode != http.StatusForbidden {
		t.Fatalf("cross-origin PUT: status %d, want 403", crossAPI.StatusCode)
	}
	secure("cross-origin 403 (API)", crossAPI.Header)
	if _, n := e.state("riga"); n != 0 {
		t.Fatal("a refused request changed the response")
	}

	// Past what the server reads at all, net/http answers 431 itself
	// (without our headers: see the README); the connection still gets a
	// clear status, not a hang.
	conn, err := net.Dial("tcp", ln.Addr().String())
	must(t, err)
	defer conn.Close()
	fmt.Fprintf(conn, "GET /healthz HTTP/1.1\r\nHost: x\r\nX-Padding: %s\r\n\r\n", strings.Repeat("a", 2<<20))
	conn.SetReadDeadline(time.Now().Add(10 * time.Second))
	status, err := bufio.NewReader(conn).ReadString('\n')
	if err != nil || !strings.Contains(status, "431") {
		t.Fatalf("2 MiB of headers: %q %v", status, err)
	}
}
