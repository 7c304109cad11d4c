package web_test

import (
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/civitas-lv/surveyd/internal/domain"
	"github.com/civitas-lv/surveyd/internal/metrics"
	"github.com/civitas-lv/surveyd/internal/store/storetest"
	"github.com/civitas-lv/surveyd/internal/web"
)

// TestMetrics: after saves (one merged, one refused for a conflict), an
// export and mail, the metrics expose each listed series with the right
// counts; no token or answer appears in them, and the public listener does
// not serve them.
func TestMetrics(t *testing.T) {
	t.Parallel()
	met := metrics.New()
	e := newEnvWith(t, storetest.New(t), func(o *web.Options) { o.Metrics, o.Manager.Metrics = met, met })
	met.WatchDB(e.st.DB().DB)

	wantStatus(t, e.put("riga", 0, `{"resp_name":"Anna Ozola","population":24000}`), http.StatusOK)
	wantStatus(t, e.put("riga", 1, `{"resp_name":"Anna Ozola","population":24000,"resp_position":"Vadītāja"}`), http.StatusOK)
	wantStatus(t, e.put("riga", 1, `{"resp_name":"Anna Ozola","population":25000,"ngo_rules":"adopted"}`), http.StatusOK) // merged
	wantStatus(t, e.put("riga", 2, `{"resp_name":"Anna Ozola","population":26000,"ngo_rules":"adopted","resp_position":"Vadītāja"}`), http.StatusConflict)
	_, coord := e.user("coordinator")
	wantStatus(t, e.as(coord, "GET", "/surveys/"+e.sv.Slug+"/export.xlsx", nil), http.StatusOK)
	must(t, e.st.ReplaceContacts(ctx, "riga", []domain.Contact{{Email: "anna@riga.lv"}}))
	q, err := e.m.QueueMessages(ctx, domain.OperatorPrincipal(), e.sv, domain.MessageInvitation, []string{"riga"}, false)
	if err != nil || q.Messages != 1 {
		t.Fatalf("queue: %+v %v", q, err)
	}
	if d, err := e.m.Deliver(ctx, 0); err != nil || d.Sent != 1 {
		t.Fatalf("deliver: %+v %v", d, err)
	}

	w := httptest.NewRecorder()
	met.Handler().ServeHTTP(w, httptest.NewRequest("GET", "/metrics", nil))
	body, _ := io.ReadAll(w.Body)
	text := string(body)
	for _, line := range []string{
		`surveyd_saves_total 3`,
		`surveyd_save_merges_total 1`,
		`surveyd_save_conflicts_total 1`,
		`surveyd_submits_total 0`,
		`surveyd_http_requests_total{method="PUT",route="/api/v1/r/:token",status="200"} 3`,
		`surveyd_http_requests_total{method="PUT",route="/api/v1/r/:token",status="409"} 1`,
		`surveyd_http_request_duration_seconds_count{method="PUT",route="/api/v1/r/:token"} 4`,
		`surveyd_http_requests_total{method="GET",route="/surveys/:slug/export.xlsx",status="200"} 1`,
		`surveyd_exports_total{kind="workbook",result="ok"} 1`,
		`surveyd_export_duration_seconds_count{kind="workbook"} 1`,
		`surveyd_mail_messages_total{event="queued",kind="invitation"} 1`,
		`surveyd_mail_messages_total{event="sent",kind="invitation"} 1`,
		`go_sql_in_use_connections{db_name="surveyd"} `,
		`go_sql_idle_connections{db_name="surveyd"} `,
		`go_sql_wait_count_total{db_name="surveyd"} `,
		`go_sql_wait_duration_seconds_total{db_name="surveyd"} `,
	} {
		if !strings.Contains(text, line) {
			t.Errorf("metrics lack %q", line)
		}
	}
	for _, secret := range []string{e.tokens["riga"], "Anna Ozola", "anna@riga.lv", "24000"} {
		if strings.Contains(text, secret) {
			t.Errorf("metrics contain %q", secret)
		}
	}
	if t.Failed() {
		t.Logf("metrics:\n%s", text)
	}
	if r := e.do("GET", "/metrics", nil); r.status != http.StatusNotFound {
		t.Errorf("the public listener answers /metrics with %d, want 404", r.status)
	}
}
