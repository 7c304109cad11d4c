package manage

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"time"

	"github.com/civitas-lv/surveyd/internal/domain"
	"github.com/civitas-lv/surveyd/internal/store"
	"github.com/civitas-lv/surveyd/survey"
)

// Personal data: retention per round and a person's search, export and
// erasure (issue 14 point 5). The SQL is in store/personal.go, which says
// what is erased where.

// MaxRetentionDays is the longest retention period a round may have (100
// years; the database checks the same).
const MaxRetentionDays = 36500

// ErrRetentionRange refuses a retention period outside 0–MaxRetentionDays.
var ErrRetentionRange = errors.New("the retention period must be 0 to 36500 days")

// ErrPersonQuery refuses a person's search without an e-mail address (one
// with an @) or with a name shorter than MinPersonName characters.
var ErrPersonQuery = errors.New("give an e-mail address or at least 3 letters of a name")

// MinPersonName is the shortest part of a name searched for: shorter ones
// would find nearly everyone.
const MinPersonName = 3

// PersonalCodes returns the codes of the definition's personal questions.
func PersonalCodes(def *survey.Definition) []string {
	var out []string
	for _, q := range def.Questions() {
		if q.Personal {
			out = append(out, q.Code)
		}
	}
	return out
}

// RoundRetention returns the round's retention rule, for coordinators
// (domain.AccessCoordinate).
func (m *Manager) RoundRetention(ctx context.Context, p domain.Principal, sv domain.Survey) (domain.Retention, error) {
	if err := p.Require(domain.AccessCoordinate); err != nil {
		return domain.Retention{}, err
	}
	return m.Store.Retention(ctx, sv.ID)
}

// SetRoundRetention sets how many days after the round's last deadline its
// personal data is erased (nil: kept until erased by hand), for
// coordinators (domain.AccessCoordinate), like the round's dates.
func (m *Manager) SetRoundRetention(ctx context.Context, p domain.Principal, sv domain.Survey, days *int) error {
	if err := p.Require(domain.AccessCoordinate); err != nil {
		return err
	}
	if days != nil && (*days < 0 || *days > MaxRetentionDays) {
		return ErrRetentionRange
	}
	if err := m.Store.SetRetention(ctx, sv.ID, days); err != nil {
		return err
	}
	return m.audit(ctx, p, domain.AuditRetentionSet, sv.ID, "", map[string]any{"days": days})
}

// erasedCounts is the audit detail of an erasure.
func erasedCounts(e domain.Erased) map[string]any {
	return map[string]any{"responses": e.Responses, "revisions": e.Revisions, "contacts": e.Contacts, "messages": e.Messages}
}

// RetentionResult is what one run of the retention job did to one round.
type RetentionResult struct {
	Slug   string
	Erased domain.Erased
}

// EraseExpiredPersonal is the daily retention job: for every round whose
// retention period has ended at now, it erases the personal answers and
// the recipients of its e-mail (store.EraseRoundPersonal). Idempotent:
// several instances may run it at once, and a second run changes nothing.
func (m *Manager) EraseExpiredPersonal(ctx context.Context, now time.Time) ([]RetentionResult, error) {
	due, err := m.Store.DueRetention(ctx, now)
	if err != nil {
		return nil, err
	}
	var out []RetentionResult
	var errs []error
	for _, r := range due {
		if err := ctx.Err(); err != nil {
			return out, err
		}
		// One round's failure does not keep the others' data: it is
		// reported, and tried again at the next run.
		sv, err := m.Store.SurveyByID(ctx, r.SurveyID)
		if errors.Is(err, domain.ErrNotFound) { // deleted meanwhile
			continue
		}
		if err != nil {
			errs = append(errs, err)
			continue
		}
		def, err := m.Definition(sv)
		if err != nil {
			errs = append(errs, fmt.Errorf("round %s: %w", sv.Slug, err))
			continue
		}
		e, err := m.Store.EraseRoundPersonal(ctx, sv.ID, PersonalCodes(def), now)
		if err != nil {
			errs = append(errs, fmt.Errorf("round %s: %w", sv.Slug, err))
			continue
		}
		out = append(out, RetentionResult{Slug: sv.Slug, Erased: e})
		if e != (domain.Erased{}) {
			if err := m.auditRow(ctx, store.NewAudit{Action: domain.AuditRetentionErase, ActorKind: domain.AuditActorSystem,
				SurveyID: &sv.ID, ClientAddr: "service", Detail: erasedCounts(e)}); err != nil {
				errs = append(errs, fmt.Errorf("round %s: the audit row: %w", sv.Slug, err))
			}
		}
	}
	return out, errors.Join(errs...)
}

// RunRetention runs EraseExpiredPersonal once soon after start and then
// every interval until ctx ends, logging what it erased.
func (m *Manager) RunRetention(ctx context.Context, interval time.Duration, log *slog.Logger) {
	wait := time.Minute // let the service settle first
	for {
		select {
		case <-ctx.Done():
			return
		case <-time.After(wait):
		}
		wait = interval
		res, err := m.EraseExpiredPersonal(ctx, time.Now())
		if err != nil && ctx.Err() == nil {
			log.Error("personal data retention", "error", err)
		}
		for _, r := range res {
			if r.Erased != (domain.Erased{}) {
				log.Info("personal data erased after retention", "survey", r.Slug, "responses", r.Erased.Responses,
					"revisions", r.Erased.Revisions, "messages", r.Erased.Messages)
			}
		}
	}
}

// CheckPersonQuery trims the query and checks it: an e-mail address (with
// an @) or at least MinPersonName letters of a name (ErrPersonQuery).
func CheckPersonQuery(q domain.PersonQuery) (domain.PersonQuery, error) {
	q.Email, q.Name = strings.TrimSpace(q.Email), strings.TrimSpace(q.Name)
	switch {
	case q.Email != "" && q.Name != "":
		return q, ErrPersonQuery
	case q.Email != "":
		if !strings.Contains(q.Email, "@") {
			return q, ErrPersonQuery
		}
	case len([]rune(q.Name)) < MinPersonName:
		return q, ErrPersonQuery
	}
	return q, nil
}

// personalKeys lists every round's personal question codes.
func (m *Manager) personalKeys(ctx context.Context) ([]domain.PersonalKeys, error) {
	rounds, err := m.Store.Surveys(ctx)
	if err != nil {
		return nil, err
	}
	out := make([]domain.PersonalKeys, 0, len(rounds))
	for _, sv := range rounds {
		def, err := m.Definition(sv)
		if err != nil {
			return nil, err
		}
		out = append(out, domain.PersonalKeys{SurveyID: sv.ID, Keys: PersonalCodes(def)})
	}
	return out, nil
}

// FindPerson shows everything held about a person (by e-mail address or a
// part of a name, CheckPersonQuery), for admins (domain.AccessAdminister).
func (m *Manager) FindPerson(ctx context.Context, p domain.Principal, q domain.PersonQuery) (domain.PersonData, error) {
	d, err := m.findPerson(ctx, p, q)
	if err != nil {
		return d, err
	}
	return d, m.audit(ctx, p, domain.AuditPersonSearch, 0, "", personCounts(d))
}

// personCounts is the audit detail of a person's data: how much was
// found, never the query (the e-mail or name is the person's data).
func personCounts(d domain.PersonData) map[string]any {
	return map[string]any{"responses": len(d.Responses), "contacts": len(d.Contacts), "messages": len(d.Messages),
		"users": len(d.Users)}
}

// findPerson is FindPerson without the audit row.
func (m *Manager) findPerson(ctx context.Context, p domain.Principal, q domain.PersonQuery) (domain.PersonData, error) {
	if err := p.Require(domain.AccessAdminister); err != nil {
		return domain.PersonData{}, err
	}
	q, err := CheckPersonQuery(q)
	if err != nil {
		return domain.PersonData{Query: q}, err
	}
	keys, err := m.personalKeys(ctx)
	if err != nil {
		return domain.PersonData{}, err
	}
	return m.Store.FindPerson(ctx, q, keys)
}

// PersonExport is the JSON file of everything held about a person.
type PersonExport struct {
	Generated time.Time `json:"generated_at"`
	domain.PersonData
}

// ExportPerson writes everything held about a person as one JSON document
// (indented), for admins (domain.AccessAdminister).
func (m *Manager) ExportPerson(ctx context.Context, p domain.Principal, q domain.PersonQuery, now time.Time) ([]byte, error) {
	d, err := m.findPerson(ctx, p, q)
	if err != nil {
		return nil, err
	}
	out, err := json.MarshalIndent(PersonExport{Generated: now.UTC(), PersonData: d}, "", "  ")
	if err != nil {
		return nil, err
	}
	return out, m.audit(ctx, p, domain.AuditPersonExport, 0, "", personCounts(d))
}

// ErasePerson erases what FindPerson finds about a person, in one
// transaction (store.ErasePerson: personal answers everywhere, contacts,
// e-mail recipients; staff users are not deleted), for admins
// (domain.AccessAdminister). It returns what was found and what changed.
func (m *Manager) ErasePerson(ctx context.Context, p domain.Principal, q domain.PersonQuery) (domain.PersonData, domain.Erased, error) {
	if err := p.Require(domain.AccessAdminister); err != nil {
		return domain.PersonData{}, domain.Erased{}, err
	}
	q, err := CheckPersonQuery(q)
	if err != nil {
		return domain.PersonData{Query: q}, domain.Erased{}, err
	}
	keys, err := m.personalKeys(ctx)
	if err != nil {
		return domain.PersonData{}, domain.Erased{}, err
	}
	found, erased, err := m.Store.ErasePerson(ctx, q, keys, userIDOf(p))
	if err != nil {
		return found, erased, err
	}
	// One row: who, when, the counts — not the query's e-mail or name,
	// which are the person's data.
	return found, erased, m.audit(ctx, p, domain.AuditPersonErase, 0, "", erasedCounts(erased))
}
