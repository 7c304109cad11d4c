package manage

import (
	"context"
	"io"
	"time"

	"github.com/civitas-lv/surveyd/internal/domain"
	"github.com/civitas-lv/surveyd/internal/store"
	"github.com/civitas-lv/surveyd/reports"
)

// The audit log: each staff action that reads or changes personal data or
// access appends one row (domain.Audit* names them) — who (the user's ID
// and e-mail address as they are then, the API token, or the command
// line's operator), when, which round and municipality, from which
// address, and a small detail (counts, codes, roles, a filter), never
// answers, tokens, link URLs or passwords. The operations record right
// after they succeed (a read: once its data is served), not in the same
// transaction as the change: a failure to record is returned as the
// operation's error, and logged by the web.

// audit appends a row for the principal's action on the round surveyID
// (0: none) and municipality ("" none). It records even when ctx was
// cancelled after the action was done (a download the client left).
func (m *Manager) audit(ctx context.Context, p domain.Principal, action string, surveyID int64, municipality string, detail map[string]any) error {
	a := store.NewAudit{Action: action, Municipality: municipality, ClientAddr: p.From, Detail: detail}
	if surveyID != 0 {
		a.SurveyID = &surveyID
	}
	switch {
	case p.Operator:
		a.ActorKind = domain.AuditActorOperator
		if a.ClientAddr == "" {
			a.ClientAddr = domain.OperatorAddr
		}
	case p.User.ID != 0:
		a.ActorKind = domain.AuditActorUser
		id := p.User.ID
		a.UserID, a.UserEmail = &id, p.User.Email
		if p.TokenID != 0 {
			a.ActorKind = domain.AuditActorAPIToken
			tid := p.TokenID
			a.APITokenID = &tid
		}
	default:
		a.ActorKind = domain.AuditActorAnonymous
	}
	return m.auditRow(ctx, a)
}

func (m *Manager) auditRow(ctx context.Context, a store.NewAudit) error {
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
	defer cancel()
	return m.Store.AppendAudit(ctx, a)
}

// auditUser appends a row for an action of the user u who is not (yet) a
// principal — signing in and out — from the address from.
func (m *Manager) auditUser(ctx context.Context, u domain.User, action, from string, detail map[string]any) error {
	a := store.NewAudit{Action: action, ActorKind: domain.AuditActorAnonymous, ClientAddr: from, Detail: detail}
	if u.ID != 0 {
		id := u.ID
		a.ActorKind, a.UserID, a.UserEmail = domain.AuditActorUser, &id, u.Email
	}
	return m.auditRow(ctx, a)
}

// AuditPageSize is how many rows the audit page shows at once.
const AuditPageSize = 100

// AuditPage is one page of the audit log: Rows newest first, and Next, the
// filter's Before for the next (older) page (0: this is the last).
type AuditPage struct {
	Rows []domain.AuditEntry
	Next int64
}

// AuditLog reads a page of the audit log (AuditPageSize rows) selected by
// f, for admins (domain.AccessAdminister). The read is recorded too.
func (m *Manager) AuditLog(ctx context.Context, p domain.Principal, f domain.AuditFilter) (AuditPage, error) {
	var out AuditPage
	if err := p.Require(domain.AccessAdminister); err != nil {
		return out, err
	}
	rows, err := m.Store.AuditPage(ctx, f, AuditPageSize+1)
	if err != nil {
		return out, err
	}
	if len(rows) > AuditPageSize {
		rows = rows[:AuditPageSize]
		out.Next = rows[len(rows)-1].ID
	}
	out.Rows = rows
	return out, m.audit(ctx, p, domain.AuditLogView, 0, "", auditFilterDetail(f))
}

// ExportAuditLog writes every row of the audit log selected by f (the
// page's filter, f.Before ignored) as a CSV for people in lang
// (reports.CSV: cells safe against formulas), for admins
// (domain.AccessAdminister); the export is recorded.
func (m *Manager) ExportAuditLog(ctx context.Context, p domain.Principal, w io.Writer, f domain.AuditFilter, lang string) error {
	if err := p.Require(domain.AccessAdminister); err != nil {
		return err
	}
	f.Before = 0
	if lang != "en" {
		lang = "lv"
	}
	head := []any{"ID", "Laiks", "Darbība", "Kas", "Lietotāja ID", "E-pasts", "API atslēgas ID", "Kārta",
		"Pašvaldība", "Adrese", "Sīkāk"}
	if lang == "en" {
		head = []any{"ID", "Time", "Action", "Actor", "User ID", "E-mail", "API token ID", "Round",
			"Municipality", "Address", "Detail"}
	}
	// The file starts once the rows are being read, so that a query that
	// fails writes nothing.
	var cw *reports.CSV
	start := func() error {
		if cw != nil {
			return nil
		}
		var err error
		if cw, err = reports.NewCSV(w, lang); err != nil {
			return err
		}
		return cw.Write(head...)
	}
	n := 0
	tz := m.tz()
	opt := func(id *int64) any {
		if id == nil {
			return nil
		}
		return *id
	}
	err := m.Store.EachAudit(ctx, f, func(e domain.AuditEntry) error {
		if err := start(); err != nil {
			return err
		}
		n++
		return cw.Write(e.ID, e.At.In(tz).Format("2006-01-02 15:04:05"), e.Action, e.ActorKind, opt(e.UserID),
			e.UserEmail, opt(e.APITokenID), e.SurveySlug, e.Municipality, e.ClientAddr, string(e.Detail))
	})
	if err == nil {
		err = start()
	}
	if err != nil {
		return err
	}
	if err := cw.Flush(); err != nil {
		return err
	}
	d := auditFilterDetail(f)
	d["rows"] = n
	return m.audit(ctx, p, domain.AuditLogExport, 0, "", d)
}

// auditFilterDetail is a filter for an audit row's detail: its set fields.
func auditFilterDetail(f domain.AuditFilter) map[string]any {
	d := map[string]any{}
	for k, v := range map[string]string{"action": f.Action, "user_email": f.UserEmail, "survey": f.SurveySlug,
		"municipality": f.Municipality} {
		if v != "" {
			d[k] = v
		}
	}
	if !f.From.IsZero() {
		d["from"] = f.From.Format(time.RFC3339)
	}
	if !f.To.IsZero() {
		d["to"] = f.To.Format(time.RFC3339)
	}
	if f.Before != 0 {
		d["before"] = f.Before
	}
	return d
}

// audited records the action once the operation's err is nil; else it
// returns err.
func (m *Manager) audited(ctx context.Context, err error, p domain.Principal, action string, surveyID int64, detail map[string]any) error {
	if err != nil {
		return err
	}
	return m.audit(ctx, p, action, surveyID, "", detail)
}

// exportDetail is the workbook's audit detail: whether it holds personal
// data, and its filter and language.
func exportDetail(x reports.XLSXOptions) map[string]any {
	d := map[string]any{"personal": x.Personal, "lang": x.Lang}
	f := map[string]any{}
	for k, v := range map[string]string{"region": x.Filter.PlanningRegion, "statregion": x.Filter.StatisticalRegion,
		"kind": x.Filter.Kind} {
		if v != "" {
			f[k] = v
		}
	}
	if len(x.Filter.Statuses) > 0 {
		f["status"] = x.Filter.Statuses
	}
	if len(f) > 0 {
		d["filter"] = f
	}
	return d
}

// soleCode is the one municipality of codes ("" for none or several), for
// an audit row.
func soleCode(codes []string) string {
	if len(codes) == 1 {
		return codes[0]
	}
	return ""
}

// soleOf is the one municipality the messages go to ("" for several).
func soleOf(list []domain.Message) string {
	code := ""
	for _, msg := range list {
		if code != "" && msg.MunicipalityCode != code {
			return ""
		}
		code = msg.MunicipalityCode
	}
	return code
}
